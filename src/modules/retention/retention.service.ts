import { sql, type SQL } from "drizzle-orm";
import { recordDecision } from "../../authz/decision-log.js";
import { SYSTEM_ROLE, type Principal } from "../../authz/ability.js";
import type { PolicySet, RetentionRule, RetentionTrigger } from "../../authz/policy-loader.js";
import { auditEntriesBefore, truncateAuditBefore } from "../../authz/audit-chain.js";
import type { Db } from "../../db/client.js";
import { closeExpiredSessions } from "../../auth/sessions.js";
import {
  apiTokens,
  consentEvents,
  contactPrivacyEvents,
  contacts,
  interactions,
  outboxEvents,
  privacyRequests,
  rateLimits,
  stripeEvents,
  usageEvents,
  users,
  webhookDeliveries,
} from "../../db/schema/index.js";
import { compactJournal } from "../erasure/erasure.journal.js";
import { withLedgerMaintenance } from "../consent/consent.repository.js";
import { contactHeld, workspaceHeld, workspacesUnderHold } from "../legal-holds/legal-hold.repository.js";
import { cancelledWorkspaces } from "../workspaces/workspace.repository.js";
import { purgeDueWorkspaces } from "../workspaces/workspace.purge.js";
import { cancelledRetentionMonths, purgeDate } from "../workspaces/workspace.retention.js";
import { cutoffFor } from "./period.js";
import { sweep, type SweepCounts, type SweepSpec } from "./retention.repository.js";

export interface RetentionOptions {
  now: Date;
  dryRun: boolean;
  batchSize: number;
  /** The erasure journal file to compact (entry erasure_journal_backup_window); left alone when unset. */
  erasureJournalPath?: string;
  /** BACKUP_RETENTION_DAYS: the journal keeps every line at least this long plus JOURNAL_MARGIN_DAYS. */
  backupRetentionDays?: number;
}

/** Days the erasure journal keeps a line beyond the backup retention window (a late restore, a slow rotation). */
export const JOURNAL_MARGIN_DAYS = 7;
export const DEFAULT_BACKUP_RETENTION_DAYS = 35;
const DAY_MS = 86_400_000;
/** The byWorkspace key of data that belongs to no workspace (as sweep() counts it). */
const NOT_TENANT = "(none)";

/**
 * Before when a journal line may go: the earlier of the entry's cutoff and the backup window's
 * (BACKUP_RETENTION_DAYS + margin): a line is never dropped while a backup older than its
 * erasure may still be restored, whatever the file says.
 */
export function journalCutoff(entryCutoff: Date, now: Date, backupRetentionDays = DEFAULT_BACKUP_RETENTION_DAYS): Date {
  const backups = new Date(now.getTime() - (backupRetentionDays + JOURNAL_MARGIN_DAYS) * DAY_MS);
  return entryCutoff.getTime() < backups.getTime() ? entryCutoff : backups;
}

/** An outbox event whose every delivery is finished in `state` (or that no delivery is left of), last finished before the cutoff. */
const finishedEvents = (cutoff: SQL, dead: boolean): SQL => sql`not exists (
    select 1 from ${webhookDeliveries} d where d.event_id = ${outboxEvents.id} and d.state = 'pending')
  and ${dead ? sql`` : sql`not`} exists (select 1 from ${webhookDeliveries} d where d.event_id = ${outboxEvents.id} and d.state = 'dead')
  and coalesce((select max(greatest(d.delivered_at, d.dead_at)) from ${webhookDeliveries} d where d.event_id = ${outboxEvents.id}),
    ${outboxEvents.createdAt}) < ${cutoff}`;

/** One kind of data an entry of retention.yaml covers, and what the run found and did. */
export interface SweepReport extends SweepCounts {
  data: string;
}

export interface EntryReport {
  id: string;
  trigger: RetentionTrigger;
  period: string;
  /** Anything whose clock started before this is due. */
  cutoff: string;
  sweeps: SweepReport[];
}

export interface RetentionReport {
  now: string;
  dryRun: boolean;
  entries: EntryReport[];
  totals: { due: number; deleted: number; held: number };
}

interface SweepContext {
  policies: PolicySet;
  rule: RetentionRule;
  /** The cutoff as an SQL timestamptz (drivers differ in how they bind a Date in raw SQL). */
  cutoff: SQL;
  /** The purposes whose `retention:` names this entry (records carrying them follow its clock). */
  purposes: string[];
}

