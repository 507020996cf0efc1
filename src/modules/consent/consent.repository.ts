import { and, arrayContains, desc, eq, not, sql, type SQL } from "drizzle-orm";
import { appendAuditEntry } from "../../authz/audit-chain.js";
import type { Registry } from "../../authz/registry.js";
import type { Db } from "../../db/client.js";
import { ledgerTime } from "../../db/schema/columns.js";
import { consentEvents, contacts, users } from "../../db/schema/index.js";
import { anyOf, findWhere } from "../common/entity-store.js";

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

/**
 * Updates the contact's consent state and appends to the ledger, in the caller's transaction,
 * only if the state changes: the UPDATE itself checks that the consent is not yet granted (for
 * a grant) or still granted (for a withdrawal), so two concurrent calls cannot both write.
 * Returns whether it changed; nothing is written otherwise.
 */
export async function applyConsent(tx: Db, change: ConsentChange): Promise<boolean> {
  const granted = arrayContains(contacts.consentedPurposes, [change.purpose]);
  const grant = change.state === "granted";
  const changed = await tx
    .update(contacts)
    .set({
      consentedPurposes: (grant
        ? sql`array_append(${contacts.consentedPurposes}, ${change.purpose}::text)`
        : sql`array_remove(${contacts.consentedPurposes}, ${change.purpose}::text)`) as never,
      updatedAt: new Date(),
    })
    .where(and(eq(contacts.id, change.contactId), eq(contacts.workspaceId, change.workspaceId), grant ? not(granted) : granted))
    .returning({ id: contacts.id });
  if (changed.length === 0) return false;
  await tx.insert(consentEvents).values({ ...change, createdAt: ledgerTime() });
  return true;
}

export type UserConsentChange = Omit<ConsentChange, "contactId"> & { userId: string };

/**
 * An account holder's own consent (Alpha's marketing to its users): the same conditional
 * update and ledger entry as `applyConsent`, on the user row and `subject_user_id`.
 */
export async function applyUserConsent(tx: Db, { userId, ...change }: UserConsentChange): Promise<boolean> {
  const granted = arrayContains(users.consentedPurposes, [change.purpose]);
  const grant = change.state === "granted";
  const changed = await tx
    .update(users)
    .set({
      consentedPurposes: (grant
        ? sql`array_append(${users.consentedPurposes}, ${change.purpose}::text)`
        : sql`array_remove(${users.consentedPurposes}, ${change.purpose}::text)`) as never,
      updatedAt: new Date(),
    })
    .where(and(eq(users.id, userId), eq(users.workspaceId, change.workspaceId), grant ? not(granted) : granted))
    .returning({ id: users.id });
  if (changed.length === 0) return false;
  await tx.insert(consentEvents).values({ ...change, subjectUserId: userId, createdAt: ledgerTime() });
  return true;
}

/** An account holder's consented purposes and the latest ledger event per purpose. */
export async function userConsentState(db: Db, workspaceId: string, userId: string) {
  const [user] = await db
    .select({ consentedPurposes: users.consentedPurposes })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.workspaceId, workspaceId)));
  const latest = await db
    .selectDistinctOn([consentEvents.purpose], { purpose: consentEvents.purpose, state: consentEvents.state, createdAt: consentEvents.createdAt })
    .from(consentEvents)
    .where(and(eq(consentEvents.workspaceId, workspaceId), eq(consentEvents.subjectUserId, userId)))
    .orderBy(consentEvents.purpose, desc(consentEvents.createdAt), desc(consentEvents.id));
  return user ? { consentedPurposes: user.consentedPurposes, latest } : undefined;
}

/** One person's ledger, its `limit` newest events first, as the ability lets the caller see it (with the person's state). */
export function consentHistory<Row extends { id: string }>(db: Db, registry: Registry, contactId: string, where: SQL, limit: number): Promise<Row[]> {
  return findWhere<Row>(
    db,
    registry,
    registry.get("ConsentEvent"),
    and(eq(consentEvents.contactId, contactId), where)!,
    [desc(consentEvents.createdAt), desc(consentEvents.id)],
    limit,
  );
}

export interface LatestConsent {
  contactId: string | null;
  purpose: string;
  state: string;
  createdAt: Date;
}

/** The latest ledger event per purpose for a batch of contacts of one workspace, in one statement. */
export function latestConsentEvents(db: Db, workspaceId: string, contactIds: readonly string[]): Promise<LatestConsent[]> {
  return db
    .selectDistinctOn([consentEvents.contactId, consentEvents.purpose], {
      contactId: consentEvents.contactId,
      purpose: consentEvents.purpose,
      state: consentEvents.state,
      createdAt: consentEvents.createdAt,
    })
    .from(consentEvents)
    .where(and(eq(consentEvents.workspaceId, workspaceId), anyOf(consentEvents.contactId, contactIds)))
    .orderBy(consentEvents.contactId, consentEvents.purpose, desc(consentEvents.createdAt), desc(consentEvents.id));
}

/**
 * The one narrow way through the ledgers' append-only triggers: for erasure and retention
 * only, inside the caller's transaction, and written to the audit log in that transaction.
 */
export async function withLedgerMaintenance<T>(
  tx: Db,
  audit: { workspaceId: string | null; actorId: string | null; actorRole?: string | null; reason: string; subjectId?: string },
  fn: () => Promise<T>,
): Promise<T> {
  await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'on', true)`);
  await appendAuditEntry(tx, {
    workspaceId: audit.workspaceId,
    actorId: audit.actorId,
    actorRole: audit.actorRole ?? null,
    action: "ledger_maintenance",
    subject: "ConsentEvent",
    subjectId: audit.subjectId ?? null,
    purpose: null,
    decision: "allow",
    rule: null,
    reason: audit.reason,
    detail: null,
    policyDigest: null,
  });
  const result = await fn();
  await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'off', true)`);
  return result;
}
