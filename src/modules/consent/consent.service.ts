import { actorId } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Purpose } from "../../authz/policy-loader.js";
import type { Scope } from "../common/scope.js";
import { badInput, notFound } from "../../errors.js";
import { ensureAllowed, whereCan } from "../common/access.js";
import { userById } from "../users/user.loaders.js";
import { contactForRights, purposeArg, rightsResult } from "../common/rights.js";
import { contactService } from "../contacts/contact.service.js";
import { MAX_PAGE_SIZE, pageSize } from "../common/paging.js";
import type { ContactRow } from "../contacts/contact.type.js";
import { ConsentState } from "./consent.subject.js";
import type { LatestConsent } from "./consent.loaders.js";
import { applyConsent, applyUserConsent, consentHistory, userConsentState } from "./consent.repository.js";
import { GRANT_SOURCES, proofProblem, WITHDRAW_SOURCES, withNoticeInForce, type ConsentProof, type GrantSource } from "./consent.proof.js";
import { policyVersionService } from "../policy-versions/policy-version.service.js";
import type { ConsentEventRow } from "./consent.type.js";
import { enqueuePrivacyEvent } from "../webhooks/outbox.service.js";
import { checkRequestAnswer, linkRequestAnswer, type RequestAnswer } from "../privacy-requests/request-answers.js";

/** The privacy request a withdrawal answers, checked before and linked inside its transaction. */
interface Answering {
  requestId: string;
  answer: RequestAnswer;
}

/** Current consent per consent-based purpose: the contact row says granted, the ledger says when. */
export function consentView(
  ctx: Scope,
  contact: Pick<ContactRow, "consentedPurposes">,
  latest: ReadonlyArray<Pick<LatestConsent, "purpose" | "state" | "createdAt">>,
) {
  const consentPurposes = [...ctx.policies.purposes.values()].filter((p) => p.lawfulBasis === "consent");
  return consentPurposes.map((purpose) => {
    const last = latest.find((e) => e.purpose === purpose.id);
    const state = contact.consentedPurposes.includes(purpose.id)
      ? ConsentState.GRANTED
      : last?.state === "withdrawn"
        ? ConsentState.WITHDRAWN
        : ConsentState.NONE;
    return { purpose: purpose.id, state, updatedAt: last?.createdAt ?? null };
  });
}

function consentPurpose(ctx: Scope, purposeId: string) {
  const purpose = purposeArg(ctx, purposeId);
  if (purpose.lawfulBasis !== "consent") {
    throw badInput("purpose", `${purpose.id} rests on ${purpose.lawfulBasis}, not consent; consent cannot be recorded for it`);
  }
  return purpose;
}

function checkSource<T extends string>(source: string, allowed: readonly T[]): T {
  if (!allowed.includes(source as T)) throw badInput("source", `must be one of ${allowed.join(", ")}`);
  return source as T;
}

const trimmed = (value: string | null | undefined) => value?.trim() || null;

