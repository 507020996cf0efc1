import { and, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client.js";
import { consentEvents, contactPrivacyEvents, contacts, deals, interactions, legalHolds, privacyRequests } from "../../db/schema/index.js";
import { withLedgerMaintenance } from "../consent/consent.repository.js";

/** The personal columns of a contact as erasure finds them (read under the row lock, never returned to a client). */
export interface ErasureTarget {
  id: string;
  workspaceId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  /** The addresses the record held before (lower-cased); the erasure empties them too. */
  formerEmails: string[];
  phone: string | null;
}

export interface ErasureCounts {
  interactionsDeleted: number;
  dealsUnlinked: number;
  consentProofsCleared: number;
  consentEventsKept: number;
  privacyEventsKept: number;
  dealTitlesReplaced: number;
  privacyReasonsCleared: number;
  requestTextsCleared: number;
  reasonsRedacted: number;
  notesRedacted: number;
  privacyRequestsKept: number;
}

/** What a deal whose title named the person is called after the erasure. */
export const REMOVED_DEAL_TITLE = "Deal (title removed at erasure)";
/** What replaces the person's name, email or phone inside a reason that is kept. */
export const REDACTED = "[erased]";
/** Privacy-event kinds whose reason is the person's own words or how they were reached: cleared. */
const CLEARED_REASON_KINDS = ["restricted", "objected", "subject_informed"];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Finds the person in free text: their email and former addresses (as substrings), first and last name (whole
 * words, at least two letters, case-insensitive), and their phone number's last nine digits
 * with any spacing or punctuation between them. Over-matching only replaces more text.
 */
export function personPattern(target: Pick<ErasureTarget, "firstName" | "lastName" | "email" | "phone"> & { formerEmails?: string[] }): RegExp | undefined {
  const parts: string[] = [];
  for (const email of addresses(target)) parts.push(escapeRegex(email));
  for (const name of [target.firstName, target.lastName]) {
    for (const word of (name ?? "").split(/\s+/)) if (word.length >= 2) parts.push(`(?<![\\p{L}\\p{N}])${escapeRegex(word)}(?![\\p{L}\\p{N}])`);
  }
  const digits = (target.phone ?? "").replace(/\D/g, "").slice(-9);
  if (digits.length >= 6) parts.push(digits.split("").join("[\\s.()\\-]*"));
  return parts.length > 0 ? new RegExp(parts.join("|"), "giu") : undefined;
}

function redact(text: string, pattern: RegExp | undefined): string {
  return pattern ? text.replace(pattern, REDACTED) : text;
}

/** The person's current and former email addresses, trimmed, without empty ones. */
function addresses(target: { email: string | null; formerEmails?: string[] }): string[] {
  return [target.email ?? "", ...(target.formerEmails ?? [])].map((e) => e.trim()).filter((e) => e.length > 0);
}

const likeTerm = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The column contains one of `terms`, case-insensitive (false for none): a preselection the pattern then decides. */
const containsAny = (col: PgColumn, terms: readonly string[]) =>
  terms.length > 0 ? or(...terms.map((term) => sql`${col} ilike ${likeTerm(term)}`))! : sql`false`;

/** Search terms that preselect candidate rows in SQL (the pattern then decides). */
function likeTerms(target: ErasureTarget): string[] {
  const terms = [...addresses(target), ...`${target.firstName} ${target.lastName}`.split(/\s+/)].filter((t) => t.length >= 2);
  const digits = (target.phone ?? "").replace(/\D/g, "");
  if (digits.length >= 6) terms.push(digits.slice(-2));
  return terms;
}

/**
 * The free text that can name the person, in the caller's transaction: deal titles that name
 * them are replaced (the deal stays for accounting); restriction and objection reasons and the
 * notes of how the person was informed are cleared; the requests about them lose the person's
 * own words (details) and the verification note; the reasons the controller must still be able
 * to show (compelling grounds, an extension, a rejection, a legal hold) are kept with the
 * person's name, email and phone replaced by [erased].
 */
async function eraseFreeText(tx: Db, target: ErasureTarget, actor: { id: string | null; role: string }, at: Date) {
  const ws = target.workspaceId;
  const pattern = personPattern(target);
  const terms = likeTerms(target);
  const candidates = await tx
    .select({ id: deals.id, title: deals.title })
    .from(deals)
    .where(and(eq(deals.workspaceId, ws), or(eq(deals.contactId, target.id), containsAny(deals.title, terms))))
    .for("update");
  const renamed = candidates.filter((d) => pattern && new RegExp(pattern.source, pattern.flags).test(d.title) && d.title !== REMOVED_DEAL_TITLE);
  if (renamed.length > 0) {
    await tx
      .update(deals)
      .set({ title: REMOVED_DEAL_TITLE, updatedAt: at })
      .where(
        and(
          eq(deals.workspaceId, ws),
          inArray(
            deals.id,
            renamed.map((d) => d.id),
          ),
        ),
      );
  }

  const events = await tx
    .select({ id: contactPrivacyEvents.id, kind: contactPrivacyEvents.kind, reason: contactPrivacyEvents.reason })
    .from(contactPrivacyEvents)
    .where(and(eq(contactPrivacyEvents.workspaceId, ws), eq(contactPrivacyEvents.contactId, target.id), isNotNull(contactPrivacyEvents.reason)));
  const cleared = events.filter((e) => CLEARED_REASON_KINDS.includes(e.kind));
  const redactedEvents = events
    .filter((e) => !CLEARED_REASON_KINDS.includes(e.kind))
    .map((e) => ({ id: e.id, before: e.reason!, reason: redact(e.reason!, pattern) }))
    .filter((e) => e.reason !== e.before);
  if (cleared.length + redactedEvents.length > 0) {
    await withLedgerMaintenance(
      tx,
      { workspaceId: ws, actorId: actor.id, actorRole: actor.role, reason: "erasure: free-text reasons of the privacy history cleared", subjectId: target.id },
      async () => {
        if (cleared.length > 0) {
          await tx
            .update(contactPrivacyEvents)
            .set({ reason: null })
            .where(
              and(
                eq(contactPrivacyEvents.workspaceId, ws),
                inArray(
                  contactPrivacyEvents.id,
                  cleared.map((e) => e.id),
                ),
              ),
            );
        }
        for (const e of redactedEvents)
          await tx
            .update(contactPrivacyEvents)
            .set({ reason: e.reason })
            .where(and(eq(contactPrivacyEvents.workspaceId, ws), eq(contactPrivacyEvents.id, e.id)));
      },
    );
  }

  const requests = await tx
    .select()
    .from(privacyRequests)
    .where(and(eq(privacyRequests.workspaceId, ws), eq(privacyRequests.contactId, target.id)))
    .for("update");
  let requestTextsCleared = 0;
  let reasonsRedacted = redactedEvents.length;
  for (const r of requests) {
    const extensionReason = r.extensionReason === null ? null : redact(r.extensionReason, pattern);
    const rejectionReason = r.rejectionReason === null ? null : redact(r.rejectionReason, pattern);
    const clears = r.details !== null || r.verificationNote !== null;
    const redacts = extensionReason !== r.extensionReason || rejectionReason !== r.rejectionReason;
    if (!clears && !redacts) continue;
    if (clears) requestTextsCleared++;
    if (extensionReason !== r.extensionReason) reasonsRedacted++;
    if (rejectionReason !== r.rejectionReason) reasonsRedacted++;
    await tx
      .update(privacyRequests)
      .set({ details: null, verificationNote: null, extensionReason, rejectionReason, updatedAt: at })
      .where(and(eq(privacyRequests.workspaceId, ws), eq(privacyRequests.id, r.id)));
  }

  const holds = await tx
    .select({ id: legalHolds.id, reason: legalHolds.reason, releaseReason: legalHolds.releaseReason })
    .from(legalHolds)
    .where(and(eq(legalHolds.workspaceId, ws), eq(legalHolds.contactId, target.id)));
  for (const h of holds) {
    const reason = redact(h.reason, pattern);
    const releaseReason = h.releaseReason === null ? null : redact(h.releaseReason, pattern);
    if (reason === h.reason && releaseReason === h.releaseReason) continue;
    reasonsRedacted += Number(reason !== h.reason) + Number(releaseReason !== h.releaseReason);
    await tx
      .update(legalHolds)
      .set({ reason, releaseReason })
      .where(and(eq(legalHolds.workspaceId, ws), eq(legalHolds.id, h.id)));
  }

  // Other people's notes that give one of the person's addresses (a referral, a forwarded
  // mail): the address goes. Only addresses: a name in someone else's note may be another person's.
  const own = addresses(target);
  let notesRedacted = 0;
  if (own.length > 0) {
    const address = new RegExp(own.map(escapeRegex).join("|"), "giu");
    const notes = await tx
      .select({ id: interactions.id, subject: interactions.subject, body: interactions.body })
      .from(interactions)
      .where(
        and(
          eq(interactions.workspaceId, ws),
          sql`${interactions.contactId} is distinct from ${target.id}`,
          or(containsAny(interactions.subject, own), containsAny(interactions.body, own)),
        ),
      )
      .for("update");
    for (const n of notes) {
      const subject = n.subject === null ? null : redact(n.subject, address);
      const body = n.body === null ? null : redact(n.body, address);
      if (subject === n.subject && body === n.body) continue;
      notesRedacted++;
      await tx
        .update(interactions)
        .set({ subject, body, updatedAt: at })
        .where(and(eq(interactions.workspaceId, ws), eq(interactions.id, n.id)));
    }
  }

  return {
    dealTitlesReplaced: renamed.length,
    privacyReasonsCleared: cleared.length,
    requestTextsCleared,
    reasonsRedacted,
    notesRedacted,
    privacyRequestsKept: requests.length,
  };
}

/** Locks a contact that is not erased yet; undefined when it is gone or already a tombstone. */
export async function lockForErasure(tx: Db, workspaceId: string, contactId: string): Promise<ErasureTarget | undefined> {
  const [row] = await tx
    .select({
      id: contacts.id,
      workspaceId: contacts.workspaceId,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      email: contacts.email,
      formerEmails: contacts.formerEmails,
      phone: contacts.phone,
    })
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
 * API's non-null contract holds; every other personal column null, the former addresses
 * emptied; the company link dropped).
 */
export async function eraseLocked(tx: Db, target: ErasureTarget, actor: { id: string | null; role: string }, erasedAt: Date): Promise<ErasureCounts> {
  const ws = target.workspaceId;
  // Before the deals are unlinked: the titles of the person's own deals are checked too.
  const freeText = await eraseFreeText(tx, target, actor, erasedAt);
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
    .set({
      firstName: "",
      lastName: "",
      email: null,
      formerEmails: sql`'{}'::text[]`,
      phone: null,
      position: null,
      companyId: null,
      erasedAt,
      updatedAt: erasedAt,
    })
    .where(and(eq(contacts.id, target.id), eq(contacts.workspaceId, ws)));
  return {
    interactionsDeleted: deleted.length,
    dealsUnlinked: unlinked.length,
    consentProofsCleared: cleared.length,
    consentEventsKept: Number(kept),
    privacyEventsKept: Number(history),
    ...freeText,
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
