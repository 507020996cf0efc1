/**
 * The seam through which other parts of issue #9 link what they did to the request it answers
 * (`eraseContact(contactId, requestId)` -> kind `erasure`, an export -> `export`...). Kept apart
 * from the request service so answering modules (contacts, erasure, exports) import it without
 * importing the request service's own dependencies.
 */
import { actorId } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { badInput, forbidden, notFound } from "../../errors.js";
import { ensureAllowed, firstDenial } from "../common/access.js";
import { isUuid } from "../common/crud.service.js";
import type { Scope } from "../common/scope.js";
import { lockRequestInWorkspace, insertAnswer, updateRequest } from "./privacy-request.repository.js";
import type { AnswerKind, PrivacyRequestRow, RequestType } from "./privacy-request.type.js";

/** Which request types each kind of action answers. */
export const ANSWER_FITS: Record<AnswerKind, readonly RequestType[]> = {
  export: ["access", "portability"],
  erasure: ["erasure"],
  rectification: ["rectification"],
  restriction: ["restriction"],
  objection: ["objection"],
  consent_withdrawal: ["withdraw_consent", "objection"],
};

/**
 * Types a decision can answer without a linked action: an objection upheld on compelling
 * grounds (Art. 21(1)), a consent that was never given or already withdrawn, a restriction
 * whose ground has been settled (Art. 18(1)(a), (d)). The decision is recorded in the privacy
 * state's own ledger and the completion in the decision log. Access, portability, erasure and
 * rectification always produce something (an export, a report, a corrected record): completing
 * them needs a linked answer; refusing them is `rejectPrivacyRequest`, with a reason.
 */
export const ANSWERED_BY_DECISION: readonly RequestType[] = ["restriction", "objection", "withdraw_consent"];

export interface RequestAnswer {
  kind: AnswerKind;
  /** The answering module's reference (an export id, an erasure report id, a contact id...). */
  ref: string;
  /** The person the action was about: the request must be about them too. */
  about?: { contactId?: string | null; userId?: string | null };
}

const OPEN = new Set(["received", "in_progress"]);

/**
 * A signed-in user acting on their own data (withdrawMyConsent, updateMyProfile) links it to a
 * request about themselves without holding `update` on privacy requests: the action itself was
 * allowed by a self rule, and linking only records that it answers the request (RECEIVED becomes
 * IN_PROGRESS). Verifying, extending, completing or rejecting the request stays with the roles
 * that may update requests (the DPO, the owner). Rule id in the decision log: self.request_answer.
 */
export const SELF_REQUEST_ANSWER = "self.request_answer";
function ownRequest(ctx: Scope, row: PrivacyRequestRow, answer: RequestAnswer): boolean {
  const principal = ctx.principal;
  return principal?.kind === "user" && row.userId !== null && row.userId === principal.userId && answer.about?.userId === principal.userId;
}
const REF_MAX = 200;

/** Why this request cannot take this answer (BAD_USER_INPUT on `field`), or undefined. */
function answerProblem(row: PrivacyRequestRow, answer: RequestAnswer, field: string): Error | undefined {
  if (!OPEN.has(row.status)) return badInput(field, `the request is ${row.status.toUpperCase()}; only an open request can be answered`);
  if (!row.verifiedAt) return badInput(field, "verify the requester's identity before acting on the request (GDPR Art. 12(6))");
  if (!ANSWER_FITS[answer.kind].includes(row.type as RequestType)) {
    return badInput(field, `a ${row.type.toUpperCase()} request is not answered by ${answer.kind}`);
  }
  const about = answer.about;
  if (about && ((about.contactId != null && about.contactId !== row.contactId) || (about.userId != null && about.userId !== row.userId))) {
    return badInput(field, "the request is about another person");
  }
  if (answer.ref.length === 0 || answer.ref.length > REF_MAX) return badInput(field, `answer reference must be 1 to ${REF_MAX} characters`);
  return undefined;
}

async function findForAnswer(db: Db, ctx: Scope, requestId: string, field: string): Promise<PrivacyRequestRow> {
  if (!isUuid(requestId)) throw badInput(field, `"${requestId}" is not an id`);
  const row = await lockRequestInWorkspace(db, requestId.toLowerCase(), ctx.principal!.workspaceId);
  if (!row) throw notFound("PrivacyRequest", requestId, field);
  return row;
}

