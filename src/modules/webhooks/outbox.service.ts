import type { Db } from "../../db/client.js";
import type { WebhookEventType } from "../../db/schema/index.js";
import { createHmac } from "node:crypto";
import { normaliseEmail } from "../erasure/erasure.journal.js";
import { claimDue, type ClaimedDelivery, contactEmail, insertEvent, recordAttempt, subscribers, subscribersWithSecrets } from "./outbox.repository.js";
import { postTo, REFUSED_TARGET, refusedTarget, signatureHeader, type TargetPolicy } from "./webhook.target.js";

export interface PrivacyEventInput {
  workspaceId: string;
  type: WebhookEventType;
  contactId: string;
  /** The purpose a withdrawal or an objection is about. */
  purpose?: string | null;
  occurredAt: Date;
  /** The address to name; read from the contact when left out. Ignored for contact.erased (see erasedEmail). */
  email?: string | null;
  /**
   * contact.erased: the address as it was before the erasure blanked it. Never stored: each
   * recipient gets only `contact.emailHash`, an HMAC-SHA256 keyed with its own webhook secret.
   */
  erasedEmail?: string | null;
  /** contact.erased: the addresses the record held before, oldest first; hashed per recipient like erasedEmail. */
  erasedFormerEmails?: readonly string[];
}

/** Where a contact.erased event keeps each recipient's keyed hash until delivery; never sent as such. */
const HASHES_KEY = "_emailHashByWebhook";
/** The same for the former addresses' hashes. */
const FORMER_HASHES_KEY = "_formerEmailHashesByWebhook";

/**
 * What a recipient can match an erased person by without receiving their address: hex
 * HMAC-SHA256, keyed with the recipient's webhook secret, over "email:" + the address trimmed
 * and lower-cased. The recipient computes the same over the addresses it holds.
 */
export function recipientEmailHash(secret: string, email: string): string {
  return createHmac("sha256", secret)
    .update(`email:${normaliseEmail(email)}`)
    .digest("hex");
}

/**
 * What a recipient is sent (data minimisation): the event, the contact's id and email address
 * (the recipient needs the address to stop mailing; it may not know our id) and, for
 * withdrawals and objections, the purpose. No name, phone, reason or free text: a recipient
 * needs none of them to stop processing, and reasons may hold sensitive data.
 */
export interface PrivacyEventBody {
  id: string;
  type: WebhookEventType;
  occurredAt: string;
  workspaceId: string;
  contact: { id: string; email: string | null; emailHash?: string | null; formerEmailHashes?: string[] };
  purpose: string | null;
}

/** The body one recipient is sent: a contact.erased event carries that recipient's own keyed hash only. */
export function bodyFor(payload: unknown, webhookId: string): PrivacyEventBody {
  const stored = payload as PrivacyEventBody & { [HASHES_KEY]?: Record<string, string | null>; [FORMER_HASHES_KEY]?: Record<string, string[]> };
  if (!stored || typeof stored !== "object" || !(HASHES_KEY in stored)) return stored;
  const { [HASHES_KEY]: hashes, [FORMER_HASHES_KEY]: former, ...body } = stored;
  return { ...body, contact: { ...body.contact, email: null, emailHash: hashes?.[webhookId] ?? null, formerEmailHashes: former?.[webhookId] ?? [] } };
}

/**
 * Queues a privacy event for every webhook of the workspace subscribed to it. Call it inside
 * the transaction of the privacy change: the event then exists exactly when the change
 * committed. Nothing is written when no webhook listens (no copy of the address kept for
 * nobody). Returns the event id, or null.
 */