/** Records a change in the ledger and on the contact; false when the consent was already in that state. */
async function record(
  ctx: Scope,
  contact: ContactRow,
  purpose: Purpose,
  state: "granted" | "withdrawn",
  source: string,
  proof: ConsentProof,
  answers?: Answering,
): Promise<boolean> {
  const principal = ctx.principal!;
  return ctx.db.transaction(async (tx) => {
    const changed = await applyConsent(tx, {
      workspaceId: principal.workspaceId,
      contactId: contact.id,
      purpose: purpose.id,
      channel: purpose.channel!,
      state,
      source,
      noticeVersion: trimmed(proof.noticeVersion),
      subjectIp: trimmed(proof.subjectIp),
      subjectUserAgent: trimmed(proof.subjectUserAgent),
      evidence: trimmed(proof.evidence),
      recordedBy: actorId(principal),
    });
    // Art. 19: recipients are told in the same transaction (the event exists iff the change does).
    if (changed && state === "withdrawn") {
      await enqueuePrivacyEvent(tx, {
        workspaceId: principal.workspaceId,
        type: "consent.withdrawn",
        contactId: contact.id,
        purpose: purpose.id,
        occurredAt: new Date(),
      });
    }
    // Logged either way: even a withdrawal that changes nothing showed the caller the person's
    // privacy state, so it is never a silent read.
    await recordDecision(tx, ctx.policies, principal, {
      action: state === "granted" ? "grant_consent" : "withdraw_consent",
      subject: "Contact",
      subjectId: contact.id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { consentPurpose: purpose.id, source, changed, ...(answers ? { requestId: answers.requestId.toLowerCase() } : {}) },
    });
    // A withdrawal that changed nothing still answers the request: the consent is not (or no longer) given.
    if (answers) await linkRequestAnswer(tx, ctx, answers.requestId, answers.answer);
    return changed;
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user's own consent is given in the app (a form), with the request's own proof. */
const MY_CONSENT_SOURCE = "form" satisfies GrantSource;
// The proof the form source needs, named as the caller can act on it.
const MY_PROOF_FIELDS: Record<string, string> = {
  "proof.noticeVersion": "noticeVersion",
  "proof.subjectIp": "client address",
  "proof.subjectUserAgent": "User-Agent header",
};

/** The signed-in user's own row, if the ability lets them act on their own consent. */
async function selfForConsent(ctx: Scope, action: "grant_consent" | "withdraw_consent") {
  const principal = ctx.principal!;
  const user = principal.kind === "user" ? await userById(ctx).load(principal.userId) : null;
  if (!user) throw notFound("User", principal.userId || "system");
  await ensureAllowed(ctx, action, "User", user);
  return user;
}

/** Records a change of the signed-in user's own consent; false when it was already in that state. */
async function recordMine(
  ctx: Scope,
  userId: string,
  purpose: Purpose,
  state: "granted" | "withdrawn",
  proof: ConsentProof,
  answers?: Answering,
): Promise<boolean> {
  const principal = ctx.principal!;
  return ctx.db.transaction(async (tx) => {
    const changed = await applyUserConsent(tx, {
      workspaceId: principal.workspaceId,
      userId,
      purpose: purpose.id,
      channel: purpose.channel!,
      state,
      source: MY_CONSENT_SOURCE,
      noticeVersion: trimmed(proof.noticeVersion),
      subjectIp: trimmed(proof.subjectIp),
      subjectUserAgent: trimmed(proof.subjectUserAgent),
      evidence: null,
      recordedBy: actorId(principal),
    });
    await recordDecision(tx, ctx.policies, principal, {
      action: state === "granted" ? "grant_consent" : "withdraw_consent",
      subject: "User",
      subjectId: userId,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { consentPurpose: purpose.id, source: MY_CONSENT_SOURCE, changed, ...(answers ? { requestId: answers.requestId.toLowerCase() } : {}) },
    });
    if (answers) await linkRequestAnswer(tx, ctx, answers.requestId, answers.answer);
    return changed;
  });
}

export const consentService = {
  /** The signed-in user's own consents (Alpha's marketing to its account holders). */
  async mine(ctx: Scope) {
    const principal = ctx.principal!;
    const state = principal.kind === "user" ? await userConsentState(ctx.db, principal.workspaceId, principal.userId) : undefined;
    if (!state) throw notFound("User", principal.userId || "system");
    return consentView(ctx, state, state.latest);
  },

  /**
   * The signed-in user grants their own consent. The proof is the request's own: the user's
   * address and browser, and the version of the notice the app showed them.
   */
  async grantMine(ctx: Scope, purposeId: string, noticeVersion: string) {
    const purpose = consentPurpose(ctx, purposeId);
    if (noticeVersion.length > 50) throw badInput("noticeVersion", "at most 50 characters");
    const proof: ConsentProof = { noticeVersion, subjectIp: ctx.client.ip, subjectUserAgent: ctx.client.userAgent };
    const problem = proofProblem(MY_CONSENT_SOURCE, proof);
    if (problem) throw badInput(MY_PROOF_FIELDS[problem[0]] ?? problem[0], problem[1]);
    const user = await selfForConsent(ctx, "grant_consent");
    if (!(await recordMine(ctx, user.id, purpose, "granted", proof))) {
      throw badInput("purpose", `consent for ${purpose.id} is already granted; withdraw it first to record a new one`);
    }
    return consentService.mine(ctx);
  },

  /** The signed-in user withdraws their own consent; a consent not granted is left as it is. */
  async withdrawMine(ctx: Scope, purposeId: string, requestId?: string | null) {
    const purpose = consentPurpose(ctx, purposeId);
    if (requestId != null && !UUID.test(requestId)) throw badInput("requestId", "must be a privacy request id");
    const user = await selfForConsent(ctx, "withdraw_consent");
    // The request must be about the signed-in user themself (request-answers: self.request_answer).
    const answer: RequestAnswer = { kind: "consent_withdrawal", ref: `${user.id}:${purpose.id}`, about: { userId: user.id } };
    if (requestId != null) await checkRequestAnswer(ctx, requestId, answer);
    await recordMine(ctx, user.id, purpose, "withdrawn", {}, requestId != null ? { requestId, answer } : undefined);
    return consentService.mine(ctx);
  },

  /**
   * Records a consent with the proof its source needs (consent.proof.ts). Granting a consent
   * that is already granted is refused: the new proof would otherwise be silently dropped.
   */
  async grant(ctx: Scope, contactId: string, purposeId: string, sourceArg: string, proof?: ConsentProof | null) {
    const purpose = consentPurpose(ctx, purposeId);
    const source = checkSource(sourceArg, GRANT_SOURCES);
    // No notice version given: the one in force now (the workspace's newest, else Alpha CRM's).
    const given = withNoticeInForce(source, proof ?? {}, await policyVersionService.current(ctx, ctx.principal!.workspaceId));
    const problem = proofProblem(source, given);
    if (problem) throw badInput(...problem);
    const contact = await contactForRights(ctx, contactId, "grant_consent");
    // A tombstone keeps no personal data: a new consent (and its proof) would bring some back.
    if (contact.erasedAt) throw badInput("contactId", "this person was erased; no consent can be recorded");
    if (!(await record(ctx, contact, purpose, "granted", source, given))) {
      throw badInput("purpose", `consent for ${purpose.id} is already granted; withdraw it first to record a new one`);
    }
    return rightsResult(ctx, contact.id);
  },

  /**
   * Records a withdrawal. Withdrawing a consent that is not granted changes nothing (no ledger
   * row, no error) and answers the contact as it is: a withdrawal stays as easy as possible,
   * so a repeated click or a retry is never an error.
   */
  async withdraw(ctx: Scope, contactId: string, purposeId: string, sourceArg = "api", requestId?: string | null) {
    const purpose = consentPurpose(ctx, purposeId);
    const source = checkSource(sourceArg, WITHDRAW_SOURCES);
    const contact = await contactForRights(ctx, contactId, "withdraw_consent");
    const answer: RequestAnswer = { kind: "consent_withdrawal", ref: `${contact.id}:${purpose.id}`, about: { contactId: contact.id } };
    if (requestId != null) await checkRequestAnswer(ctx, requestId, answer);
    await record(ctx, contact, purpose, "withdrawn", source, {}, requestId != null ? { requestId, answer } : undefined);
    return rightsResult(ctx, contact.id);
  },

  /** The proof of consent of a person the caller may see under the request's purpose. */
  async history(ctx: Scope, contactId: string, first?: number | null): Promise<ConsentEventRow[]> {
    const limit = pageSize(first, MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const contact = await contactService.get(ctx, contactId, "contactId");
    return consentHistory<ConsentEventRow>(ctx.db, ctx.registry, contact.id, whereCan(ctx, "read", "ConsentEvent"), limit);
  },
};
