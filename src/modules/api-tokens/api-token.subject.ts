import type { SubjectDef } from "../../authz/registry.js";
import { apiTokens } from "../../db/schema/index.js";

/**
 * An API token (issue #8 item 2): acts as its creator, narrowed by its scopes and purposes.
 * The secret is never stored nor shown again: only its digest and lookup segment, both hidden.
 */
export const apiTokenSubject = {
  name: "ApiToken",
  table: apiTokens,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    name: { required: true },
    scopes: { required: true },
    purposes: { required: true },
    defaultPurpose: { required: true },
    expiresAt: { required: true },
    lastUsedAt: {},
    revokedAt: {},
    createdAt: { required: true },
    createdBy: {},
  },
  conditions: ["workspaceId", "userId"],
  hiddenColumns: ["secretHash", "lookup"],
} as const satisfies SubjectDef;
