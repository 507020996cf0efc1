import type { SubjectDef } from "../../authz/registry.js";
import { consentEvents } from "../../db/schema/index.js";

/** A person's current consent for one purpose, as the API shows it. */
export enum ConsentState {
  GRANTED = "GRANTED",
  WITHDRAWN = "WITHDRAWN",
  NONE = "NONE",
}

/**
 * An entry of the consent ledger. The state itself is what every purpose needs to honour a
 * consent; the proof details (the person's IP, user agent, evidence) are consent_records.
 */
export const consentEventSubject = {
  name: "ConsentEvent",
  table: consentEvents,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    contactId: {},
    purpose: { required: true },
    channel: { required: true },
    state: { required: true },
    source: { required: true },
    noticeVersion: {},
    // The person's address and browser, kept as proof: network data, read only for proof.
    subjectIp: { category: ["consent_records", "network"] },
    subjectUserAgent: { category: ["consent_records", "network"] },
    evidence: { category: "consent_records" },
    recordedBy: {},
    recorder: {},
    createdAt: { required: true },
  },
  conditions: ["workspaceId", "contactId", "purpose"],
  relations: { contact: { subject: "Contact", foreignKey: consentEvents.contactId } },
  person: { relation: "contact" },
  dataSubject: "contacts",
} as const satisfies SubjectDef;
