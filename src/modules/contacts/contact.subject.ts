import type { SubjectDef } from "../../authz/registry.js";
import { contacts } from "../../db/schema/index.js";

/** A person in the CRM: the data subject every purpose gate is about. */
export const contactSubject = {
  name: "Contact",
  table: contacts,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    firstName: { category: "identity" },
    lastName: { category: "identity" },
    email: { category: "contact_details" },
    phone: { category: "contact_details" },
    position: { category: "professional" },
    company: {},
    owner: {},
    deals: {},
    dealsConnection: { as: "deals" },
    interactions: {},
    interactionsConnection: { as: "interactions" },
    consents: {},
    processingRestricted: { required: true },
    objections: {},
    erased: { required: true },
    createdAt: { required: true },
    updatedAt: { required: true },
  },
  // The addresses a record held before (standingObjections, erasure, export); never served.
  hiddenColumns: ["formerEmails"],
  conditions: ["id", "workspaceId", "companyId", "ownerId", "consentedPurposes", "objectedPurposes", "processingRestricted", "erasedAt"],
  person: { self: true },
  sortable: { CREATED_AT: "createdAt", LAST_NAME: "lastName", UPDATED_AT: "updatedAt" },
  dataSubject: "contacts",
  privacyActions: ["grant_consent", "withdraw_consent", "restrict", "object", "export", "erase", "issue_unsubscribe_link"],
} as const satisfies SubjectDef;
