import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { decision } from "../common/access.js";
import { systemScope } from "../common/scope.js";
import {
  claimStripeEvent,
  lockWorkspaceByStripeCustomer,
  type SubscriptionChange,
  setSubscription,
  type SubscriptionStatus,
  type WorkspaceRow,
} from "./workspace.repository.js";
import { cancelledRetentionMonths } from "./workspace.retention.js";
import { purgeAfterOf } from "./workspace.service.js";

type SystemDeps = Parameters<typeof systemScope>[0];

/** The part of a verified Stripe event the subscription lifecycle reads. */
export interface StripeSubscriptionEvent {
  id: string;
  type: string;
  /** Seconds since the epoch: when Stripe says it happened. */
  created: number;
  data?: { object?: { customer?: string | { id: string } | null; status?: string } };
}

/**
 * What an event did. Everything but `denied` is acknowledged (HTTP 200) so Stripe stops
 * redelivering; a denial is not remembered, so a redelivery after a policy fix applies it.
 */
export type StripeOutcome = "applied" | "unchanged" | "replay" | "unknown_customer" | "purged" | "stale" | "retention_ended" | "unhandled" | "denied";

export const HANDLED_EVENTS = ["customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"] as const;

// Stripe's subscription statuses that have ours; the others (incomplete, unpaid, paused...)
// leave the workspace as it is.
const STATUS_MAP: Record<string, SubscriptionStatus> = { active: "active", trialing: "trialing", past_due: "past_due", canceled: "cancelled" };

const BILLING = "billing";

function customerOf(event: StripeSubscriptionEvent): string | null {
  const customer = event.data?.object?.customer;
  if (typeof customer === "string") return customer;
  return typeof customer?.id === "string" ? customer.id : null;
}

function targetOf(event: StripeSubscriptionEvent): SubscriptionStatus | undefined {
  if (event.type === "customer.subscription.deleted") return "cancelled";
  const status = event.data?.object?.status;
  return typeof status === "string" && Object.hasOwn(STATUS_MAP, status) ? STATUS_MAP[status] : undefined;
}

/** The change an event asks of a workspace, or why it asks none. */
function changeFor(row: WorkspaceRow, target: SubscriptionStatus, at: Date, months: number): SubscriptionChange | StripeOutcome {
  if (row.subscriptionStatus === "purged") return "purged";
  if (target === "cancelled") {
    // The retention clock starts at the earliest cancellation we know of, never later.
    const cancelledAt = row.cancelledAt && row.cancelledAt.getTime() <= at.getTime() ? row.cancelledAt : at;
    // An owner's cancellation that Stripe then confirms becomes Stripe's: no subscription is left to reactivate in the app.
    if (row.subscriptionStatus === "cancelled" && cancelledAt === row.cancelledAt && row.cancelledBy === "stripe") return "unchanged";
    return { subscriptionStatus: "cancelled", cancelledAt, cancelledBy: "stripe" };
  }
  if (row.subscriptionStatus === "cancelled") {
    // An event older than the cancellation (Stripe does not promise order) must not undo it.
    if (row.cancelledAt && row.cancelledAt.getTime() > at.getTime()) return "stale";
    const due = purgeAfterOf(row, months);
    if (due && due.getTime() <= at.getTime()) return "retention_ended";
  }
  if (row.subscriptionStatus === target) return "unchanged";
  return { subscriptionStatus: target, cancelledAt: null, cancelledBy: null };
}

/**
 * Applies a verified Stripe subscription event to the workspace billed to its customer, as
 * the system principal under the billing purpose (policies/roles/system.yaml). Each event id
 * is applied once; the workspace row lock orders concurrent events of one customer.
 */
export async function applyStripeEvent(deps: SystemDeps, event: StripeSubscriptionEvent): Promise<StripeOutcome> {
  const at = new Date(event.created * 1000);
  const target = (HANDLED_EVENTS as readonly string[]).includes(event.type) ? targetOf(event) : undefined;
  const customer = customerOf(event);
  return deps.db.transaction(async (tx: Db) => {
    const remember = async (outcome: StripeOutcome) => ((await claimStripeEvent(tx, { id: event.id, type: event.type, outcome })) ? outcome : "replay");
    if (!target) return remember("unhandled");
    const row = customer ? await lockWorkspaceByStripeCustomer(tx, customer) : undefined;
    if (!row) return remember("unknown_customer");
    const change = changeFor(row, target, at, cancelledRetentionMonths(deps.policies));
    if (typeof change === "string") return remember(change);
    const scope = systemScope(deps, row.id, BILLING);
    const verdict = decision(scope, "update", "Workspace", row);
    if (!verdict.allowed) {
      await recordDecision(tx, scope.policies, scope.principal, {
        action: "update",
        subject: "Workspace",
        subjectId: row.id,
        purpose: BILLING,
        decision: "deny",
        rule: verdict.rule,
        reason: verdict.reason,
      });
      return "denied";
    }
    const outcome = await remember("applied");
    if (outcome === "replay") return outcome;
    const updated = await setSubscription(tx, row.id, change);
    await recordDecision(tx, scope.policies, scope.principal, {
      action: "stripe_subscription_event",
      subject: "Workspace",
      subjectId: row.id,
      purpose: BILLING,
      decision: "allow",
      rule: verdict.rule,
      reason: verdict.reason,
      detail: {
        eventId: event.id,
        eventType: event.type,
        from: row.subscriptionStatus,
        to: updated.subscriptionStatus,
        cancelledAt: updated.cancelledAt?.toISOString() ?? null,
        cancelledBy: updated.cancelledBy,
      },
    });
    return outcome;
  });
}
