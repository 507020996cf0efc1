import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { auditLog, consentEvents, contacts } from "../../db/schema/index.js";

export interface ConsentChange {
  workspaceId: string;
  contactId: string;
  purpose: string;
  channel: string;
  state: "granted" | "withdrawn";
  source: string;
  noticeVersion?: string | null;
  subjectIp?: string | null;
  subjectUserAgent?: string | null;
  evidence?: string | null;
  recordedBy: string | null;
}

/** Appends to the ledger and updates the contact's consent state; call inside one transaction. */
export async function applyConsent(tx: Db, change: ConsentChange): Promise<void> {
  await tx.insert(consentEvents).values(change);
  const consented =
    change.state === "granted"
      ? sql`(select array_agg(distinct p order by p) from unnest(array_append(${contacts.consentedPurposes}, ${change.purpose}::text)) as p)`
      : sql`array_remove(${contacts.consentedPurposes}, ${change.purpose}::text)`;
  await tx
    .update(contacts)
    .set({ consentedPurposes: consented as never, updatedAt: new Date() })
    .where(and(eq(contacts.id, change.contactId), eq(contacts.workspaceId, change.workspaceId)));
}

export function consentHistory(db: Db, contactId: string, where: SQL) {
  return db
    .select()
    .from(consentEvents)
    .where(and(eq(consentEvents.contactId, contactId), where))
    .orderBy(desc(consentEvents.createdAt), desc(consentEvents.id));
}

/**
 * The one narrow way through the ledgers' append-only triggers: for erasure and retention
 * only, inside the caller's transaction, and written to the audit log in that transaction.
 */
export async function withLedgerMaintenance<T>(
  tx: Db,
  audit: { workspaceId: string | null; actorId: string | null; reason: string; subjectId?: string },
  fn: () => Promise<T>,
): Promise<T> {
  await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'on', true)`);
  await tx.insert(auditLog).values({
    workspaceId: audit.workspaceId,
    actorId: audit.actorId,
    action: "ledger_maintenance",
    subject: "ConsentEvent",
    subjectId: audit.subjectId ?? null,
    decision: "allow",
    reason: audit.reason,
  });
  const result = await fn();
  await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'off', true)`);
  return result;
}
