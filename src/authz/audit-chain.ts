import { createHash } from "node:crypto";
import { and, asc, desc, eq, gt, lt, sql, type SQL } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { rowsOf, type Db } from "../db/client.js";
import { auditLog } from "../db/schema/index.js";
import { PLATFORM_WORKSPACE_ID } from "../db/tenancy.js";

/**
 * The audit log is a hash chain per workspace (entries with no workspace form one more
 * chain): each entry stores the hash of the previous entry of its chain and its own hash,
 * sha256 over a stable serialisation of its columns. Changing, deleting or inserting a row
 * directly in SQL breaks the chain at that row; `verifyAuditChain` names the first entry that
 * no longer matches. Appends to one chain are serialised by a transaction-level advisory lock.
 * The chain of no workspace is stored under PLATFORM_WORKSPACE_ID (workspace_id is never null,
 * for Citus) and shown and hashed as null, so the hashes written before that change still hold.
 */

/** The columns an entry is written with (seq, created_at and the hashes are filled here). */
export interface AuditValues {
  workspaceId: string | null;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  subject: string;
  subjectId: string | null;
  purpose: string | null;
  decision: "allow" | "deny";
  rule: string | null;
  reason: string | null;
  detail: Record<string, unknown> | null;
  policyDigest: string | null;
}

export type AuditChainRow = typeof auditLog.$inferSelect;

/** The action of a checkpoint entry, written when old entries of a chain are removed. */
export const CHECKPOINT_ACTION = "audit_checkpoint";

/** What a checkpoint entry's detail holds: verification starts after the removed entries. */
export interface CheckpointDetail {
  /** The sequence number of the last removed entry. */
  removedThroughSeq: number;
  /** Its hash: the prev_hash the first entry kept must carry (null when it had none). */
  lastRemovedHash: string | null;
  removed: number;
}

// The first key of the two-key advisory lock: the audit chains' own space ("AUDI").
const CHAIN_LOCK_SPACE = 0x41554449;
const HASH_VERSION = 1;

/** JSON with object keys sorted at every level, so equal values always serialise the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The stored workspace_id of a chain: the platform's id for the chain of no workspace. */
export const storedWorkspace = (workspaceId: string | null): string => workspaceId ?? PLATFORM_WORKSPACE_ID;

/** A chain's workspace as callers see it: null for the platform's entries. */
export const chainWorkspace = (workspaceId: string | null): string | null => (workspaceId === PLATFORM_WORKSPACE_ID ? null : workspaceId);

/** sha256 (hex) over the entry's columns in a fixed order, created_at as ISO 8601 with ms, and prev_hash. */
export function auditEntryHash(row: Omit<AuditChainRow, "hash" | "workspaceId"> & { workspaceId: string | null }): string {
  const fields = [
    HASH_VERSION,
    String(row.seq),
    chainWorkspace(row.workspaceId),
    row.actorId,
    row.actorRole,
    row.action,
    row.subject,
    row.subjectId,
    row.purpose,
    row.decision,
    row.rule,
    row.reason,
    row.detail ?? null,
    row.policyDigest,
    new Date(row.createdAt).toISOString(),
    row.prevHash,
  ];
  return createHash("sha256").update(canonicalJson(fields)).digest("hex");
}

function chainWhere(workspaceId: string | null): SQL {
  return eq(auditLog.workspaceId, storedWorkspace(workspaceId));
}

/** Runs `fn` in the caller's transaction, or in a new one when the caller passed the database. */
function inTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db instanceof PgTransaction ? fn(db) : db.transaction((tx: Db) => fn(tx));
}

