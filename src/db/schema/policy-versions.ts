import { text, timestamp, pgTable } from "drizzle-orm/pg-core";

// Which policy decided: every policy version a server started with, by its digest
// (src/authz/policy-digest.ts). A global reference table (no workspace): the same policies
// serve every tenant. `files` keeps the JSON of the policy files (path -> contents) that
// produced the digest, so `npm run policy:show -- <digest>` prints them from the database.
export const policyVersionsLoaded = pgTable("policy_versions_loaded", {
  digest: text("digest").primaryKey(),
  files: text("files").notNull(),
  firstSeenAt: timestamp("first_seen_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
