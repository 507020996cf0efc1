import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, tenantFk, tenantKey } from "./columns.js";
import { workspaces } from "./workspace.js";

/** The privacy events a webhook may subscribe to (Art. 19: recipients are told). */
export const WEBHOOK_EVENTS = ["consent.withdrawn", "contact.objected", "contact.restricted", "contact.restriction_lifted", "contact.erased"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_STATES = ["pending", "delivered", "dead"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

// Every table here is account data: its key to the workspace cascades, so a workspace purge
// deletes it (src/modules/workspaces/workspace.repository.ts reads the foreign keys).

// A recipient an owner registered. `secret` signs every body (HMAC-SHA256); it is shown once
// when the webhook is created and never loaded by the API again (hiddenColumns).
export const webhooks = pgTable(
  "webhooks",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description"),
    events: text("events").array().notNull(),
    secret: text("secret").notNull(),
    createdById: uuid("created_by"),
    createdAt: createdAt(),
    disabledAt: at("disabled_at"),
  },
  (t) => [tenantKey(t), index("webhooks_ws_idx").on(t.workspaceId, t.createdAt, t.id)],
);

// The outbox: one row per privacy change, written in the transaction of the change itself, so
// an event exists exactly when the change committed. `payload` is the body sent to recipients.
export const outboxEvents = pgTable(
  "outbox_events",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    contactId: uuid("contact_id"),
    purpose: text("purpose"),
    occurredAt: at("occurred_at").notNull(),
    payload: jsonb("payload").notNull(),
    createdAt: createdAt(),
  },
  (t) => [tenantKey(t), index("outbox_events_ws_idx").on(t.workspaceId, t.createdAt), check("outbox_events_type_check", oneOf("type", WEBHOOK_EVENTS))],
);

// One event to one webhook: claimed by the worker when due, retried with backoff, dead after
// repeated failure until an owner redelivers it.
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    webhookId: uuid("webhook_id").notNull(),
    eventId: uuid("event_id").notNull(),
    state: text("state").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: at("next_attempt_at").notNull().defaultNow(),
    lastAttemptAt: at("last_attempt_at"),
    deliveredAt: at("delivered_at"),
    deadAt: at("dead_at"),
    createdAt: createdAt(),
  },
  (t) => [
    tenantKey(t),
    tenantFk("webhook_deliveries_webhook_fk", t.workspaceId, t.webhookId, webhooks).onDelete("cascade"),
    tenantFk("webhook_deliveries_event_fk", t.workspaceId, t.eventId, outboxEvents).onDelete("cascade"),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`state = 'pending'`),
    index("webhook_deliveries_hook_idx").on(t.webhookId, t.createdAt),
    check("webhook_deliveries_state_check", oneOf("state", DELIVERY_STATES)),
  ],
);

// The delivery log: what each attempt got back. Never the response body (a recipient could
// echo anything, personal data included); the status code, a class of error and the duration.
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    deliveryId: uuid("delivery_id").notNull(),
    attempt: integer("attempt").notNull(),
    attemptedAt: at("attempted_at").notNull(),
    statusCode: integer("status_code"),
    errorClass: text("error_class"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [
    tenantKey(t),
    tenantFk("webhook_attempts_delivery_fk", t.workspaceId, t.deliveryId, webhookDeliveries).onDelete("cascade"),
    index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attemptedAt),
  ],
);
