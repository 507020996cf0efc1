import { buildPrivacyViewAbility, typed } from "../../authz/ability.js";
import type { Purpose } from "../../authz/policy-loader.js";
import type { Action } from "../../authz/subjects.js";
import type { Scope } from "./scope.js";
import { badInput } from "../../errors.js";
import { contactService } from "../contacts/contact.service.js";
import type { ContactRow } from "../contacts/contact.type.js";
import { ensureAllowed } from "./access.js";

/**
 * Finds the contact for a privacy-rights operation under legal_compliance (whatever the
 * request's purpose, so restricted or non-consenting people can still be answered) and
 * checks the role holds the privacy action on that row.
 */
export async function contactForRights(ctx: Scope, contactId: string, action: Action): Promise<ContactRow> {
  const contact = await contactService.getWith(ctx, contactId, ctx.rightsAbility, "contactId");
  await ensureAllowed(ctx, action, "Contact", contact, [], ctx.rightsAbility);
  return contact;
}

export function purposeArg(ctx: Scope, purposeId: string, field = "purpose"): Purpose {
  const purpose = ctx.policies.purposes.get(purposeId);
  if (!purpose) throw badInput(field, `unknown purpose "${purposeId}"; see processingPurposes`);
  return purpose;
}

/**
 * Re-reads the contact after a rights operation. A person the request's purpose shows is
 * shown as usual; one it hides (restricted, no consent...) only by its privacy state.
 */
export async function rightsResult(ctx: Scope, contactId: string): Promise<ContactRow> {
  const row = await contactService.getWith(ctx, contactId, ctx.rightsAbility);
  const visible = ctx.ability.can("read", typed("Contact", row));
  return ctx.showWith(row, visible ? ctx.ability : buildPrivacyViewAbility(ctx.registry, ctx.principal!));
}