export async function enqueuePrivacyEvent(tx: Db, input: PrivacyEventInput): Promise<string | null> {
  const erased = input.type === "contact.erased";
  const withSecrets = erased ? await subscribersWithSecrets(tx, input.workspaceId, input.type) : [];
  const hooks = erased ? withSecrets.map((h) => h.id) : await subscribers(tx, input.workspaceId, input.type);
  if (hooks.length === 0) return null;
  // An erased person's address is never kept in the outbox, not even until delivery.
  const email = erased ? null : input.email !== undefined ? input.email : await contactEmail(tx, input.workspaceId, input.contactId);
  const id = crypto.randomUUID();
  const body: PrivacyEventBody & { [HASHES_KEY]?: Record<string, string | null>; [FORMER_HASHES_KEY]?: Record<string, string[]> } = {
    id,
    type: input.type,
    occurredAt: input.occurredAt.toISOString(),
    workspaceId: input.workspaceId,
    contact: { id: input.contactId, email },
    purpose: input.purpose ?? null,
  };
  if (erased) {
    const former = (input.erasedFormerEmails ?? []).filter((e) => e.trim());
    // With no address at erasure (emptied before), the one it held last names the person.
    const address = input.erasedEmail?.trim() ? input.erasedEmail : (former.at(-1) ?? null);
    body[HASHES_KEY] = Object.fromEntries(withSecrets.map((h) => [h.id, address ? recipientEmailHash(h.secret, address) : null]));
    body[FORMER_HASHES_KEY] = Object.fromEntries(withSecrets.map((h) => [h.id, former.map((e) => recipientEmailHash(h.secret, e))]));
  }
  return insertEvent(
    tx,
    {
      id,
      workspaceId: input.workspaceId,
      type: input.type,
      contactId: input.contactId,
      purpose: input.purpose ?? null,
      occurredAt: input.occurredAt,
      payload: body,
    },
    hooks,
    input.occurredAt,
  );
}

/** Seconds to wait after the 1st, 2nd... failed attempt (the last repeats); ±10% jitter. */
export const RETRY_DELAYS_SECONDS = [60, 300, 1800, 7200, 43200] as const;
/** Failed attempts after which a delivery is dead (until an owner redelivers it). */
export const MAX_ATTEMPTS = 8;
export const DELIVERY_TIMEOUT_MS = 5000;
const LEASE_MS = 60_000;

export function retryDelayMs(failedAttempts: number, random = Math.random): number {
  const base = RETRY_DELAYS_SECONDS[Math.min(failedAttempts, RETRY_DELAYS_SECONDS.length) - 1] * 1000;
  return Math.round(base * (0.9 + 0.2 * random()));
}

export interface DeliveryOptions extends Partial<TargetPolicy> {
  batchSize?: number;
  timeoutMs?: number;
}

export interface DeliveryReport {
  delivered: number;
  failed: number;
  dead: number;
}

interface Answer {
  statusCode: number | null;
  errorClass: string | null;
}

/** One POST; never reads the response body (it is discarded unread). */
async function post(delivery: ClaimedDelivery, now: Date, opts: Required<Pick<DeliveryOptions, "timeoutMs">> & TargetPolicy): Promise<Answer> {
  const refused = await refusedTarget(delivery.url, opts);
  if (refused) return { statusCode: null, errorClass: "refused_target" };
  const body = JSON.stringify(bodyFor(delivery.payload, delivery.webhookId));
  try {
    const headers = {
      "content-type": "application/json",
      "user-agent": "AlphaCRM-Webhooks/1",
      "x-alpha-event-id": delivery.eventId,
      "x-alpha-signature": signatureHeader(delivery.secret, body, now),
    };
    const status = await postTo(delivery.url, headers, body, opts);
    if (status >= 200 && status < 300) return { statusCode: status, errorClass: null };
    return { statusCode: status, errorClass: status >= 300 && status < 400 ? "redirect" : "http_status" };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === REFUSED_TARGET) return { statusCode: null, errorClass: "refused_target" };
    return { statusCode: null, errorClass: name === "TimeoutError" || name === "AbortError" ? "timeout" : "connection" };
  }
}

/**
 * Delivers what is due at `now` (the worker's tick; tests call it with their own clock).
 * Production settings come from the schedule; without them loopback targets are allowed.
 */
export async function deliverDue(db: Db, now: Date = new Date(), options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const opts = { production: options.production ?? false, allowPrivate: options.allowPrivate ?? false, timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS };
  const claimed = await claimDue(db, now, options.batchSize ?? 20, new Date(now.getTime() + LEASE_MS));
  const report: DeliveryReport = { delivered: 0, failed: 0, dead: 0 };
  await Promise.all(
    claimed.map(async (delivery) => {
      const started = performance.now();
      const answer = await post(delivery, now, opts);
      const attempt = delivery.attempts + 1;
      const ok = answer.errorClass === null;
      const state = ok ? "delivered" : attempt >= MAX_ATTEMPTS ? "dead" : "pending";
      await recordAttempt(db, delivery, {
        attempt,
        attemptedAt: now,
        statusCode: answer.statusCode,
        errorClass: answer.errorClass,
        durationMs: Math.round(performance.now() - started),
        state,
        nextAttemptAt: state === "pending" ? new Date(now.getTime() + retryDelayMs(attempt)) : now,
      });
      report[ok ? "delivered" : state === "dead" ? "dead" : "failed"] += 1;
    }),
  );
  return report;
}
