import { badInput, forbidden, type DomainError } from "../errors.js";
import type { Principal } from "./ability.js";
import type { PolicySet, Purpose } from "./policy-loader.js";

export const PURPOSE_NOT_PERMITTED = "purpose.not_permitted";

/** Why a role may not act under a purpose, as the API and the CLI both say it. */
export function purposeNotPermitted(role: string, purpose: string, allowed: readonly string[] | undefined): { rule: string; reason: string } {
  return { rule: PURPOSE_NOT_PERMITTED, reason: `Role ${role} may not act under purpose ${purpose}; its purposes are ${allowed?.join(", ") || "none"}.` };
}

/**
 * The purpose a request acts under: the one it asks for, or the role's default. An unknown
 * purpose is bad input; one the role may not use is a denial. Fail closed: no purpose, no access.
 */
export function resolvePurpose(policies: PolicySet, principal: Principal, asked: string | undefined, field = "X-Processing-Purpose"): Purpose | DomainError {
  const role = policies.roles.get(principal.role);
  const purposeId = asked !== undefined && asked !== "" ? asked.trim() : role?.defaultPurpose;
  const purpose = purposeId ? policies.purposes.get(purposeId) : undefined;
  if (!purpose) return badInput(field, `unknown purpose "${purposeId}"; see processingPurposes`);
  if (!role?.purposes.includes(purpose.id)) return forbidden(purposeNotPermitted(principal.role, purpose.id, role?.purposes));
  return purpose;
}
