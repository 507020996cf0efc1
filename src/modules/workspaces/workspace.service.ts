import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { badInput, notFound } from "../../errors.js";
import { decision, ensureAllowed, whereCan } from "../common/access.js";
import type { Scope } from "../common/scope.js";
import { canonicalTimeZone } from "../privacy-requests/request-clock.js";
import { findWorkspace, lockWorkspace, type SubscriptionChange, setSubscription, updateTimeZone, type WorkspaceRow } from "./workspace.repository.js";
import { cancelledRetentionMonths, purgeDate } from "./workspace.retention.js";

// The fields a cancellation or a reactivation writes (what the policy is asked about).
const SUBSCRIPTION_FIELDS = ["subscriptionStatus", "cancelledAt", "cancelledBy"] as const;

/** When a cancelled workspace's data is due for deletion; null while it is not cancelled. */
export function purgeAfterOf(row: Pick<WorkspaceRow, "cancelledAt">, months: number): Date | null {
  return row.cancelledAt ? purgeDate(row.cancelledAt, months) : null;
}

type Change = (row: WorkspaceRow, now: Date, months: number) => SubscriptionChange;

const cancel: Change = (row, now) => {
  if (row.subscriptionStatus === "purged") throw badInput("subscriptionStatus", "the workspace was purged");
  if (row.subscriptionStatus === "cancelled") {
    throw badInput("subscriptionStatus", `the workspace is already cancelled (since ${row.cancelledAt?.toISOString()}); reactivateWorkspace undoes it`);
  }
  return { subscriptionStatus: "cancelled", cancelledAt: now, cancelledBy: "owner" };
};

const reactivate: Change = (row, now, months) => {
  if (row.subscriptionStatus === "purged") throw badInput("subscriptionStatus", "the workspace was purged: its data is deleted and it cannot be reactivated");
  if (row.subscriptionStatus !== "cancelled") throw badInput("subscriptionStatus", "the workspace is not cancelled");
  const due = purgeAfterOf(row, months);
  // Past the purge date the data is owed deletion (privacy policy section 8), not a second life.
  if (due && due.getTime() <= now.getTime()) {
    throw badInput("subscriptionStatus", `the retention period ended on ${due.toISOString()}; the data is due for deletion and cannot be reactivated`);
  }
  // Reactivating in the app would stop the purge clock with no paying subscription behind it.
  if (row.cancelledBy !== "owner") {
    throw badInput(
      "subscriptionStatus",
      "the subscription was cancelled at Stripe, not in Alpha CRM: subscribe again through billing (Stripe reactivates the workspace); reactivateWorkspace only undoes an owner's cancelWorkspace",
    );
  }
  return { subscriptionStatus: "active", cancelledAt: null, cancelledBy: null };
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
    const months = cancelledRetentionMonths(ctx.policies);
    const next = apply(row, new Date(), months);
    const updated = await setSubscription(tx, id, next);
    await recordDecision(tx, ctx.policies, ctx.principal, {
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
        cancelledBy: updated.cancelledBy,
        purgeAfter: purgeAfterOf(updated, months)?.toISOString() ?? null,
      },
    });
    return updated;
  });
}

/**
 * Sets (or clears, with null) the IANA time zone in which legal deadlines are counted. It
 * applies to deadlines computed from then on; those already set keep their instant.
 */
async function setTimeZone(ctx: Scope, timeZone: string | null | undefined): Promise<WorkspaceRow> {
  const principal = ctx.principal!;
  // Left out is not null: clearing the zone is said, never assumed.
  if (timeZone === undefined) throw badInput("timeZone", "give an IANA time zone, or null for UTC");
  const zone = timeZone === null ? null : canonicalTimeZone(timeZone.trim());
  if (zone === undefined) throw badInput("timeZone", `"${timeZone}" is not an IANA time zone (e.g. Europe/Paris)`);
  const current = await findWorkspace(ctx.db, principal.workspaceId);
  if (!current) throw notFound("Workspace", principal.workspaceId);
  await ensureAllowed(ctx, "update", "Workspace", current, ["timeZone"]);
  const done = await ctx.db.transaction(async (tx: Db) => {
    if (!(await updateTimeZone(tx, current.id, zone, whereCan(ctx, "update", "Workspace")))) return undefined;
    await recordDecision(tx, ctx.policies, principal, {
      action: "set_time_zone",
      subject: "Workspace",
      subjectId: current.id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { from: current.timeZone, to: zone },
    });
    return lockWorkspace(tx, current.id);
  });
  if (!done) throw notFound("Workspace", current.id);
  return done;
}

export const workspaceService = {
  cancel: (ctx: Scope) => change(ctx, "cancel_workspace", cancel),
  reactivate: (ctx: Scope) => change(ctx, "reactivate_workspace", reactivate),
  setTimeZone,
  purgeAfter: (ctx: Scope, row: Pick<WorkspaceRow, "cancelledAt">) => purgeAfterOf(row, cancelledRetentionMonths(ctx.policies)),
};
