import type { SubjectDef } from "../../authz/registry.js";
import { workspaces } from "../../db/schema/index.js";

/** The tenant itself: the workspace row is its own tenant. */
export const workspaceSubject = {
  name: "Workspace",
  table: workspaces,
  tenant: "id",
  fields: {
    id: { required: true },
    name: { required: true },
    plan: {},
    subscriptionStatus: {},
    cancelledAt: {},
    cancelledBy: {},
    purgeAfter: {},
    timeZone: {},
    createdAt: { required: true },
  },
  conditions: ["id"],
  hiddenColumns: ["stripeCustomerId"],
  sortable: { CREATED_AT: "createdAt" },
} as const satisfies SubjectDef;
