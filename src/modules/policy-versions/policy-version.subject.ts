import type { SubjectDef } from "../../authz/registry.js";
import { policyVersions } from "../../db/schema/index.js";

/**
 * A published version of a privacy notice: Alpha CRM's own (platform, no workspace) or a
 * customer's (its workspace). Published notices are public (the contract's `policyVersions`
 * answers without sign-in): `public` lets anyone read the rows the repository chooses
 * (platform versions, plus the caller's workspace's), while publishing is a policy action.
 */
export const policyVersionSubject = {
  name: "PolicyVersion",
  table: policyVersions,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    version: { required: true },
    summary: { required: true },
    material: { required: true },
    publishedAt: { required: true },
    scope: { required: true },
  },
  conditions: ["workspaceId"],
  public: true,
} as const satisfies SubjectDef;