/** A sweep: the data it covers, and the rows due under the entry's clock (or its own way to delete them). */
interface Sweep {
  data: string;
  /** The subject the decision log names. */
  subject: string;
  spec?(ctx: SweepContext): SweepSpec;
  run?(db: Db, ctx: SweepContext & { at: Date }, opts: RetentionOptions): Promise<SweepCounts>;
}

const inList = (values: string[]): SQL =>
  values.length === 0
    ? sql`(null)`
    : sql`(${sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      )})`;

/** The person's last event in either ledger; proof is kept five years after it, once the person is gone. */
const lastLedgerEvent = (workspace: SQL, contact: SQL): SQL => sql`greatest(
  (select max(e.created_at) from ${consentEvents} e where e.workspace_id = ${workspace} and e.contact_id = ${contact}),
  (select max(p.created_at) from ${contactPrivacyEvents} p where p.workspace_id = ${workspace} and p.contact_id = ${contact}))`;

const contactGone = (workspace: SQL, contact: SQL): SQL =>
  sql`not exists (select 1 from ${contacts} c where c.id = ${contact} and c.workspace_id = ${workspace} and c.erased_at is null)`;

const ledgerMaintenance = (reason: string) => (tx: Db, run: () => Promise<void>) =>
  withLedgerMaintenance(tx, { workspaceId: null, actorId: null, reason }, run).then(() => undefined);

/**
 * What each entry of policies/retention.yaml deletes, by entry id. The periods come from the
 * file; the code only knows which data each entry speaks of. An entry without sweeps here, or
 * sweeps for an entry the file lacks, stops the job (a period nobody enforces would be a lie).
 */
