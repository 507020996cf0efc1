import { check, index, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, oneOf } from "./columns.js";
import { workspaces } from "./workspace.js";

// Global look-ups, the only ones the API makes without knowing the tenant: sign-in by email and
// authentication by token. Each answers "which workspace?" from one small table (a Citus
// reference table); the caller then reads the tenant row WITH `workspace_id = ...` (a router
// query to one shard). The tenant row stays the authority: a look-up row only says where to
// look, so a stale one grants nothing. Written in the same transaction as the tenant row, and
// deleted with it where the code deletes it; a workspace purge clears them through the foreign
// key below (src/modules/workspaces/workspace.repository.ts reads it).

/** One account per email across all workspaces: the key of this table is that rule. */
export const userLogins = pgTable(
  "user_logins",
  {
    /** lower(users.email). */
    emailLower: text("email_lower").primaryKey(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull(),
  },
  (t) => [index("user_logins_user_idx").on(t.workspaceId, t.userId)],
);

export const CREDENTIAL_KINDS = ["session", "api_token", "invitation", "password_reset"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/**
 * Which workspace holds a credential: a session, invitation or password reset by the SHA-256 of
 * its token, an API token by its lookup segment. The key keeps these unique across workspaces,
 * as the tables' own unique indexes did before they were scoped to a workspace.
 */
export const credentialLookups = pgTable(
  "credential_lookups",
  {
    kind: text("kind").notNull(),
    key: text("key").notNull(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.key] }),
    check("credential_lookups_kind_check", oneOf("kind", CREDENTIAL_KINDS)),
    index("credential_lookups_created_idx").on(t.createdAt),
  ],
);