/**
 * Checks, before the answering action runs, that it may answer this request: the request is in
 * the caller's workspace (NOT_FOUND otherwise), the caller may update requests (answering a
 * person's rights is a legal obligation, so under legal_compliance whatever the request's
 * purpose; a denial is logged), and the request is open, verified, of a fitting type and about
 * the same person. Call it outside the action's transaction; `linkRequestAnswer` repeats it
 * under a row lock inside.
 */
export async function checkRequestAnswer(ctx: Scope, requestId: string, answer: RequestAnswer, field = "requestId"): Promise<void> {
  const row = await findForAnswer(ctx.db, ctx, requestId, field);
  if (!ownRequest(ctx, row, answer)) await ensureAllowed(ctx, "update", "PrivacyRequest", row, [], ctx.rightsAbility);
  const problem = answerProblem(row, answer, field);
  if (problem) throw problem;
}

/**
 * Links an action to the request it answers, in the action's transaction `tx` (the link and
 * the action commit together, or neither). Same checks as `checkRequestAnswer`, under a row
 * lock, without logging (a denial here means the state changed since the check; the
 * transaction rolls back). A RECEIVED request moves to IN_PROGRESS; linking the same answer
 * twice is a no-op. Logged as `answer_privacy_request`.
 */
export async function linkRequestAnswer(tx: Db, ctx: Scope, requestId: string, answer: RequestAnswer, field = "requestId"): Promise<void> {
  const principal = ctx.principal!;
  const row = await findForAnswer(tx, ctx, requestId, field);
  const own = ownRequest(ctx, row, answer);
  const denial = own ? undefined : firstDenial(ctx, "update", "PrivacyRequest", row, [], ctx.rightsAbility);
  if (denial) throw forbidden(denial.verdict);
  const problem = answerProblem(row, answer, field);
  if (problem) throw problem;
  const linked = await insertAnswer(tx, {
    workspaceId: row.workspaceId,
    requestId: row.id,
    kind: answer.kind,
    ref: answer.ref,
    linkedById: actorId(principal),
  });
  if (!linked) return;
  if (row.status === "received") await updateRequest(tx, row, { status: "in_progress", startedAt: new Date() });
  await recordDecision(tx, ctx.policies, principal, {
    action: "answer_privacy_request",
    subject: "PrivacyRequest",
    subjectId: row.id,
    purpose: ctx.purpose?.id,
    decision: "allow",
    ...(own ? { rule: SELF_REQUEST_ANSWER } : {}),
    detail: { kind: answer.kind, ref: answer.ref, type: row.type },
  });
}

/** A correction (Art. 16) of one record about a person. */
export interface Rectification {
  subject: "Contact" | "Deal" | "Interaction";
  /** The record corrected. */
  id: string;
  /** The person the record is about (a deal without a person cannot answer a request). */
  contactId: string | null;
  requestId: string;
}

/**
 * An update given a `requestId` answers that RECTIFICATION request: `check` runs before
 * anything changes (not allowed, not fitting, not about this person: nothing is written), and
 * `record`, in the update's transaction, links the answer and audits the names of the fields
 * changed, never their old or new values (the audit log must not become a second copy of the
 * personal data it corrects).
 */
export function rectification(ctx: Scope, change: Rectification) {
  if (change.contactId === null) throw badInput("requestId", `this ${change.subject.toLowerCase()} is about no person, so it answers no request`);
  const answer: RequestAnswer = { kind: "rectification", ref: change.id.toLowerCase(), about: { contactId: change.contactId.toLowerCase() } };
  return {
    check: () => checkRequestAnswer(ctx, change.requestId, answer),
    async record(tx: Db, current: object, input: object): Promise<void> {
      const before = current as Record<string, unknown>;
      const sent = input as Record<string, unknown>;
      const fields = Object.keys(sent).filter((f) => sent[f] !== undefined && (sent[f] ?? null) !== (before[f] ?? null));
      await recordDecision(tx, ctx.policies, ctx.principal!, {
        action: "rectify",
        subject: change.subject,
        subjectId: change.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { requestId: change.requestId.toLowerCase(), fields },
      });
      await linkRequestAnswer(tx, ctx, change.requestId, answer);
    },
  };
}
