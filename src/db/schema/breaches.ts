import { check, index, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, tenantFk, tenantKey } from "./columns.js";
import { users, workspaces } from "./workspace.js";

export const BREACH_SEVERITIES = ["low", "medium", "high", "critical"] as const;

// The breach register (GDPR Art. 33(5): facts, effects, remedial action), one row per
// incident. The 72-hour deadlines are derived from detected_at when read, never stored twice.
export const breaches = pgTable(
  "breaches",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    detectedAt: timestamp("detected_at", { withTimezone: true, precision: 3 }).notNull(),
    severity: text("severity").notNull(),
    description: text("description").notNull(),
    effects: text("effects").notNull(),
    remedialAction: text("remedial_action").notNull(),
    authority: text("authority").notNull().default("CNIL"),
    authorityNotifiedAt: timestamp("authority_notified_at", { withTimezone: true, precision: 3 }),
    usersNotifiedAt: timestamp("users_notified_at", { withTimezone: true, precision: 3 }),
    controllersNotifiedAt: timestamp("controllers_notified_at", { withTimezone: true, precision: 3 }),
    // Who reported it; the documentation outlives the account, so the link is dropped, not the row.
    reportedBy: uuid("reported_by"),
    reportedAt: createdAt(),
  },
  (t) => [
    tenantKey(t),
    // `on delete set null (reported_by)` in drizzle/0020_tenant_keys.sql.
    tenantFk("breaches_reported_by_fk", t.workspaceId, t.reportedBy, users).onDelete("set null"),
    check("breaches_severity_check", oneOf("severity", BREACH_SEVERITIES)),
    index("breaches_ws_detected_idx").on(t.workspaceId, t.detectedAt, t.id),
  ],
);

// Who a breach affected. No foreign key to contacts or users: erasing a person or deleting an
// account must not rewrite the breach documentation (Art. 33(5)); the ids were checked against
// the workspace when the breach was reported. Deleting the breach (the workspace) removes them.
export const breachAffectedContacts = pgTable(
  "breach_affected_contacts",
  {
    // The tenant (shard key) on every row, as on every table.
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    breachId: uuid("breach_id").notNull(),
    contactId: uuid("contact_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.breachId, t.contactId] }),
    tenantFk("breach_affected_contacts_breach_fk", t.workspaceId, t.breachId, breaches).onDelete("cascade"),
    index("breach_affected_contacts_contact_idx").on(t.contactId),
  ],
);

export const breachAffectedUsers = pgTable(
  "breach_affected_users",
  {
    // The tenant (shard key) on every row, as on every table.
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    breachId: uuid("breach_id").notNull(),
    userId: uuid("user_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.breachId, t.userId] }),
    tenantFk("breach_affected_users_breach_fk", t.workspaceId, t.breachId, breaches).onDelete("cascade"),
    index("breach_affected_users_user_idx").on(t.userId),
  ],
);
