import { createRegistry } from "../authz/registry.js";
import { apiTokenSubject } from "./api-tokens/api-token.subject.js";
import { auditEntrySubject } from "./audit/audit.subject.js";
import { breachSubject } from "./breaches/breach.subject.js";
import { companySubject } from "./companies/company.subject.js";
import { consentEventSubject } from "./consent/consent.subject.js";
import { contactSubject } from "./contacts/contact.subject.js";
import { dealSubject } from "./deals/deal.subject.js";
import { legalHoldSubject } from "./legal-holds/legal-hold.subject.js";
import { interactionSubject } from "./interactions/interaction.subject.js";
import { policyVersionSubject } from "./policy-versions/policy-version.subject.js";
import { usageEventSubject } from "./usage/usage.subject.js";
import { privacyRequestSubject } from "./privacy-requests/privacy-request.subject.js";
import { userSubject } from "./users/user.subject.js";
import { webhookSubject } from "./webhooks/webhook.subject.js";
import { workspaceSubject } from "./workspaces/workspace.subject.js";

/**
 * Every subject the API serves, each declared once by its module. Subjects of the contract
 * that have no table yet (API tokens) are declared by the issue that builds them.
 * that have no table yet (API tokens, usage events, breaches, policy
 * versions) are declared by the issue that builds them.
 */
const SUBJECT_DEFS = [
  contactSubject,
  companySubject,
  dealSubject,
  interactionSubject,
  consentEventSubject,
  auditEntrySubject,
  breachSubject,
  policyVersionSubject,
  usageEventSubject,
  userSubject,
  workspaceSubject,
  legalHoldSubject,
  privacyRequestSubject,
  webhookSubject,
  apiTokenSubject,
] as const;

export type SubjectName = (typeof SUBJECT_DEFS)[number]["name"];
export const registry = createRegistry(SUBJECT_DEFS);
