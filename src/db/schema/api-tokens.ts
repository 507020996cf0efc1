import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantFk, tenantKey } from "./columns.js";
import { users, workspaces } from "./workspace.js";

// API tokens (issue #8 item 2): `acrm_<lookup><secret><checksum>`. Only the SHA-256 digest of the
// whole token is stored; `lookup` (the first characters after the prefix, not secret on its own)
// finds the row. The token acts as its creator, narrowed by `scopes` and `purposes`.
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull(),
    name: text("name").notNull(),
    lookup: text("lookup").notNull(),
    secretHash: text("secret_hash").notNull(),
    scopes: text("scopes").array().notNull(),
    purposes: text("purposes").array().notNull(),
    defaultPurpose: text("default_purpose").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, precision: 3 }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
  },
  (t) => [
    tenantKey(t),
    tenantFk("api_tokens_user_fk", t.workspaceId, t.userId, users).onDelete("cascade"),
    // Unique across workspaces through credential_lookups (src/db/schema/lookups.ts).
    uniqueIndex("api_tokens_lookup_key").on(t.workspaceId, t.lookup),
    index("api_tokens_workspace_idx").on(t.workspaceId, t.createdAt, t.id),
    index("api_tokens_user_idx").on(t.userId),
    index("api_tokens_expired_idx").on(t.expiresAt).where(sql`revoked_at is null`),
  ],
);
