import { recordDecision } from "../../authz/decision-log.js";
import type { Scope } from "../common/scope.js";
import { badInput } from "../../errors.js";
import { whereCan } from "../common/access.js";
import { contactForRights, purposeArg, rightsResult } from "../common/rights.js";
import { contactService } from "../contacts/contact.service.js";
import type { ContactRow } from "../contacts/contact.type.js";
import { ConsentState } from "./consent.subject.js";
import type { LatestConsent } from "./consent.loaders.js";
import { applyConsent, consentHistory } from "./consent.repository.js";
import type { ConsentEventRow, ConsentProofInput } from "./consent.type.js";

/** Current consent per consent-based purpose: the contact row says granted, the ledger says when. */
export function consentView(ctx: Scope, contact: ContactRow, latest: LatestConsent[]) {
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

export const GRANT_SOURCES = ["form", "signup_form", "import", "api", "verbal", "email_link"] as const;
export const WITHDRAW_SOURCES = [...GRANT_SOURCES, "unsubscribe_link"] as const;

function consentPurpose(ctx: Scope, purposeId: string) {
  const purpose = purposeArg(ctx, purposeId);
  if (purpose.lawfulBasis !== "consent") {
    throw badInput("purpose", `${purpose.id} rests on ${purpose.lawfulBasis}, not consent; consent cannot be recorded for it`);
  }
  return purpose;
}

function checkSource(source: string, allowed: readonly string[]): void {
  if (!allowed.includes(source)) throw badInput("source", `must be one of ${allowed.join(", ")}`);
}

async function change(ctx: Scope, contactId: string, purposeId: string, state: "granted" | "withdrawn", source: string, proof: ConsentProofInput = {}) {
  const purpose = consentPurpose(ctx, purposeId);
  checkSource(source, state === "granted" ? GRANT_SOURCES : WITHDRAW_SOURCES);
  const contact = await contactForRights(ctx, contactId, "manage_consent");
  const principal = ctx.principal!;
  await ctx.db.transaction(async (tx) => {
    await applyConsent(tx, {
      workspaceId: principal.workspaceId,
      contactId: contact.id,
      purpose: purpose.id,
      channel: purpose.channel!,
      state,
      source,
      noticeVersion: proof.noticeVersion,
      subjectIp: proof.subjectIp,
      subjectUserAgent: proof.subjectUserAgent,
      evidence: proof.evidence,
      recordedBy: principal.userId,
    });
    await recordDecision(tx, principal, {
      action: state === "granted" ? "grant_consent" : "withdraw_consent",
      subject: "Contact",
      subjectId: contact.id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { consentPurpose: purpose.id, source },
    });
  });
  return rightsResult(ctx, contact.id);
}

export const consentService = {
  grant: (ctx: Scope, contactId: string, purpose: string, source: string, proof?: ConsentProofInput | null) =>
    change(ctx, contactId, purpose, "granted", source, proof ?? {}),

  withdraw: (ctx: Scope, contactId: string, purpose: string, source = "api") => change(ctx, contactId, purpose, "withdrawn", source),

  /** The proof of consent of a person the caller may see under the request's purpose. */
  async history(ctx: Scope, contactId: string): Promise<ConsentEventRow[]> {
    const contact = await contactService.get(ctx, contactId, "contactId");
    return consentHistory<ConsentEventRow>(ctx.db, ctx.registry, contact.id, whereCan(ctx, "read", "ConsentEvent"));
  },
};