const SWEEPS: Record<string, { trigger: RetentionTrigger; sweeps: Sweep[] }> = {
  audit_log_6_years: {
    trigger: "recorded",
    sweeps: [
      {
        data: "audit log entries (each chain gets a checkpoint holding the last removed entry's hash)",
        subject: "AuditEntry",
        async run(db, { policies, cutoff, rule }, opts) {
          const held = new Set(await workspacesUnderHold(db));
          const counts: SweepCounts = { due: 0, deleted: 0, held: 0, byWorkspace: {} };
          for (const chain of await auditEntriesBefore(db, cutoff)) {
            const key = chain.workspaceId ?? "none";
            counts.due += chain.entries;
            if (chain.workspaceId && held.has(chain.workspaceId)) {
              counts.held += chain.entries;
              counts.byWorkspace[key] = { deleted: 0, held: chain.entries };
              continue;
            }
            if (opts.dryRun) continue;
            // Through truncateAuditBefore only: a plain delete would break the chain that audit:verify checks.
            const { removed } = await truncateAuditBefore(db, chain.workspaceId, chain.lastSeq + 1, {
              policyDigest: policies.digest,
              reason: `retention ${rule.id} (period ${rule.period}): entries recorded before the cutoff removed; verification starts after them`,
            });
            counts.deleted += removed;
            counts.byWorkspace[key] = { deleted: removed, held: 0 };
          }
          return counts;
        },
      },
    ],
  },
  account_lifetime_plus_6_months: {
    trigger: "workspace_cancelled",
    sweeps: [
      {
        data: "cancelled workspaces past their retention period (counted in workspaces; each purge logs its own row counts)",
        subject: "Workspace",
        async run(db, { policies }, opts) {
          const months = cancelledRetentionMonths(policies);
          const held = await workspacesUnderHold(db);
          const reports = await purgeDueWorkspaces(db, { policies, now: opts.now, months, dryRun: opts.dryRun, excludeWorkspaceIds: held });
          const heldDue = (await cancelledWorkspaces(db)).filter(
            (w) => held.includes(w.id) && w.cancelledAt && purgeDate(w.cancelledAt, months).getTime() <= opts.now.getTime(),
          );
          return {
            due: reports.length + heldDue.length,
            deleted: opts.dryRun ? 0 : reports.length,
            held: heldDue.length,
            // The purge writes its own decision-log entry; held workspaces are logged here.
            byWorkspace: Object.fromEntries(heldDue.map((w) => [w.id, { deleted: 0, held: 1 }])),
            details: reports.map((r) => ({ workspaceId: r.workspaceId, purgeAfter: r.purgeAfter.toISOString(), counts: r.counts, retained: r.retained })),
          };
        },
      },
    ],
  },
  api_tokens_expired_90_days: {
    trigger: "expired",
    sweeps: [
      {
        data: "API tokens expired or revoked (their audit entries stay)",
        subject: "ApiToken",
        spec: ({ cutoff }) => ({
          table: apiTokens,
          key: sql`${apiTokens.id}`,
          workspace: sql`${apiTokens.workspaceId}`,
          due: sql`(${apiTokens.expiresAt} < ${cutoff} or ${apiTokens.revokedAt} < ${cutoff})`,
          held: workspaceHeld(sql`${apiTokens.workspaceId}`),
        }),
      },
    ],
  },
  stripe_event_ids: {
    trigger: "recorded",
    sweeps: [
      {
        data: "processed Stripe event ids",
        subject: "StripeEvent",
        spec: ({ cutoff }) => ({ table: stripeEvents, key: sql`${stripeEvents.id}`, workspace: null, due: sql`${stripeEvents.processedAt} < ${cutoff}` }),
      },
    ],
  },
  usage_logs_12_months: {
    trigger: "recorded",
    sweeps: [
      {
        data: "usage events (sign-ins, pages, features, actions)",
        subject: "UsageEvent",
        spec: ({ cutoff }) => ({
          table: usageEvents,
          // ctid: each batch is a TID scan, where an id list would be a semi-join over the table.
          key: sql`ctid`,
          workspace: sql`${usageEvents.workspaceId}`,
          due: sql`${usageEvents.occurredAt} < ${cutoff}`,
          // Account holders' logs are kept only by a hold on the whole workspace.
          held: workspaceHeld(sql`${usageEvents.workspaceId}`),
        }),
      },
    ],
  },
  until_consent_withdrawn: {
    trigger: "consent_withdrawn",
    sweeps: [
      {
        data: "interactions recorded under a consent that was withdrawn",
        subject: "Interaction",
        spec: ({ cutoff, purposes }) => ({
          table: interactions,
          key: sql`${interactions.id}`,
          workspace: sql`${interactions.workspaceId}`,
          // The latest ledger event for the person and purpose is a withdrawal older than the cutoff.
          due: sql`${interactions.purpose} in ${inList(purposes)} and (
            select e.state = 'withdrawn' and e.created_at < ${cutoff}
            from ${consentEvents} e
            where e.workspace_id = ${interactions.workspaceId} and e.contact_id = ${interactions.contactId} and e.purpose = ${interactions.purpose}
            order by e.created_at desc, e.id desc limit 1) is true`,
          held: contactHeld(sql`${interactions.workspaceId}`, sql`${interactions.contactId}`),
        }),
      },
    ],
  },
  legal_limitation_period: {
    trigger: "last_event",
    sweeps: [
      {
        data: "consent ledger of people no longer in the CRM",
        subject: "ConsentEvent",
        spec: ({ cutoff }) => ({
          table: consentEvents,
          key: sql`${consentEvents.id}`,
          workspace: sql`${consentEvents.workspaceId}`,
          due: sql`(
            (${consentEvents.contactId} is not null
              and ${contactGone(sql`${consentEvents.workspaceId}`, sql`${consentEvents.contactId}`)}
              and ${lastLedgerEvent(sql`${consentEvents.workspaceId}`, sql`${consentEvents.contactId}`)} < ${cutoff})
            or (${consentEvents.subjectUserId} is not null
              and not exists (select 1 from ${users} u where u.id = ${consentEvents.subjectUserId})
              and (select max(e.created_at) from ${consentEvents} e where e.subject_user_id = ${consentEvents.subjectUserId}) < ${cutoff}))`,
          held: sql`(${consentEvents.contactId} is not null and ${contactHeld(sql`${consentEvents.workspaceId}`, sql`${consentEvents.contactId}`)})`,
          inTransaction: ledgerMaintenance("retention: consent proof past the limitation period"),
        }),
      },
      {
        data: "restriction and objection history of people no longer in the CRM",
        subject: "Contact",
        spec: ({ cutoff }) => ({
          table: contactPrivacyEvents,
          key: sql`${contactPrivacyEvents.id}`,
          workspace: sql`${contactPrivacyEvents.workspaceId}`,
          due: sql`${contactGone(sql`${contactPrivacyEvents.workspaceId}`, sql`${contactPrivacyEvents.contactId}`)}
            and ${lastLedgerEvent(sql`${contactPrivacyEvents.workspaceId}`, sql`${contactPrivacyEvents.contactId}`)} < ${cutoff}`,
          held: contactHeld(sql`${contactPrivacyEvents.workspaceId}`, sql`${contactPrivacyEvents.contactId}`),
          inTransaction: ledgerMaintenance("retention: restriction and objection history past the limitation period"),
        }),
      },
      {
        data: "answered privacy requests (completed or rejected) and their answer links",
        subject: "PrivacyRequest",
        spec: ({ cutoff }) => ({
          table: privacyRequests,
          key: sql`${privacyRequests.id}`,
          workspace: sql`${privacyRequests.workspaceId}`,
          due: sql`${privacyRequests.status} in ('completed', 'rejected')
            and greatest(${privacyRequests.completedAt}, ${privacyRequests.rejectedAt}, ${privacyRequests.updatedAt}) < ${cutoff}`,
          held: sql`(${contactHeld(sql`${privacyRequests.workspaceId}`, sql`${privacyRequests.contactId}`)}
            or ${workspaceHeld(sql`${privacyRequests.workspaceId}`)})`,
        }),
      },
      {
        data: "interactions recorded under legal_compliance",
        subject: "Interaction",
        spec: ({ cutoff, purposes }) => ({
          table: interactions,
          key: sql`${interactions.id}`,
          workspace: sql`${interactions.workspaceId}`,
          due: sql`${interactions.purpose} in ${inList(purposes)} and greatest(${interactions.occurredAt}, ${interactions.updatedAt}) < ${cutoff}`,
          held: contactHeld(sql`${interactions.workspaceId}`, sql`${interactions.contactId}`),
        }),
      },
    ],
  },
  delivered_webhook_events: {
    trigger: "expired",
    sweeps: [
      {
        data: "privacy events delivered to every recipient, and their delivery log",
        subject: "Webhook",
        spec: ({ cutoff }) => ({
          table: outboxEvents,
          key: sql`${outboxEvents.id}`,
          workspace: sql`${outboxEvents.workspaceId}`,
          // Deliveries and their attempts go with the event (on delete cascade).
          due: finishedEvents(cutoff, false),
        }),
      },
    ],
  },
  dead_lettered_webhook_events: {
    trigger: "expired",
    sweeps: [
      {
        data: "privacy events dead-lettered for a recipient, and their delivery log",
        subject: "Webhook",
        spec: ({ cutoff }) => ({
          table: outboxEvents,
          key: sql`${outboxEvents.id}`,
          workspace: sql`${outboxEvents.workspaceId}`,
          due: finishedEvents(cutoff, true),
        }),
      },
    ],
  },
  erasure_journal_backup_window: {
    trigger: "recorded",
    sweeps: [
      {
        data: "erasure journal lines older than the backup retention window (the file outside the database)",
        subject: "Contact",
        async run(_db, { at }, opts): Promise<SweepCounts> {
          if (!opts.erasureJournalPath) return { due: 0, deleted: 0, held: 0, byWorkspace: {} };
          const before = journalCutoff(at, opts.now, opts.backupRetentionDays);
          const report = compactJournal(opts.erasureJournalPath, before, opts.dryRun);
          return {
            due: report.dropped,
            deleted: opts.dryRun ? 0 : report.dropped,
            held: 0,
            // Not tenant data: one decision-log entry with no workspace.
            byWorkspace: report.dropped > 0 && !opts.dryRun ? { [NOT_TENANT]: { deleted: report.dropped, held: 0 } } : {},
            details: [{ before: before.toISOString(), kept: report.kept, unreadableKept: report.unreadable }],
          };
        },
      },
    ],
  },
  expired_sessions: {
    trigger: "expired",
    sweeps: [
      {
        data: "expired sessions (their sign-in's duration is filled in first)",
        subject: "Session",
        async run(db, { at }, opts) {
          const closed = await closeExpiredSessions(db, at, { dryRun: opts.dryRun, batchSize: opts.batchSize });
          return { due: closed.sessions, deleted: opts.dryRun ? 0 : closed.sessions, held: 0, byWorkspace: {} };
        },
      },
    ],
  },
  rate_limit_windows: {
    trigger: "expired",
    sweeps: [
      {
        data: "rate-limit counters",
        subject: "RateLimit",
        spec: ({ cutoff }) => ({
          table: rateLimits,
          key: sql`ctid`,
          workspace: null,
          // A window ends a minute after it starts.
          due: sql`${rateLimits.windowStart} + interval '1 minute' < ${cutoff}`,
        }),
      },
    ],
  },
};

