import type { PolicySet, Purpose } from "../../authz/policy-loader.js";
import type { Db } from "../../db/client.js";
import { badInput, DomainError } from "../../errors.js";
import { ensureAllowed } from "../common/access.js";
import type { CursorCodec } from "../common/cursor.js";
import { contactForRights, purposeArg } from "../common/rights.js";
import { systemScope, type Scope, type ScopeSettings } from "../common/scope.js";
import { consentService } from "../consent/consent.service.js";
import { contactService } from "../contacts/contact.service.js";
import { LIST_UNSUBSCRIBE_POST, type UnsubscribeLinks, type UnsubscribeTarget } from "./unsubscribe.token.js";

/** What a message needs: the link, and the two header values of RFC 2369 and RFC 8058. */
export interface UnsubscribeHeaderValues {
  url: string;
  listUnsubscribe: string;
  listUnsubscribePost: string;
}

/** What the public pages need to act as the system principal (no sign-in: the token is the proof). */
export interface UnsubscribeDeps {
  db: Db;
  policies: PolicySet;
  cursors: CursorCodec;
  settings: ScopeSettings;
  links: UnsubscribeLinks;
}

/** A token the pages can honour: its target, and the consent purpose it names. */
export interface RedeemableLink {
  target: UnsubscribeTarget;
  purpose: Purpose;
}

const SYSTEM_PURPOSE = "legal_compliance";

/** The target of a token this API issued for a consent purpose it still knows; undefined otherwise. */
function opened(deps: UnsubscribeDeps, token: string): RedeemableLink | undefined {
  const target = deps.links.open(token);
  const purpose = target && deps.policies.purposes.get(target.purpose);
  return target && purpose?.lawfulBasis === "consent" ? { target, purpose } : undefined;
}

/** Runs `fn` for the token's person as the system principal; undefined when the token or the person is unknown. */
async function withPerson<T>(deps: UnsubscribeDeps, token: string, fn: (scope: Scope, link: RedeemableLink) => Promise<T>): Promise<T | undefined> {
  const link = opened(deps, token);
  if (!link) return undefined;
  const scope = systemScope(deps, link.target.workspaceId, SYSTEM_PURPOSE);
  try {
    return await fn(scope, link);
  } catch (error) {
    // The person or the workspace is gone (or, were system.yaml ever to lose the rule, the
    // denial is in the decision log): the link finds nobody, and nothing changes.
    if (error instanceof DomainError && ["not_found", "bad_input", "forbidden"].includes(error.code)) return undefined;
    throw error;
  }
}

export const unsubscribeService = {
  /**
   * The one-click link for a message to `contactId` under `purposeId`. Made under the purpose
   * the message is sent for, so only people with that consent get one (the consent gate hides
   * the others: NOT_FOUND), and only roles allowed `issue_unsubscribe_link` make them.
   */
  async headers(ctx: Scope, links: UnsubscribeLinks, contactId: string, purposeId: string): Promise<UnsubscribeHeaderValues> {
    const purpose = purposeArg(ctx, purposeId);
    if (purpose.lawfulBasis !== "consent")
      throw badInput("purpose", `${purpose.id} rests on ${purpose.lawfulBasis}, not consent; there is nothing to unsubscribe from`);
    if (ctx.purpose?.id !== purpose.id) {
      throw badInput("purpose", `a link is made for a message sent under its purpose: send X-Processing-Purpose: ${purpose.id}`);
    }
    const contact = await contactService.get(ctx, contactId, "contactId");
    await ensureAllowed(ctx, "issue_unsubscribe_link", "Contact", contact);
    const url = links.url({ workspaceId: ctx.principal!.workspaceId, contactId: contact.id, purpose: purpose.id });
    return { url, listUnsubscribe: `<${url}>`, listUnsubscribePost: LIST_UNSUBSCRIBE_POST };
  },

  /** What the page shows before the click: the purpose, if the token is good and its person exists. Changes nothing. */
  preview(deps: UnsubscribeDeps, token: string): Promise<RedeemableLink | undefined> {
    return withPerson(deps, token, async (scope, link) => {
      await contactForRights(scope, link.target.contactId, "withdraw_consent");
      return link;
    });
  },

  /**
   * The click: withdraws the consent the token names, with source `unsubscribe_link`, as the
   * system principal. A consent already withdrawn stays so (a repeated POST is no error).
   */
  redeem(deps: UnsubscribeDeps, token: string): Promise<RedeemableLink | undefined> {
    return withPerson(deps, token, async (scope, link) => {
      await consentService.withdraw(scope, link.target.contactId, link.purpose.id, "unsubscribe_link");
      return link;
    });
  },
};
