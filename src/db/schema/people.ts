import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantFk, tenantKey } from "./columns.js";
import { users, workspaces } from "./workspace.js";

/**
 * A pending invitation to join a workspace with a role (inviteUser, npm run workspace:create).
 * Only the SHA-256 of the token is kept; the token is shown once to whoever issued it. Single
 * use (acceptedAt), expires after 7 days; a new invitation for the same email replaces older ones.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    name: text("name"),
    role: text("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    // The inviting user; null when the command line invited (the first owner).
    invitedById: uuid("invited_by_id"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true, precision: 3 }),
    acceptedUserId: uuid("accepted_user_id"),
  },
  (t) => [
    tenantKey(t),
    // Both `on delete set null (column)` in drizzle/0020_tenant_keys.sql.
    tenantFk("invitations_invited_by_fk", t.workspaceId, t.invitedById, users).onDelete("set null"),
    tenantFk("invitations_accepted_user_fk", t.workspaceId, t.acceptedUserId, users).onDelete("set null"),
    uniqueIndex("invitations_token_hash_key").on(t.workspaceId, t.tokenHash),
    index("invitations_workspace_email_idx").on(t.workspaceId, t.email),
  ],
);

/**
 * One-time password reset tokens (issuePasswordReset): SHA-256 only, 1 hour, single use; issuing
 * a new one deletes the user's older ones.
 */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    issuedById: uuid("issued_by_id"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    tenantKey(t),
    tenantFk("password_resets_user_fk", t.workspaceId, t.userId, users).onDelete("cascade"),
    // `on delete set null (issued_by_id)` in drizzle/0020_tenant_keys.sql.
    tenantFk("password_resets_issued_by_fk", t.workspaceId, t.issuedById, users).onDelete("set null"),
    uniqueIndex("password_resets_token_hash_key").on(t.workspaceId, t.tokenHash),
    index("password_resets_user_idx").on(t.userId),
  ],
);
