import type { SubjectDef } from "../../authz/registry.js";
import { privacyRequests } from "../../db/schema/index.js";

/**
 * A data subject's request and its legal clock. Every row is of the category
 * `privacy_requests`, so only purposes that declare it (legal_compliance) read or write one.
 * No person link: a request stays readable after its person is erased or restricted (it is the
 * proof that they were answered), so no person gate applies to it.
 */
export const privacyRequestSubject = {
  name: "PrivacyRequest",
  table: privacyRequests,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    type: { required: true },
    law: { required: true },
    status: { required: true },
    contactId: {},
    userId: {},
    details: {},
    verification: {},
    receivedAt: { required: true },
    dueAt: { required: true },
    extendedUntil: {},
    extensionReason: {},
    effectiveDueAt: { required: true },
    overdue: { required: true },
    startedAt: {},
    completedAt: {},
    rejectedAt: {},
    rejectionReason: {},
    answers: { required: true },
    createdById: {},
    createdAt: { required: true },
    updatedAt: { required: true },
  },
  conditions: ["workspaceId", "contactId", "userId", "type", "status", "law"],
  sortable: { RECEIVED_AT: "receivedAt", DUE_AT: "dueAt" },
  category: "privacy_requests",
} as const satisfies SubjectDef;
