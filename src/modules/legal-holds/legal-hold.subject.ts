import type { SubjectDef } from "../../authz/registry.js";
import { legalHolds } from "../../db/schema/index.js";

/**
 * A legal hold on a contact or a whole workspace: retention and erasure skip what it holds.
 * Read and placed under purposes that declare `legal_holds` (legal_compliance).
 */
export const legalHoldSubject = {
  name: "LegalHold",
  table: legalHolds,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    scope: { required: true },
    contactId: {},
    reason: { required: true },
    placedById: {},
    placedAt: { required: true },
    active: { required: true },
    releasedAt: {},
    releasedById: {},
    releaseReason: {},
  },
  conditions: ["workspaceId", "contactId"],
  sortable: { PLACED_AT: "placedAt" },
  category: "legal_holds",
} as const satisfies SubjectDef;
