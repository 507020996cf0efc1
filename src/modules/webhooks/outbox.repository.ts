import { and, arrayContains, asc, eq, inArray, isNull, lte } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { contacts, type DeliveryState, outboxEvents, webhookAttempts, webhookDeliveries, webhooks } from "../../db/schema/index.js";

/** The workspace's webhooks subscribed to an event type (disabled ones too: their events wait). */
export async function subscribers(tx: Db, workspaceId: string, type: string): Promise<string[]> {
  const rows = await tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, workspaceId), arrayContains(webhooks.events, [type])));
  return rows.map((r) => r.id);
}

/** The same, with each webhook's signing secret (a contact.erased event names the person by a hash keyed with it). */
export async function subscribersWithSecrets(tx: Db, workspaceId: string, type: string): Promise<Array<{ id: string; secret: string }>> {
  return tx
    .select({ id: webhooks.id, secret: webhooks.secret })
    .from(webhooks)
    .where(and(eq(webhooks.workspaceId, workspaceId), arrayContains(webhooks.events, [type])));
}

export async function contactEmail(tx: Db, workspaceId: string, contactId: string): Promise<string | null> {
  const [row] = await tx
    .select({ email: contacts.email })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
  return row?.email ?? null;
}

export async function insertEvent(tx: Db, values: typeof outboxEvents.$inferInsert, webhookIds: string[], due: Date): Promise<string> {
  const [event] = await tx.insert(outboxEvents).values(values).returning({ id: outboxEvents.id });
  await tx
    .insert(webhookDeliveries)
    .values(webhookIds.map((webhookId) => ({ workspaceId: values.workspaceId, webhookId, eventId: event.id, nextAttemptAt: due })));
  return event.id;
}

/**
 * Claims up to `limit` due deliveries of enabled webhooks: `FOR UPDATE SKIP LOCKED` lets
 * several processes claim at once without taking the same row, and the claim pushes the next
 * attempt to `leaseUntil`, so the HTTP call runs outside the transaction and a process that dies
 * mid-call leaves the row due again after the lease (delivery is at least once).
 */
export async function claimDue(db: Db, now: Date, limit: number, leaseUntil: Date) {
  return db.transaction(async (tx: Db) => {
    const due = await tx
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .innerJoin(webhooks, and(eq(webhooks.workspaceId, webhookDeliveries.workspaceId), eq(webhooks.id, webhookDeliveries.webhookId)))
      .where(and(eq(webhookDeliveries.state, "pending"), lte(webhookDeliveries.nextAttemptAt, now), isNull(webhooks.disabledAt)))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(limit)
      .for("update", { of: webhookDeliveries, skipLocked: true });
    if (due.length === 0) return [];
    const ids = due.map((d) => d.id);
    await tx.update(webhookDeliveries).set({ nextAttemptAt: leaseUntil }).where(inArray(webhookDeliveries.id, ids));
    return tx
      .select({
        id: webhookDeliveries.id,
        workspaceId: webhookDeliveries.workspaceId,
        attempts: webhookDeliveries.attempts,
        eventId: outboxEvents.id,
        webhookId: webhookDeliveries.webhookId,
        payload: outboxEvents.payload,
        url: webhooks.url,
        secret: webhooks.secret,
      })
      .from(webhookDeliveries)
      .innerJoin(outboxEvents, and(eq(outboxEvents.workspaceId, webhookDeliveries.workspaceId), eq(outboxEvents.id, webhookDeliveries.eventId)))
      .innerJoin(webhooks, and(eq(webhooks.workspaceId, webhookDeliveries.workspaceId), eq(webhooks.id, webhookDeliveries.webhookId)))
      .where(inArray(webhookDeliveries.id, ids));
  });
}

export type ClaimedDelivery = Awaited<ReturnType<typeof claimDue>>[number];

export interface AttemptOutcome {
  attempt: number;
  attemptedAt: Date;
  statusCode: number | null;
  errorClass: string | null;
  durationMs: number;
  state: DeliveryState;
  nextAttemptAt: Date;
}

/** Writes the attempt to the log and the delivery's new state, together. */
export async function recordAttempt(db: Db, delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<void> {
  await db.transaction(async (tx: Db) => {
    await tx.insert(webhookAttempts).values({
      workspaceId: delivery.workspaceId,
      deliveryId: delivery.id,
      attempt: outcome.attempt,
      attemptedAt: outcome.attemptedAt,
      statusCode: outcome.statusCode,
      errorClass: outcome.errorClass,
      durationMs: outcome.durationMs,
    });
    await tx
      .update(webhookDeliveries)
      .set({
        attempts: outcome.attempt,
        lastAttemptAt: outcome.attemptedAt,
        state: outcome.state,
        nextAttemptAt: outcome.nextAttemptAt,
        deliveredAt: outcome.state === "delivered" ? outcome.attemptedAt : null,
        deadAt: outcome.state === "dead" ? outcome.attemptedAt : null,
      })
      // A redelivery asked meanwhile restarted the count: this older attempt does not overwrite it.
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.attempts, delivery.attempts)));
  });
}
