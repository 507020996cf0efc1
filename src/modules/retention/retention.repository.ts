import { sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { rowsOf, type Db } from "../../db/client.js";

/** What one sweep found (and, unless a dry run, deleted), per workspace (`null`: not tenant data). */
export interface SweepCounts {
  due: number;
  deleted: number;
  /** Due, but kept by a legal hold. */
  held: number;
  byWorkspace: Record<string, { deleted: number; held: number }>;
  /** What a sweep that is more than a delete did, per item (a purged workspace's row counts). */
  details?: unknown[];
}

export interface SweepSpec {
  table: PgTable;
  /** Row identity for batched deletes (a primary key, or `ctid` for tables keyed otherwise). */
  key: SQL;
  /** The tenant column, or `null` for tables that are not tenant data. */
  workspace: SQL | null;
  /** The rows whose retention period has run out. */
  due: SQL;
  /** Of those, the rows a legal hold keeps; omitted for data no hold can concern. */
  held?: SQL;
  /** Wraps each batch's transaction (the ledgers' append-only maintenance path). */
  inTransaction?: (tx: Db, run: () => Promise<void>) => Promise<void>;
}

const KEY_NONE = "(none)";

/**
 * Counts the due rows and, unless `dryRun`, deletes the ones no hold keeps, `batchSize` at a
 * time, each batch in its own short transaction (a big backlog never holds one long lock).
 */
export async function sweep(db: Db, spec: SweepSpec, opts: { dryRun: boolean; batchSize: number }): Promise<SweepCounts> {
  const workspace = spec.workspace ?? sql`null::uuid`;
  const held = spec.held ?? sql`false`;
  const counted = rowsOf<{ ws: string | null; held: boolean; n: number | string }>(
    await db.execute(sql`select ${workspace} as ws, ${held} as held, count(*) as n from ${spec.table} where ${spec.due} group by 1, 2`),
  );
  const counts: SweepCounts = { due: 0, deleted: 0, held: 0, byWorkspace: {} };
  const slot = (ws: string | null) => (counts.byWorkspace[ws ?? KEY_NONE] ??= { deleted: 0, held: 0 });
  for (const row of counted) {
    const n = Number(row.n);
    counts.due += n;
    if (row.held) {
      counts.held += n;
      slot(row.ws).held += n;
    }
  }
  if (opts.dryRun) {
    counts.deleted = 0;
    return counts;
  }
  for (;;) {
    let batch: Array<{ ws: string | null }> = [];
    await db.transaction(async (tx: Db) => {
      const run = async () => {
        batch = rowsOf<{ ws: string | null }>(
          await tx.execute(sql`
            delete from ${spec.table} where ${spec.key} = any(array(
              select ${spec.key} from ${spec.table} where ${spec.due} and not ${held} limit ${opts.batchSize}
              for update skip locked
            )) returning ${workspace} as ws`),
        );
      };
      if (spec.inTransaction) await spec.inTransaction(tx, run);
      else await run();
    });
    for (const row of batch) {
      counts.deleted += 1;
      slot(row.ws).deleted += 1;
    }
    if (batch.length < opts.batchSize) break;
  }
  return counts;
}
