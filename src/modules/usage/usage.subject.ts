import type { SubjectDef } from "../../authz/registry.js";
import { usageEvents } from "../../db/schema/index.js";

/**
 * A usage event of an account holder (privacy policy 2.2): only purposes that declare `usage`
 * read them, and the address and country only under purposes that also declare `network`.
 * Every user reads and reports their own (`self.usage_events`, src/authz/ability.ts).
 */
export const usageEventSubject = {
  name: "UsageEvent",
  table: usageEvents,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    kind: { required: true },
    userId: { required: true },
    occurredAt: { required: true },
    durationSeconds: {},
    device: {},
    ip: { category: "network" },
    location: { category: "network" },
    detail: {},
  },
  conditions: ["workspaceId", "userId", "kind"],
  category: "usage",
  dataSubject: "users",
} as const satisfies SubjectDef;
