import type { Db } from "../db/client.js";
import { auditLog } from "../db/schema/index.js";
import { actorId, type Principal } from "./ability.js";

export interface DecisionEntry {
  action: string;
  subject: string;
  subjectId?: string | null;
  purpose?: string | null;
  decision: "allow" | "deny";
  rule?: string | null;
  reason?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Appends to the decision log: every denial and every privacy action (who, what, under
 * which purpose, which rule, when). Callers pass the transaction of the action they log, so
 * the log and the change commit together.
 */
export async function recordDecision(db: Db, principal: Principal | undefined, entry: DecisionEntry): Promise<void> {
  await db.insert(auditLog).values({
    // The system principal acting for the whole platform (a platform policy version) has no workspace.
    workspaceId: principal?.workspaceId || null,
    actorId: actorId(principal),
    actorRole: principal?.role ?? null,
    action: entry.action,
    subject: entry.subject,
    subjectId: entry.subjectId ?? null,
    purpose: entry.purpose ?? null,
    decision: entry.decision,
    rule: entry.rule ?? null,
    reason: entry.reason ?? null,
    detail: entry.detail ?? null,
  });
}
