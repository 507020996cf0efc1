import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { id, oneOf, tenantFk, tenantKey } from "./columns.js";
import { users, workspaces } from "./workspace.js";

export const USAGE_KINDS = ["login", "page_view", "feature", "action"] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

/**
 * What the privacy policy (section 2.2) says is collected about account holders: logins and
 * their duration, pages and features used, actions performed, device, IP address and country.
 * Kept 12 months (section 8); the retention job deletes older rows in batches by `occurred_at`.
 *
 * Indexes (btree, no partitions): the API's keyset order per workspace, a user's own events
 * (also what the cascade from `users` uses), and `occurred_at` alone so each retention batch
 * reads the oldest rows straight from the index. Monthly partitions would make retention a
 * `DROP`, but drizzle-kit neither generates nor diffs partitioned tables, and legal holds keep
 * some workspaces' rows past the cut, so a month could not be dropped whole anyway. BRIN
 * was not chosen: repeated batched deletes would rescan the same block ranges every batch.
 */
export const usageEvents = pgTable(
  "usage_events",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    // The account holder's own data: deleting the account deletes their usage log (Art. 17),
    // there is nothing to keep it for without the person.
    userId: uuid("user_id").notNull(),
    // The session the event happened in. No foreign key on purpose: sessions are deleted at
    // logout and expiry, the log outlives them and keeps which events belonged together.
    sessionId: uuid("session_id"),
    kind: text("kind").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // Logins only: filled at logout, or from the expiry when the session lapses.
    durationSeconds: integer("duration_seconds"),
    // "Firefox 131 on macOS", parsed from the User-Agent; the raw header is not kept.
    device: text("device"),
    ip: text("ip"),
    // ISO 3166-1 alpha-2 country code from the proxy's header (GEO_COUNTRY_HEADER), if trusted.
    location: text("location"),
    // Page path, feature id, or operation name + root fields + outcome; never argument values.
    detail: jsonb("detail"),
  },
  (t) => [
    tenantKey(t),
    tenantFk("usage_events_user_fk", t.workspaceId, t.userId, users).onDelete("cascade"),
    check("usage_events_kind_check", oneOf("kind", USAGE_KINDS)),
    check("usage_events_duration_check", sql`duration_seconds is null or (kind = 'login' and duration_seconds >= 0)`),
    check("usage_events_location_check", sql`location is null or location ~ '^[A-Z]{2}$'`),
    index("usage_events_workspace_idx").on(t.workspaceId, t.occurredAt, t.id),
    index("usage_events_user_idx").on(t.userId, t.occurredAt, t.id),
    index("usage_events_occurred_idx").on(t.occurredAt),
    index("usage_events_session_idx").on(t.sessionId).where(sql`kind = 'login' and duration_seconds is null`),
  ],
);
