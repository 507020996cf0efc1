import type { SubjectDef } from "../../authz/registry.js";
import { webhooks } from "../../db/schema/index.js";

/**
 * A recipient of the workspace's privacy events (Art. 19): the owner registers and manages
 * webhooks, the DPO reads them. Not personal data of a person, so no data category; the
 * signing secret is never loaded (shown once, when the webhook is created).
 */
export const webhookSubject = {
  name: "Webhook",
  table: webhooks,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    url: { required: true },
    description: {},
    events: { required: true },
    active: { required: true },
    createdById: {},
    createdAt: { required: true },
    disabledAt: {},
  },
  conditions: ["workspaceId"],
  hiddenColumns: ["secret"],
  sortable: { CREATED_AT: "createdAt" },
} as const satisfies SubjectDef;
