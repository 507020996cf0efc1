import type { AppContext } from "../../graphql/context.js";
import { ConsentState, type ContactRow } from "../contacts/contact.type.js";
import type { LatestConsent } from "./consent.loaders.js";

/** Current consent per consent-based purpose: the contact row says granted, the ledger says when. */
export function consentView(ctx: AppContext, contact: ContactRow, latest: LatestConsent[]) {
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
