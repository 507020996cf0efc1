import type { SubjectDef } from "../../authz/registry.js";
import { companies } from "../../db/schema/index.js";

/** An organisation: business data, not a person's (no data category, no person gates). */
export const companySubject = {
  name: "Company",
  table: companies,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    name: { required: true },
    domain: {},
    industry: {},
    owner: {},
    contacts: {},
    contactsConnection: { as: "contacts" },
    deals: {},
    dealsConnection: { as: "deals" },
    createdAt: { required: true },
    updatedAt: { required: true },
  },
  conditions: ["id", "workspaceId", "ownerId"],
  sortable: { CREATED_AT: "createdAt", NAME: "name", UPDATED_AT: "updatedAt" },
} as const satisfies SubjectDef;
