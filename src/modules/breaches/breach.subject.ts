import type { SubjectDef } from "../../authz/registry.js";
import { breaches } from "../../db/schema/index.js";

/**
 * The breach register (GDPR Art. 33(5)): what happened, its effects, what was done, and when
 * the authority, the affected users and the controllers were told. The whole record is the
 * category `breach_records`: only purposes that declare it (legal_compliance, security) read
 * or write it. Who was affected is kept in link tables, counted in `affectedCount`.
 */
export const breachSubject = {
  name: "Breach",
  table: breaches,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    detectedAt: { required: true },
    authorityDeadline: { required: true },
    usersDeadline: { required: true },
    authorityNotifiedAt: {},
    usersNotifiedAt: {},
    controllersNotifiedAt: {},
    affectedCount: { required: true },
    status: { required: true },
    overdue: { required: true },
    description: { required: true },
    effects: { required: true },
    remedialAction: { required: true },
    severity: { required: true },
    authority: { required: true },
    reportedAt: { required: true },
  },
  conditions: ["workspaceId"],
  category: "breach_records",
} as const satisfies SubjectDef;
