import { SYSTEM_ROLE, type Principal } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { PolicySet } from "../../authz/policy-loader.js";
import type { Db } from "../../db/client.js";
import { badInput, forbidden, notFound } from "../../errors.js";
import { workspaceHasActiveHold } from "../legal-holds/legal-hold.repository.js";
import { cancelledWorkspaces, countRows, deleteRows, lockWorkspace, recordPurge, tenantTables, tombstone, type WorkspaceRow } from "./workspace.repository.js";
import { purgeDate } from "./workspace.retention.js";

/** What a purge deleted (or, in a dry run, would delete) of one workspace. */
export interface PurgeReport {
  workspaceId: string;
  cancelledAt: Date;
  purgeAfter: Date;
  /** Rows deleted per table (would be, in a dry run). */
  counts: Record<string, number>;
  /** Rows kept per table: the consent ledgers, proof that outlives the account. */
  retained: Record<string, number>;
  dryRun: boolean;
}

export interface PurgeOptions {
  /** The policies in force: the decision log records their digest. */
  policies: Pick<PolicySet, "digest">;
  now: Date;
  months: number;
  dryRun: boolean;
  /** Workspaces to leave alone this run (legal holds). */
  excludeWorkspaceIds: string[];
}

const PURGE_REASON = "Privacy policy section 8: a cancelled account's data is deleted once its retention period after termination has ended.";

// The purge is Alpha CRM's own act, not a member's: the system principal of the workspace.
const system = (workspaceId: string): Principal => ({ kind: "system", userId: "", workspaceId, role: SYSTEM_ROLE, email: "", name: "Alpha CRM (system)" });

/**
 * Purges every cancelled workspace whose retention period has ended by `now`, except the
 * excluded ones; each in its own transaction, so one failure does not undo the others. A dry
 * run deletes nothing and reports the same counts.
 */
export async function purgeDueWorkspaces(db: Db, opts: PurgeOptions): Promise<PurgeReport[]> {
  const excluded = new Set(opts.excludeWorkspaceIds);
  const reports: PurgeReport[] = [];
  for (const candidate of await cancelledWorkspaces(db)) {
    if (excluded.has(candidate.id) || !isDue(candidate, opts.now, opts.months)) continue;
    const report = await purge(db, opts.policies, candidate.id, opts.now, opts.months, opts.dryRun);
    if (report) reports.push(report);
  }
  return reports;
}

/**
 * Purges one workspace now. Fails closed: only a cancelled workspace whose retention period
 * (`months`, privacy policy section 8 by default) has ended by `now` is purged; anything else
 * is BAD_USER_INPUT, a workspace with an active legal hold FORBIDDEN (rule legal_hold), and
 * nothing changes.
 */
export async function purgeWorkspace(
  db: Db,
  workspaceId: string,
  now: Date,
  opts: { policies: Pick<PolicySet, "digest">; months: number; dryRun?: boolean },
): Promise<PurgeReport> {
  const report = await purge(db, opts.policies, workspaceId, now, opts.months, opts.dryRun ?? false, true);
  if (!report) throw notFound("Workspace", workspaceId);
  return report;
}

function isDue(row: Pick<WorkspaceRow, "cancelledAt">, now: Date, months: number): row is { cancelledAt: Date } {
  return row.cancelledAt !== null && purgeDate(row.cancelledAt, months).getTime() <= now.getTime();
}

/** The purge of one workspace under a row lock; null when it is no longer due (reactivated meanwhile). */
async function purge(
  db: Db,
  policies: Pick<PolicySet, "digest">,
  workspaceId: string,
  now: Date,
  months: number,
  dryRun: boolean,
  strict = false,
): Promise<PurgeReport | null> {
  const { deleted, kept } = tenantTables();
  return db.transaction(async (tx: Db) => {
    const row = await lockWorkspace(tx, workspaceId);
    if (!row) return null;
    if (row.subscriptionStatus !== "cancelled" || !isDue(row, now, months)) {
      if (!strict) return null;
      throw badInput("workspaceId", `workspace ${workspaceId} is ${row.subscriptionStatus} and not due for deletion on ${now.toISOString()}`);
    }
    // The caller's list of held workspaces may be stale: a hold placed since is seen here
    // (placing one takes a key-share lock on this row, so it either committed or waits).
    if (await workspaceHasActiveHold(tx, workspaceId)) {
      if (!strict) return null;
      throw forbidden({
        rule: "legal_hold",
        reason: `Workspace ${workspaceId} holds data under an active legal hold: it is not purged until every hold is released.`,
      });
    }
    const cancelledAt = row.cancelledAt;
    const purgeAfter = purgeDate(cancelledAt, months);
    const counts: Record<string, number> = {};
    for (const table of deleted) {
      counts[table.name] = dryRun ? await countRows(tx, table, workspaceId) : await deleteRows(tx, table, workspaceId);
    }
    const retained: Record<string, number> = {};
    for (const table of kept) retained[table.name] = await countRows(tx, table, workspaceId);
    if (!dryRun) {
      await tombstone(tx, workspaceId, now);
      await recordPurge(tx, { workspaceId, cancelledAt, purgeAfter, retentionMonths: months, purgedAt: now, counts });
      await recordDecision(tx, policies, system(workspaceId), {
        action: "purge_workspace",
        subject: "Workspace",
        subjectId: workspaceId,
        decision: "allow",
        reason: PURGE_REASON,
        detail: { cancelledAt: cancelledAt.toISOString(), purgeAfter: purgeAfter.toISOString(), retentionMonths: months, counts, retained },
      });
    }
    return { workspaceId, cancelledAt, purgeAfter, counts, retained, dryRun };
  });
}
