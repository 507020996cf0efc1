import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { type DeliveryState, outboxEvents, webhookDeliveries, webhooks } from "../../db/schema/index.js";

export async function insertWebhook(db: Db, values: typeof webhooks.$inferInsert): Promise<string> {
  const [row] = await db.insert(webhooks).values(values).returning({ id: webhooks.id });
  return row.id;
}

/** Disables (a date) or enables (null) a webhook the filter allows; false when none matched. */
export async function setDisabled(db: Db, where: SQL, id: string, disabledAt: Date | null): Promise<boolean> {
  const rows = await db
    .update(webhooks)
    .set({ disabledAt })
    .where(and(where, eq(webhooks.id, id)))
    .returning({ id: webhooks.id });
  return rows.length > 0;
}

/** Deletes a webhook the filter allows, with its queued deliveries and their log (cascade). */
export async function deleteWebhook(db: Db, where: SQL, id: string): Promise<boolean> {
  const rows = await db
    .delete(webhooks)
    .where(and(where, eq(webhooks.id, id)))
    .returning({ id: webhooks.id });
  return rows.length > 0;
}

// The last attempt of a delivery, for the delivery log.
const last = (column: string) =>
  sql.raw(`(select a.${column} from webhook_attempts a where a.delivery_id = webhook_deliveries.id order by a.attempted_at desc, a.attempt desc limit 1)`);

const DELIVERY_VIEW = {
  id: webhookDeliveries.id,
  eventId: webhookDeliveries.eventId,
  eventType: outboxEvents.type,
  contactId: outboxEvents.contactId,
  state: webhookDeliveries.state,
  attempts: webhookDeliveries.attempts,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  lastAttemptAt: webhookDeliveries.lastAttemptAt,
  deliveredAt: webhookDeliveries.deliveredAt,
  lastStatusCode: sql<number | null>`${last("status_code")}`,
  lastErrorClass: sql<string | null>`${last("error_class")}`,
  lastDurationMs: sql<number | null>`${last("duration_ms")}`,
};

/** A webhook's deliveries, newest first (the webhook was found through the ability first). */
export function deliveriesOf(db: Db, workspaceId: string, webhookId: string, state: DeliveryState | undefined, limit: number) {
  return db
    .select(DELIVERY_VIEW)
    .from(webhookDeliveries)
    .innerJoin(outboxEvents, and(eq(outboxEvents.workspaceId, webhookDeliveries.workspaceId), eq(outboxEvents.id, webhookDeliveries.eventId)))
    .where(
      and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.webhookId, webhookId), state ? eq(webhookDeliveries.state, state) : undefined),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
}

export async function deliveryById(db: Db, workspaceId: string, id: string) {
  const [row] = await db
    .select({ ...DELIVERY_VIEW, webhookId: webhookDeliveries.webhookId })
    .from(webhookDeliveries)
    .innerJoin(outboxEvents, and(eq(outboxEvents.workspaceId, webhookDeliveries.workspaceId), eq(outboxEvents.id, webhookDeliveries.eventId)))
    .where(and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.id, id)));
  return row;
}

/** Queues a delivery again at once, with a fresh count of attempts (its log is kept). */
export async function requeue(db: Db, workspaceId: string, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ state: "pending", attempts: 0, nextAttemptAt: now, deadAt: null })
    .where(and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.id, id)))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

export type DeliveryView = Awaited<ReturnType<typeof deliveriesOf>>[number];
