import { sql } from "drizzle-orm";
import { check, index, jsonb, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, tenantFk, tenantKey, updatedAt } from "./columns.js";

// `purged`: the account's data was deleted (src/modules/workspaces/purge.ts); the row stays as a
// tombstone so the consent ledgers, which must outlive the account, keep their workspace.
export const SUBSCRIPTION_STATUSES = ["trialing", "active", "past_due", "cancelled", "purged"] as const;
// Who ended the subscription: an owner in the app (cancelWorkspace) or Stripe (the subscription
// was deleted there). Only the owner's own cancellation may be undone in the app.
export const CANCELLED_BY = ["owner", "stripe"] as const;

// One row per tenant: under Citus a reference table (copied to every node), so every tenant
// table keeps its single-column foreign key to it and the Stripe customer stays unique.
export const workspaces = pgTable(
  "workspaces",
  {
    id: id().primaryKey(),
    name: text("name").notNull(),
    plan: text("plan").notNull().default("beta"),
    subscriptionStatus: text("subscription_status").notNull().default("active"),
    // Start of the six-month retention clock for cancelled accounts (privacy policy, section 8).
    cancelledAt: timestamp("cancelled_at", { withTimezone: true, precision: 3 }),
    // Set with cancelledAt (CANCELLED_BY), cleared with it; kept on a purged tombstone.
    cancelledBy: text("cancelled_by"),
    // Payment data stays at Stripe; only the customer id is kept here.
    stripeCustomerId: text("stripe_customer_id"),
    // IANA time zone (Europe/Paris) in which legal deadlines are counted; null = UTC.
    timeZone: text("time_zone"),
    // When the account's data was deleted; set together with status `purged`.
    purgedAt: timestamp("purged_at", { withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
  },
  (t) => [
    check("workspaces_subscription_status_check", oneOf("subscription_status", SUBSCRIPTION_STATUSES)),
    check("workspaces_purged_check", sql`(subscription_status = 'purged') = (purged_at is not null)`),
    check("workspaces_cancelled_by_check", oneOf("cancelled_by", CANCELLED_BY)),
    uniqueIndex("workspaces_stripe_customer_key").on(t.stripeCustomerId),
  ],
);

export const users = pgTable(
  "users",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    name: text("name").notNull(),
    phone: text("phone"),
    position: text("position"),
    passwordHash: text("password_hash").notNull(),
    role: text("role").notNull(),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true, precision: 3 }),
    // The account holder's own marketing consents (Alpha is the controller), denormalised from
    // the consent ledger (consent_events.subject_user_id) like a contact's, for the consent gate.
    consentedPurposes: text("consented_purposes").array().notNull().default(sql`'{}'::text[]`),
    // Set by deactivateUser: sign-in is refused and every session ends at once (see isUserActive).
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    tenantKey(t),
    // One account per email across workspaces comes from user_logins' key (src/db/schema/lookups.ts).
    uniqueIndex("users_email_key").on(t.workspaceId, sql`lower(${t.email})`),
    index("users_workspace_idx").on(t.workspaceId, t.createdAt, t.id),
    index("users_consented_gin").using("gin", t.consentedPurposes),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull(),
    // SHA-256 of the 256-bit bearer token; the token itself is never stored.
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    tenantKey(t),
    tenantFk("sessions_user_fk", t.workspaceId, t.userId, users).onDelete("cascade"),
    uniqueIndex("sessions_token_hash_key").on(t.workspaceId, t.tokenHash),
    index("sessions_user_idx").on(t.userId),
    // closeExpiredSessions finds lapsed sessions by expiry.
    index("sessions_expires_idx").on(t.expiresAt),
  ],
);

/**
 * One row per purged workspace: the record that its data was deleted, when, and how many rows
 * per table. No personal data, and no foreign key: it outlives even the tombstone.
 */
export const workspacePurges = pgTable(
  "workspace_purges",
  {
    id: id(),
    workspaceId: uuid("workspace_id").notNull(),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true, precision: 3 }).notNull(),
    /** cancelledAt + the retention months: the cutoff the purge honoured. */
    purgeAfter: timestamp("purge_after", { withTimezone: true, precision: 3 }).notNull(),
    retentionMonths: integer("retention_months").notNull(),
    purgedAt: timestamp("purged_at", { withTimezone: true, precision: 3 }).notNull(),
    /** `{ table: rows deleted }`. */
    counts: jsonb("counts").notNull(),
  },
  (t) => [tenantKey(t)],
);

/**
 * Stripe event ids already applied, so a redelivered event changes nothing twice. Holds no
 * tenant or personal data (not even the customer id); rows older than
 * the stripe_event_ids period of policies/retention.yaml are deleted by the retention job (Stripe
 * redelivers for 3 days at most).
 */
export const stripeEvents = pgTable(
  "stripe_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    /** What the event did: applied, ignored (unknown customer, purged, stale, unhandled type). */
    outcome: text("outcome").notNull(),
    processedAt: timestamp("processed_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index("stripe_events_processed_idx").on(t.processedAt)],
);
