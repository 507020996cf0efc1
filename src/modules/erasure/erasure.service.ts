import { actorId, typed } from "../../authz/ability.js";
import { enqueuePrivacyEvent } from "../webhooks/outbox.service.js";
import { checkRequestAnswer, linkRequestAnswer } from "../privacy-requests/request-answers.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { badInput, forbidden, notFound } from "../../errors.js";
import { contactForRights } from "../common/rights.js";
import type { Scope } from "../common/scope.js";
import { contactService } from "../contacts/contact.service.js";
import { activeHoldsCovering } from "../legal-holds/legal-hold.repository.js";
import type { ErasureJournal } from "./erasure.journal.js";
import { contactState, type ErasureCounts, eraseLocked, liveContacts, lockForErasure } from "./erasure.repository.js";

/** What was kept, and the legal reason (the report's `retained`). */
export interface Retained {
  table: string;
  reason: string;
  count: number;
}

export interface ErasureReportRow extends ErasureCounts {
  contactId: string;
  erasedAt: Date;
  erasedFields: string[];
  retained: Retained[];
}

/** The contact's personal fields an erasure empties (the row stays as a tombstone); formerEmails: the addresses it held before. */
export const ERASED_FIELDS = ["firstName", "lastName", "email", "formerEmails", "phone", "position", "company"];

