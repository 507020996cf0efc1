import type { SubjectDef } from "../../authz/registry.js";
import { auditLog } from "../../db/schema/index.js";

/** The decision log: who did or was refused what. Only purposes that declare `audit` read it. */
export const auditEntrySubject = {
  name: "AuditEntry",
  table: auditLog,
  tenant: "workspaceId",
  key: "seq",
  fields: {
    id: { required: true },
    actorId: {},
    actor: {},
    actorRole: {},
    action: { required: true },
    subject: { required: true },
    subjectId: {},
    purpose: {},
    decision: { required: true },
    rule: {},
    reason: {},
    detail: {},
    policyDigest: {},
    createdAt: { required: true },
  },
  conditions: ["workspaceId", "actorId"],
  category: "audit",
  dataSubject: "users",
} as const satisfies SubjectDef;
