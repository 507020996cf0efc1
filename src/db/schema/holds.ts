import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { id, tenantKey } from "./columns.js";
import { workspaces } from "./workspace.js";

// A legal hold keeps data that retention and erasure would otherwise delete (litigation,
// an authority's investigation). On one contact, or on the whole workspace when contact_id is
// null. A hold is released, never deleted: the record of who held what, and why, stays.
// No foreign key to the contact: the hold must outlive nothing it protects, and a hold on a
// contact id keeps its meaning in the report even if a later purge removes the workspace's data.
export const legalHolds = pgTable(
  "legal_holds",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "restrict" }),
    contactId: uuid("contact_id"),
    reason: text("reason").notNull(),
    placedById: uuid("placed_by"),
    placedAt: timestamp("placed_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    releasedById: uuid("released_by"),
    releasedAt: timestamp("released_at", { withTimezone: true, precision: 3 }),
    releaseReason: text("release_reason"),
  },
  (t) => [
    tenantKey(t),
    index("legal_holds_ws_idx").on(t.workspaceId, t.placedAt, t.id),
    index("legal_holds_active_idx").on(t.workspaceId, t.contactId).where(sql`released_at is null`),
  ],
);