const HELD = {
  rule: "legal_hold",
  reason: "This person is under a legal hold: their data cannot be erased until the hold is released. Tell the person why (Art. 17(3)(e)).",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function retainedRows(counts: ErasureCounts): Retained[] {
  const kept: Retained[] = [
    {
      table: "contacts",
      reason: "A tombstone (id, erasure time, privacy state) stays so the erasure itself can be proven and honoured; it holds no personal data.",
      count: 1,
    },
  ];
  if (counts.dealsUnlinked > 0)
    kept.push({
      table: "deals",
      reason:
        'Deals (amounts, dates, stages) are kept for accounting and tax obligations (Art. 17(3)(b)); they no longer name the person: unlinked, and a title that named them is now "Deal (title removed at erasure)".',
      count: counts.dealsUnlinked,
    });
  if (counts.consentEventsKept > 0)
    kept.push({
      table: "consent_events",
      reason:
        "Consent states stay as proof that consent was given or withdrawn (Art. 7(1), Art. 17(3)(e)); the proof details (IP, user agent, evidence) were removed.",
      count: counts.consentEventsKept,
    });
  if (counts.privacyEventsKept > 0)
    kept.push({
      table: "contact_privacy_events",
      reason:
        "Restriction and objection history (kinds, purposes, times) stays as proof that the person's rights were honoured (Art. 5(2), Art. 17(3)(e)); the reasons the person gave and how they were informed were cleared, and a compelling-grounds justification stays with the person's name, email and phone replaced by [erased] (the controller must be able to show its grounds, Art. 21(1)).",
      count: counts.privacyEventsKept,
    });
  if (counts.privacyRequestsKept > 0)
    kept.push({
      table: "privacy_requests",
      reason:
        "The person's requests (type, dates, status, how identity was checked) stay as proof that they were answered in time (Art. 5(2), Art. 12); the person's own words and the verification notes were cleared; extension and rejection reasons stay with the person's name, email and phone replaced by [erased], since the person and the authority may ask why (Art. 12(3)-(4), Art. 77).",
      count: counts.privacyRequestsKept,
    });
  kept.push({
    table: "audit_log",
    reason: "The decision log records that this erasure happened (Art. 5(2)); it holds ids and counts, no personal data.",
    count: 1,
  });
  return kept;
}

const erasureAnswer = (contactId: string) => ({ kind: "erasure" as const, ref: contactId, about: { contactId } });

function journalOf(ctx: Scope): ErasureJournal {
  // Fail closed: an erasure that a restore could undo is not done at all.
  if (!ctx.erasureJournal) throw new Error("the erasure journal is not configured");
  return ctx.erasureJournal;
}

/**
 * Erases one contact of the scope's workspace in one transaction; the journal line is written
 * (and fsynced) last, just before the commit. A legal hold refuses the erasure.
 */
async function eraseInTransaction(ctx: Scope, contactId: string, detail: { requestId?: string } & Record<string, unknown>): Promise<ErasureReportRow> {
  const principal = ctx.principal!;
  const journal = journalOf(ctx);
  const outcome = await ctx.db.transaction(async (tx: Db) => {
    const target = await lockForErasure(tx, principal.workspaceId, contactId);
    if (!target) return { kind: "gone" as const };
    if ((await activeHoldsCovering(tx, principal.workspaceId, contactId)).length > 0) return { kind: "held" as const };
    const erasedAt = new Date();
    const counts = await eraseLocked(tx, target, { id: actorId(principal), role: principal.role }, erasedAt);
    await recordDecision(tx, ctx.policies, principal, {
      action: "erase",
      subject: "Contact",
      subjectId: contactId,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { ...detail, ...counts },
    });
    if (typeof detail.requestId === "string") await linkRequestAnswer(tx, ctx, detail.requestId, erasureAnswer(contactId));
    // Art. 19: recipients (an email provider...) are told in the same transaction; they find the
    // person by id or by a hash of the address keyed with their own webhook secret, never the address.
    await enqueuePrivacyEvent(tx, {
      workspaceId: principal.workspaceId,
      type: "contact.erased",
      contactId,
      occurredAt: erasedAt,
      erasedEmail: target.email,
      erasedFormerEmails: target.formerEmails,
    });
    journal.append(journal.entryFor(principal.workspaceId, contactId, target.email, target.phone, erasedAt));
    return { kind: "erased" as const, report: { contactId, erasedAt, erasedFields: ERASED_FIELDS, retained: retainedRows(counts), ...counts } };
  });
  if (outcome.kind === "held") {
    await recordDecision(ctx.db, ctx.policies, principal, {
      action: "erase",
      subject: "Contact",
      subjectId: contactId,
      purpose: ctx.purpose?.id,
      decision: "deny",
      rule: HELD.rule,
      reason: HELD.reason,
    });
    throw forbidden(HELD);
  }
  if (outcome.kind === "gone") throw badInput("contactId", "this person was erased meanwhile");
  return outcome.report;
}

export const erasureService = {
  /** Art. 17: erases a contact found under legal_compliance; the role needs the `erase` privacy action. */
  async erase(ctx: Scope, contactId: string, requestId?: string | null): Promise<ErasureReportRow> {
    if (requestId !== undefined && requestId !== null && !UUID.test(requestId)) throw badInput("requestId", "must be a privacy request id");
    const contact = await contactForRights(ctx, contactId, "erase");
    if (contact.erasedAt) throw badInput("contactId", "this person is already erased");
    // The request must fit (an ERASURE request about this person, identity verified) before anything is erased.
    if (requestId) await checkRequestAnswer(ctx, requestId, erasureAnswer(contact.id));
    return eraseInTransaction(ctx, contact.id, requestId ? { requestId } : {});
  },

  /**
   * deleteContact is an erasure, so that no person disappears without a report: the caller
   * needs `delete` on the row and its dependents under the request's purpose (as any delete),
   * and `erase` as well (a role that may delete but not erase is refused).
   */
  async deleteContact(ctx: Scope, contactId: string): Promise<boolean> {
    const row = await contactService.checkRemovable(ctx, contactId);
    const contact = await contactForRights(ctx, row.id, "erase");
    if (contact.erasedAt) throw notFound("Contact", contactId);
    await eraseInTransaction(ctx, contact.id, { via: "deleteContact" });
    return true;
  },

  /**
   * Re-applies the journal after a database restore (`npm run erasure:replay`): per entry, the
   * contact with its id, and any other live contact of its workspace whose email or phone has
   * the entry's keyed hash (the person imported again), is erased again. Idempotent.
   * `scopeFor` gives the system principal of a workspace.
   */
  async replay(journal: ErasureJournal, scopeFor: (workspaceId: string) => Scope): Promise<ReplayReport> {
    const { entries, unreadable } = journal.read();
    const report: ReplayReport = { entries: entries.length, unreadable, erased: [], alreadyErased: 0, notFound: 0, held: [], refused: [] };
    const byWorkspace = new Map<string, typeof entries>();
    for (const e of entries) byWorkspace.set(e.workspaceId, [...(byWorkspace.get(e.workspaceId) ?? []), e]);
    for (const [workspaceId, list] of byWorkspace) {
      const ctx = scopeFor(workspaceId);
      const live = await liveContacts(ctx.db, workspaceId);
      const hashed = live.map((c) => ({ id: c.id, email: journal.hash("email", c.email), phone: journal.hash("phone", c.phone) }));
      for (const entry of list) {
        const targets = new Set<string>();
        const own = await contactState(ctx.db, workspaceId, entry.contactId);
        if (own && own.erasedAt === null) targets.add(entry.contactId);
        for (const c of hashed) {
          if ((entry.emailHash && c.email === entry.emailHash) || (entry.phoneHash && c.phone === entry.phoneHash)) targets.add(c.id);
        }
        if (targets.size === 0) {
          if (own) report.alreadyErased++;
          else report.notFound++;
          continue;
        }
        for (const id of targets) {
          const how = id === entry.contactId ? "id" : "hash";
          if (!ctx.rightsAbility.can("erase", typed("Contact", { id, workspaceId }))) {
            report.refused.push({ workspaceId, contactId: id, reason: "the system role may not erase here" });
            continue;
          }
          try {
            await eraseInTransaction(ctx, id, { via: "erasure:replay", matchedBy: how, journalErasedAt: entry.erasedAt });
            report.erased.push({ workspaceId, contactId: id, matchedBy: how });
          } catch (error) {
            if ((error as { code?: string }).code === "forbidden") report.held.push({ workspaceId, contactId: id });
            else if ((error as { code?: string }).code === "bad_input") report.alreadyErased++;
            else throw error;
          }
        }
      }
    }
    return report;
  },
};

export interface ReplayReport {
  entries: number;
  unreadable: number;
  erased: Array<{ workspaceId: string; contactId: string; matchedBy: "id" | "hash" }>;
  alreadyErased: number;
  notFound: number;
  held: Array<{ workspaceId: string; contactId: string }>;
  refused: Array<{ workspaceId: string; contactId: string; reason: string }>;
}