/** Problems that stop the job: entries the code cannot apply, or sweeps for entries that are gone. */
export function retentionProblems(policies: PolicySet): string[] {
  const problems: string[] = [];
  for (const rule of policies.retention.values()) {
    const known = SWEEPS[rule.id];
    if (!known) problems.push(`policies/retention.yaml: entry ${rule.id} has no sweep in src/modules/retention/retention.service.ts`);
    else if (known.trigger !== rule.trigger)
      problems.push(`policies/retention.yaml: entry ${rule.id} has trigger ${rule.trigger}, its sweep applies ${known.trigger}`);
  }
  try {
    cancelledRetentionMonths(policies);
  } catch (error) {
    problems.push((error as Error).message);
  }
  for (const id of Object.keys(SWEEPS)) {
    if (!policies.retention.has(id))
      problems.push(`src/modules/retention/retention.service.ts: sweep for ${id}, which policies/retention.yaml does not declare`);
  }
  return problems;
}

const systemOf = (workspaceId: string): Principal => ({ kind: "system", userId: "", workspaceId, role: SYSTEM_ROLE, email: "", name: "Alpha CRM (system)" });

/**
 * Applies every entry of policies/retention.yaml at `now`. A dry run counts and deletes nothing;
 * the real run deletes in batches what no legal hold keeps and writes one decision-log entry per
 * workspace and kind of data with the counts (never the rows).
 */
