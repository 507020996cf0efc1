import { and, eq, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { consentEvents, contactPrivacyEvents, contacts, deals, interactions } from "../../db/schema/index.js";
import { withLedgerMaintenance } from "../consent/consent.repository.js";

/** The personal columns of a contact as erasure finds them (read under the row lock, never returned to a client). */
export interface ErasureTarget {
  id: string;
  workspaceId: string;
  email: string | null;
  phone: string | null;
}

export interface ErasureCounts {
  interactionsDeleted: number;
  dealsUnlinked: number;
  consentProofsCleared: number;
  consentEventsKept: number;
  privacyEventsKept: number;
}

/** Locks a contact that is not erased yet; undefined when it is gone or already a tombstone. */
export async function lockForErasure(tx: Db, workspaceId: string, contactId: string): Promise<ErasureTarget | undefined> {
  const [row] = await tx
    .select({ id: contacts.id, workspaceId: contacts.workspaceId, email: contacts.email, phone: contacts.phone })
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.workspaceId, workspaceId), isNull(contacts.erasedAt)))
    .for("update");
  return row;
}

/**
 * Erases one locked contact, all in the caller's transaction: interactions deleted, deals
 * unlinked (kept for accounting), consent proof details (IP, user agent, evidence) cleared
 * through the ledger's one audited maintenance path while the consent states stay as proof,
 * restriction/objection history kept, and the row turned into a tombstone (names empty, so the
 * API's non-null contract holds; every other personal column null; the company link dropped).
 */
export async function eraseLocked(tx: Db, target: ErasureTarget, actor: { id: string | null; role: string }, erasedAt: Date): Promise<ErasureCounts> {
  const ws = target.workspaceId;
  const deleted = await tx
    .delete(interactions)
    .where(and(eq(interactions.workspaceId, ws), eq(interactions.contactId, target.id)))
    .returning({ id: interactions.id });
  const unlinked = await tx
    .update(deals)
    .set({ contactId: null, updatedAt: erasedAt })
    .where(and(eq(deals.workspaceId, ws), eq(deals.contactId, target.id)))
    .returning({ id: deals.id });
  const ofPerson = and(eq(consentEvents.workspaceId, ws), eq(consentEvents.contactId, target.id));
  const withProof = or(isNotNull(consentEvents.subjectIp), isNotNull(consentEvents.subjectUserAgent), isNotNull(consentEvents.evidence));
  const cleared = await withLedgerMaintenance(
    tx,
    { workspaceId: ws, actorId: actor.id, actorRole: actor.role, reason: "erasure: consent proof details removed", subjectId: target.id },
    () =>
      tx
        .update(consentEvents)
        .set({ subjectIp: null, subjectUserAgent: null, evidence: null })
        .where(and(ofPerson, withProof))
        .returning({ id: consentEvents.id }),
  );
  const [{ kept }] = await tx.select({ kept: sql<number>`count(*)::int` }).from(consentEvents).where(ofPerson);
  const [{ history }] = await tx
    .select({ history: sql<number>`count(*)::int` })
    .from(contactPrivacyEvents)
    .where(and(eq(contactPrivacyEvents.workspaceId, ws), eq(contactPrivacyEvents.contactId, target.id)));
  await tx
    .update(contacts)
    .set({ firstName: "", lastName: "", email: null, phone: null, position: null, companyId: null, erasedAt, updatedAt: erasedAt })
    .where(and(eq(contacts.id, target.id), eq(contacts.workspaceId, ws)));
  return {
    interactionsDeleted: deleted.length,
    dealsUnlinked: unlinked.length,
    consentProofsCleared: cleared.length,
    consentEventsKept: Number(kept),
    privacyEventsKept: Number(history),
  };
}

/** A workspace's contacts that are not erased, with the columns the journal's hashes are matched against. */
export function liveContacts(db: Db, workspaceId: string) {
  return db
    .select({ id: contacts.id, email: contacts.email, phone: contacts.phone })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), isNull(contacts.erasedAt), or(isNotNull(contacts.email), isNotNull(contacts.phone))));
}

export async function contactState(db: Db, workspaceId: string, contactId: string): Promise<{ erasedAt: Date | null } | undefined> {
  const [row] = await db
    .select({ erasedAt: contacts.erasedAt })
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.workspaceId, workspaceId)));
  return row;
}
