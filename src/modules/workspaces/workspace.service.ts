import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { badInput, notFound } from "../../errors.js";
import { decision, ensureAllowed } from "../common/access.js";
import type { Scope } from "../common/scope.js";
import { findWorkspace, lockWorkspace, setSubscription, type WorkspaceRow } from "./workspace.repository.js";
import { CANCELLED_RETENTION_MONTHS, purgeDate } from "./workspace.retention.js";

// The fields a cancellation or a reactivation writes (what the policy is asked about).
const SUBSCRIPTION_FIELDS = ["subscriptionStatus", "cancelledAt"] as const;

/** When a cancelled workspace's data is due for deletion; null while it is not cancelled. */
export function purgeAfterOf(row: Pick<WorkspaceRow, "cancelledAt">): Date | null {
  return row.cancelledAt ? purgeDate(row.cancelledAt, CANCELLED_RETENTION_MONTHS) : null;
}

type Change = (row: WorkspaceRow, now: Date) => { subscriptionStatus: "active" | "cancelled"; cancelledAt: Date | null };

const cancel: Change = (row, now) => {
  if (row.subscriptionStatus === "purged") throw badInput("subscriptionStatus", "the workspace was purged");
  if (row.subscriptionStatus === "cancelled") {
    throw badInput("subscriptionStatus", `the workspace is already cancelled (since ${row.cancelledAt?.toISOString()}); reactivateWorkspace undoes it`);
  }
  return { subscriptionStatus: "cancelled", cancelledAt: now };
};

const reactivate: Change = (row, now) => {
  if (row.subscriptionStatus === "purged") throw badInput("subscriptionStatus", "the workspace was purged: its data is deleted and it cannot be reactivated");
  if (row.subscriptionStatus !== "cancelled") throw badInput("subscriptionStatus", "the workspace is not cancelled");
  const due = purgeAfterOf(row);
  // Past the purge date the data is owed deletion (privacy policy section 8), not a second life.
  if (due && due.getTime() <= now.getTime()) {
    throw badInput("subscriptionStatus", `the retention period ended on ${due.toISOString()}; the data is due for deletion and cannot be reactivated`);
  }
  return { subscriptionStatus: "active", cancelledAt: null };
};

/**
 * Cancels or reactivates the caller's own workspace: the policy decides on the row (owner only),
 * then the change and its decision-log entry commit together under a row lock, the state
 * checked again inside it.
 */
async function change(ctx: Scope, action: "cancel_workspace" | "reactivate_workspace", apply: Change): Promise<WorkspaceRow> {
  const id = ctx.principal!.workspaceId;
  const current = await findWorkspace(ctx.db, id);
  if (!current) throw notFound("Workspace", id);
  await ensureAllowed(ctx, "update", "Workspace", current, SUBSCRIPTION_FIELDS);
  const verdict = decision(ctx, "update", "Workspace", current);
  return ctx.db.transaction(async (tx: Db) => {
    const row = await lockWorkspace(tx, id);
    if (!row) throw notFound("Workspace", id);
    const next = apply(row, new Date());
    const updated = await setSubscription(tx, id, next);
    await recordDecision(tx, ctx.principal, {
      action,
      subject: "Workspace",
      subjectId: id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      rule: verdict.rule,
      reason: verdict.reason,
      detail: {
        from: row.subscriptionStatus,
        to: updated.subscriptionStatus,
        cancelledAt: updated.cancelledAt?.toISOString() ?? null,
        purgeAfter: purgeAfterOf(updated)?.toISOString() ?? null,
      },
    });
    return updated;
  });
}

export const workspaceService = {
  cancel: (ctx: Scope) => change(ctx, "cancel_workspace", cancel),
  reactivate: (ctx: Scope) => change(ctx, "reactivate_workspace", reactivate),
  purgeAfter: purgeAfterOf,
};
