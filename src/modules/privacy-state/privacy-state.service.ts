import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import type { Scope } from "../common/scope.js";
import { badInput } from "../../errors.js";
import { contactForRights, purposeArg, rightsResult } from "../common/rights.js";
import type { ContactRow } from "../contacts/contact.type.js";
import { appendEvents, updateState, type PrivacyEvent } from "./privacy-state.repository.js";
import { enqueuePrivacyEvent, type PrivacyEventInput } from "../webhooks/outbox.service.js";
import { checkRequestAnswer, linkRequestAnswer, type RequestAnswer } from "../privacy-requests/request-answers.js";

/** The privacy event recipients are told about (Art. 19), if the change is one. */
type Notice = Pick<PrivacyEventInput, "type" | "purpose">;

function text(field: string, value: string, min: number, max = 2000): string {
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) throw badInput(field, `must be ${min} to ${max} characters`);
  return trimmed;
}

/** The privacy request an action answers, checked before anything changes and linked in its transaction. */
interface Answering {
  requestId: string;
  answer: RequestAnswer;
}

async function answering(ctx: Scope, requestId: string | null | undefined, answer: RequestAnswer): Promise<Answering | undefined> {
  if (requestId == null) return undefined;
  await checkRequestAnswer(ctx, requestId, answer);
  return { requestId, answer };
}

/** Writes the history, the contact's state, the link to the request answered and the decision log in one transaction. */
async function record(
  ctx: Scope,
  contact: ContactRow,
  action: string,
  events: Array<Omit<PrivacyEvent, "workspaceId" | "contactId" | "recordedBy">>,
  change: Parameters<typeof updateState>[3],
  detail: Record<string, unknown>,
  notice?: Notice,
  answers?: Answering,
): Promise<ContactRow> {
  const principal = ctx.principal!;
  await ctx.db.transaction(async (tx: Db) => {
    // The state is re-checked in the UPDATE itself; a concurrent change rolls this one back.
    if (!(await updateState(tx, principal.workspaceId, contact.id, change))) {
      throw badInput("contactId", "the contact's privacy state changed meanwhile; read it again");
    }
    await appendEvents(
      tx,
      events.map((e) => ({ ...e, workspaceId: principal.workspaceId, contactId: contact.id, recordedBy: principal.userId })),
    );
    if (notice) await enqueuePrivacyEvent(tx, { ...notice, workspaceId: principal.workspaceId, contactId: contact.id, occurredAt: new Date() });
    await recordDecision(tx, ctx.policies, principal, {
      action,
      subject: "Contact",
      subjectId: contact.id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: answers ? { ...detail, requestId: answers.requestId.toLowerCase() } : detail,
    });
    if (answers) await linkRequestAnswer(tx, ctx, answers.requestId, answers.answer);
  });
  return rightsResult(ctx, contact.id);
}

export const privacyStateService = {
  /** Art. 18: from now on only storage and legal_compliance may touch the person's data. */
  async restrict(ctx: Scope, contactId: string, reason: string, requestId?: string | null) {
    const why = text("reason", reason, 5);
    const contact = await contactForRights(ctx, contactId, "restrict");
    if (contact.processingRestricted) throw badInput("contactId", "processing of this contact is already restricted");
    const answers = await answering(ctx, requestId, { kind: "restriction", ref: contact.id, about: { contactId: contact.id } });
    return record(
      ctx,
      contact,
      "restrict_processing",
      [{ kind: "restricted", reason: why }],
      { processingRestricted: true },
      // Free text stays out of the decision log, which nothing may edit: the reason is in the
      // privacy history, which an erasure can clear.
      {},
      {
        type: "contact.restricted",
      },
      answers,
    );
  },

  /**
   * Art. 18(3): the person is informed before the restriction is lifted; both are recorded, in
   * that order. How they were informed is required: the record must not claim a notice nobody gave.
   * (The argument stays nullable in the schema so existing clients still parse; null is refused here.)
   */
  async lift(ctx: Scope, contactId: string, informedVia: string | null | undefined) {
    if (informedVia === null || informedVia === undefined)
      throw badInput("informedVia", "say how the person was informed before the lift (Art. 18(3)), 3 to 500 characters");
    const notice = text("informedVia", informedVia, 3, 500);
    const contact = await contactForRights(ctx, contactId, "restrict");
    if (!contact.processingRestricted) throw badInput("contactId", "processing of this contact is not restricted");
    return record(
      ctx,
      contact,
      "lift_restriction",
      [{ kind: "subject_informed", reason: notice }, { kind: "restriction_lifted" }],
      { processingRestricted: false },
      { informed: true },
      { type: "contact.restriction_lifted" },
    );
  },

  /** Art. 21: only for objectable (legitimate-interest) purposes; effective at once. */
  async object(ctx: Scope, contactId: string, purposeId: string, reason: string | null | undefined, requestId?: string | null) {
    const purpose = purposeArg(ctx, purposeId);
    if (!purpose.objectable) {
      const hint = purpose.lawfulBasis === "consent" ? "; withdraw the consent instead" : "";
      throw badInput("purpose", `${purpose.id} rests on ${purpose.lawfulBasis} and cannot be objected to${hint}`);
    }
    const contact = await contactForRights(ctx, contactId, "object");
    if (contact.objectedPurposes.includes(purpose.id)) throw badInput("purpose", `the contact already objected to ${purpose.id}`);
    const why = reason ? text("reason", reason, 1) : null;
    const answers = await answering(ctx, requestId, { kind: "objection", ref: `${contact.id}:${purpose.id}`, about: { contactId: contact.id } });
    return record(
      ctx,
      contact,
      "object_to_processing",
      [{ kind: "objected", purpose: purpose.id, reason: why }],
      { addObjection: purpose.id },
      { objectedPurpose: purpose.id },
      { type: "contact.objected", purpose: purpose.id },
      answers,
    );
  },

  /**
   * Art. 21(1): the controller may go on if it demonstrates compelling legitimate grounds,
   * recorded with a justification. Never for direct marketing (Art. 21(3)): that objection is absolute.
   */
  async compellingGrounds(ctx: Scope, contactId: string, purposeId: string, justification: string, requestId?: string | null) {
    const purpose = purposeArg(ctx, purposeId);
    if (purpose.directMarketing) throw badInput("purpose", `${purpose.id} is direct marketing: an objection to it is absolute (Art. 21(3))`);
    if (!purpose.objectable) throw badInput("purpose", `${purpose.id} cannot be objected to, so there is nothing to override`);
    const why = text("justification", justification, 20);
    const contact = await contactForRights(ctx, contactId, "object");
    if (!contact.objectedPurposes.includes(purpose.id)) throw badInput("purpose", `the contact has not objected to ${purpose.id}`);
    // The decision on an OBJECTION request: the objection is overridden, which answers it (kind objection).
    const answers = await answering(ctx, requestId, {
      kind: "objection",
      ref: `${contact.id}:${purpose.id}:compelling_grounds`,
      about: { contactId: contact.id },
    });
    return record(
      ctx,
      contact,
      "compelling_grounds",
      [{ kind: "compelling_grounds", purpose: purpose.id, reason: why }],
      { removeObjection: purpose.id },
      { purpose: purpose.id },
      undefined,
      answers,
    );
  },
};
