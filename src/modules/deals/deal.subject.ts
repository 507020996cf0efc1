import type { SubjectDef } from "../../authz/registry.js";
import { deals } from "../../db/schema/index.js";

/** Where a deal stands in the pipeline (stored lower-case). */
export enum DealStage {
  LEAD = "lead",
  QUALIFIED = "qualified",
  PROPOSAL = "proposal",
  NEGOTIATION = "negotiation",
  WON = "won",
  LOST = "lost",
}

/** A sales opportunity, with a person's privacy state reached through `contact`. */
export const dealSubject = {
  name: "Deal",
  table: deals,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    title: { required: true },
    stage: { required: true },
    amount: {},
    currency: { required: true },
    closedAt: {},
    contact: {},
    company: {},
    owner: {},
    createdAt: { required: true },
    updatedAt: { required: true },
  },
  conditions: ["id", "workspaceId", "ownerId", "contactId", "companyId", "stage"],
  relations: { contact: { subject: "Contact", foreignKey: deals.contactId } },
  person: { relation: "contact" },
  sortable: { CREATED_AT: "createdAt", TITLE: "title", UPDATED_AT: "updatedAt" },
  category: "business_records",
  dataSubject: "contacts",
} as const satisfies SubjectDef;
