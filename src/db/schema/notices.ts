import { sql } from "drizzle-orm";
import { boolean, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, tenantFk } from "./columns.js";
import { users, workspaces } from "./workspace.js";

// Published versions of a privacy notice: workspace_id null is Alpha CRM's own policy (the
// platform's), otherwise a customer's notice to its contacts. A version text is unique within
// its scope (two partial indexes, because NULLs are distinct in a plain unique index).
// Under Citus a reference table (few rows, read by every tenant; platform versions have no
// workspace), so it keeps `id` as its key and no foreign key to a distributed table.
export const policyVersions = pgTable(
  "policy_versions",
  {
    id: id().primaryKey(),
    workspaceId: uuid("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    summary: text("summary").notNull(),
    // A material change is notified to every account holder once (privacy policy, section 13).
    material: boolean("material").notNull().default(false),
    publishedAt: timestamp("published_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // The publishing user, or null when Alpha's operators published from the command line. No
    // foreign key: users is distributed and a reference table cannot point into it; a
    // workspace's versions go with its purge, and users are only ever deleted by that purge.
    publishedBy: uuid("published_by"),
  },
  (t) => [
    uniqueIndex("policy_versions_platform_version_key").on(t.version).where(sql`workspace_id is null`),
    uniqueIndex("policy_versions_workspace_version_key").on(t.workspaceId, t.version).where(sql`workspace_id is not null`),
    index("policy_versions_published_idx").on(t.publishedAt),
  ],
);

// A user read a version: its notice stops showing. Pending notices are computed by query
// (material, newer than the account, not acknowledged), so publishing writes no row per user.
export const policyAcknowledgements = pgTable(
  "policy_acknowledgements",
  {
    // The user's workspace (the shard key), even for a platform version.
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull(),
    policyVersionId: uuid("policy_version_id")
      .notNull()
      .references(() => policyVersions.id, { onDelete: "cascade" }),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId, t.policyVersionId] }),
    tenantFk("policy_acknowledgements_user_fk", t.workspaceId, t.userId, users).onDelete("cascade"),
  ],
);
