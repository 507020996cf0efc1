import { createRegistry } from "../authz/registry.js";
import { auditEntrySubject } from "./audit/audit.subject.js";
import { companySubject } from "./companies/company.subject.js";
import { consentEventSubject } from "./consent/consent.subject.js";
import { contactSubject } from "./contacts/contact.subject.js";
import { dealSubject } from "./deals/deal.subject.js";
import { interactionSubject } from "./interactions/interaction.subject.js";
import { userSubject } from "./users/user.subject.js";
import { workspaceSubject } from "./workspaces/workspace.subject.js";

/**
 * Every subject the API serves, each declared once by its module. Subjects of the contract
 * that have no table yet (privacy requests, API tokens, usage events, breaches, policy
 * versions) are declared by the issue that builds them.
 */
const SUBJECT_DEFS = [
  contactSubject,
  companySubject,
  dealSubject,
  interactionSubject,
  consentEventSubject,
  auditEntrySubject,
  userSubject,
  workspaceSubject,
] as const;

export type SubjectName = (typeof SUBJECT_DEFS)[number]["name"];
export const registry = createRegistry(SUBJECT_DEFS);
