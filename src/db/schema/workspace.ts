import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, updatedAt } from "./columns.js";

export const SUBSCRIPTION_STATUSES = ["trialing", "active", "past_due", "cancelled"] as const;

export const workspaces = pgTable(
  "workspaces",
  {
    id: id(),
    name: text("name").notNull(),
    plan: text("plan").notNull().default("beta"),
    subscriptionStatus: text("subscription_status").notNull().default("active"),
    // Start of the six-month retention clock for cancelled accounts (privacy policy, section 8).
    cancelledAt: timestamp("cancelled_at", { withTimezone: true, precision: 3 }),
    // Payment data stays at Stripe; only the customer id is kept here.
    stripeCustomerId: text("stripe_customer_id"),
    createdAt: createdAt(),
  },
  () => [check("workspaces_subscription_status_check", oneOf("subscription_status", SUBSCRIPTION_STATUSES))],
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
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
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // SHA-256 of the 256-bit bearer token; the token itself is never stored.
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [uniqueIndex("sessions_token_hash_key").on(t.tokenHash), index("sessions_user_idx").on(t.userId)],
);
