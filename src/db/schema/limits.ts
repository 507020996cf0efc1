import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

// Fixed-window request counters shared by every API process (rate limits live in the
// database, never in one process's memory). Old windows are safe to delete at any time.
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true, precision: 3 }).notNull(),
    hits: integer("hits").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index("rate_limits_window_idx").on(t.windowStart)],
);