export async function runRetention(db: Db, policies: PolicySet, opts: RetentionOptions): Promise<RetentionReport> {
  const problems = retentionProblems(policies);
  if (problems.length > 0) throw new Error(`retention cannot run:\n  ${problems.join("\n  ")}`);
  const entries: EntryReport[] = [];
  const totals = { due: 0, deleted: 0, held: 0 };
  for (const rule of policies.retention.values()) {
    const cutoff = cutoffFor(opts.now, rule.period);
    const purposes = [...policies.purposes.values()].filter((p) => p.retention === rule.id).map((p) => p.id);
    const sweeps: SweepReport[] = [];
    for (const s of SWEEPS[rule.id].sweeps) {
      const ctx: SweepContext = { policies, rule, cutoff: sql`${cutoff.toISOString()}::timestamptz`, purposes };
      const counts = s.run ? await s.run(db, { ...ctx, at: cutoff }, opts) : await sweep(db, s.spec!(ctx), opts);
      sweeps.push({ data: s.data, ...counts });
      totals.due += counts.due;
      totals.deleted += counts.deleted;
      totals.held += counts.held;
      if (!opts.dryRun) await auditSweep(db, policies, rule, s, cutoff, counts);
    }
    entries.push({ id: rule.id, trigger: rule.trigger, period: rule.period, cutoff: cutoff.toISOString(), sweeps });
  }
  return { now: opts.now.toISOString(), dryRun: opts.dryRun, entries, totals };
}

async function auditSweep(db: Db, policies: PolicySet, rule: RetentionRule, s: Sweep, cutoff: Date, counts: SweepCounts): Promise<void> {
  for (const [workspace, c] of Object.entries(counts.byWorkspace)) {
    if (c.deleted === 0 && c.held === 0) continue;
    const workspaceId = /^[0-9a-f-]{36}$/.test(workspace) ? workspace : null;
    await recordDecision(db, policies, workspaceId ? systemOf(workspaceId) : undefined, {
      action: "retention_delete",
      subject: s.subject,
      decision: "allow",
      rule: `retention.${rule.id}`,
      reason: `${s.data}: ${c.deleted} deleted${c.held ? `, ${c.held} kept by a legal hold` : ""} (period ${rule.period}, cutoff ${cutoff.toISOString()})`,
      detail: { retention: rule.id, data: s.data, period: rule.period, cutoff: cutoff.toISOString(), deleted: c.deleted, held: c.held },
    });
  }
}
