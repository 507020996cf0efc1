import type { SubjectDef } from "../../authz/registry.js";
import { interactions } from "../../db/schema/index.js";

/** A call, email, meeting, note or SMS with a person; it carries the purpose it served. */
export const interactionSubject = {
  name: "Interaction",
  table: interactions,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    kind: { required: true },
    purpose: { required: true },
    subject: {},
    body: {},
    occurredAt: { required: true },
    contact: {},
    deal: {},
    owner: {},
    createdAt: { required: true },
    updatedAt: { required: true },
  },
  conditions: ["id", "workspaceId", "ownerId", "contactId", "kind", "purpose"],
  relations: { contact: { subject: "Contact", foreignKey: interactions.contactId } },
  person: { relation: "contact" },
  recordPurpose: "purpose",
  sortable: { OCCURRED_AT: "occurredAt", CREATED_AT: "createdAt", UPDATED_AT: "updatedAt" },
  category: "communication_history",
  dataSubject: "contacts",
} as const satisfies SubjectDef;