/** Held until the transaction ends: one writer per chain, so the chain never forks. */
async function lockChain(tx: Db, workspaceId: string | null): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK_SPACE}, hashtext(${workspaceId ?? ""}))`);
}

/** Appends one entry to its workspace's chain, in the caller's transaction when it passes one. */
export function appendAuditEntry(db: Db, values: AuditValues): Promise<void> {
  return inTransaction(db, async (tx) => {
    await lockChain(tx, values.workspaceId);
    const [head] = rowsOf<{ prev: string | null; seq: string | number }>(
      await tx.execute(sql`
        select (select ${auditLog.hash} from ${auditLog} where ${chainWhere(values.workspaceId)} order by ${auditLog.seq} desc limit 1) as prev,
               nextval(pg_get_serial_sequence('audit_log', 'seq')) as seq`),
    );
    const row = { ...values, workspaceId: storedWorkspace(values.workspaceId), seq: Number(head.seq), createdAt: new Date(), prevHash: head.prev ?? null };
    await tx.insert(auditLog).values({ ...row, hash: auditEntryHash(row) });
  });
}

export interface ChainVerification {
  /** The chain's workspace; null for the entries of no workspace. */
  workspaceId: string | null;
  ok: boolean;
  /** Entries checked (entries older than the chain, with no hash, are not counted). */
  entries: number;
  /** The sequence number of the first entry that no longer matches. */
  brokenAt: number | null;
  /** The first entry checked: the oldest hashed one, or the first after the latest checkpoint. */
  checkedFrom: number | null;
  /** Why the chain is broken at `brokenAt`. */
  reason: string | null;
  /** The hash of the newest entry: write it down elsewhere to detect later removal of the newest entries. */
  lastHash: string | null;
}

const VERIFY_BATCH = 1000;

/** Checks one chain from its start (or its latest checkpoint) to its newest entry. */
export async function verifyAuditChain(db: Db, workspaceId: string | null): Promise<ChainVerification> {
  const where = chainWhere(workspaceId);
  const [checkpoint] = await db
    .select()
    .from(auditLog)
    .where(and(where, eq(auditLog.action, CHECKPOINT_ACTION)))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  const anchor = checkpoint ? (checkpoint.detail as CheckpointDetail | null) : null;
  const result: ChainVerification = { workspaceId, ok: true, entries: 0, brokenAt: null, checkedFrom: null, reason: null, lastHash: null };
  const broken = (seq: number, reason: string) => ({ ...result, ok: false, brokenAt: seq, reason });
  let expectedPrev: string | null = anchor?.lastRemovedHash ?? null;
  let previousSeq: number | null = null;
  let started = false;
  let after = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(where, gt(auditLog.seq, after)))
      .orderBy(asc(auditLog.seq))
      .limit(VERIFY_BATCH);
    for (const row of rows) {
      after = row.seq;
      if (anchor && row.seq <= anchor.removedThroughSeq) {
        return broken(row.seq, `entry ${row.seq} is older than the checkpoint that removed every entry up to ${anchor.removedThroughSeq}: it was inserted`);
      }
      if (row.hash === null) {
        // Entries written before the chain existed are a prefix left unchecked.
        if (!started && !anchor) continue;
        return broken(row.seq, `entry ${row.seq} has no hash: it was inserted or changed directly in the database`);
      }
      if (!started) {
        started = true;
        result.checkedFrom = row.seq;
      }
      if (row.prevHash !== expectedPrev) {
        const where = previousSeq === null ? (anchor ? "the latest checkpoint" : "the start of the chain") : `entry ${previousSeq}`;
        return broken(row.seq, `entry ${row.seq} does not follow ${where}: an entry before it was deleted, inserted or changed`);
      }
      if (auditEntryHash(row) !== row.hash) {
        return broken(row.seq, `entry ${row.seq} no longer matches its hash: it was changed`);
      }
      result.entries += 1;
      result.lastHash = row.hash;
      expectedPrev = row.hash;
      previousSeq = row.seq;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  if (anchor && !started && checkpoint) {
    return broken(checkpoint.seq, "the checkpoint entry is missing from its chain");
  }
  return result;
}

/** The workspaces that have audit entries (null for the chain of no workspace). */
export async function auditChains(db: Db): Promise<Array<string | null>> {
  const rows = await db.selectDistinct({ workspaceId: auditLog.workspaceId }).from(auditLog);
  return rows.map((r) => chainWorkspace(r.workspaceId)).sort((a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
}

/**
 * Removes a chain's entries older than `seq` (retention), through the append-only trigger's
 * maintenance switch, and appends a checkpoint entry holding the last removed entry's hash:
 * verification starts there. One transaction; nothing is removed when no entry is older.
 */
export function truncateAuditBefore(
  db: Db,
  workspaceId: string | null,
  seq: number,
  opts: { policyDigest?: string | null; reason?: string } = {},
): Promise<{ removed: number; checkpoint: CheckpointDetail | null }> {
  return inTransaction(db, async (tx) => {
    await lockChain(tx, workspaceId);
    const where = and(chainWhere(workspaceId), lt(auditLog.seq, seq));
    const [last] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).where(where).orderBy(desc(auditLog.seq)).limit(1);
    if (!last) return { removed: 0, checkpoint: null };
    await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'on', true)`);
    const deleted = await tx.delete(auditLog).where(where).returning({ seq: auditLog.seq });
    await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'off', true)`);
    const checkpoint: CheckpointDetail = { removedThroughSeq: last.seq, lastRemovedHash: last.hash, removed: deleted.length };
    await appendAuditEntry(tx, {
      workspaceId,
      actorId: null,
      actorRole: null,
      action: CHECKPOINT_ACTION,
      subject: "AuditEntry",
      subjectId: String(last.seq),
      purpose: null,
      decision: "allow",
      rule: null,
      reason: opts.reason ?? "old audit entries removed; verification starts after them",
      detail: { ...checkpoint },
      policyDigest: opts.policyDigest ?? null,
    });
    return { removed: deleted.length, checkpoint };
  });
}

/** Per chain, the entries recorded before `cutoff`: how many, and the newest one's seq (retention). */
export async function auditEntriesBefore(db: Db, cutoff: SQL): Promise<Array<{ workspaceId: string | null; entries: number; lastSeq: number }>> {
  const rows = await db
    .select({ workspaceId: auditLog.workspaceId, entries: sql<number>`count(*)::int`, lastSeq: sql<number>`max(${auditLog.seq})::bigint` })
    .from(auditLog)
    .where(sql`${auditLog.createdAt} < ${cutoff}`)
    .groupBy(auditLog.workspaceId);
  return rows.map((r) => ({ workspaceId: chainWorkspace(r.workspaceId), entries: Number(r.entries), lastSeq: Number(r.lastSeq) }));
}

/** Every chain (or one workspace's), as `npm run audit:verify` reports it: ok only when all are. */
export async function verifyAuditChains(db: Db, workspaceId?: string | null): Promise<{ ok: boolean; chains: ChainVerification[] }> {
  const ids = workspaceId === undefined ? await auditChains(db) : [workspaceId];
  const chains: ChainVerification[] = [];
  for (const id of ids) chains.push(await verifyAuditChain(db, id));
  return { ok: chains.every((c) => c.ok), chains };
}
