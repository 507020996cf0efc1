import { sql } from "drizzle-orm";
import { foreignKey, primaryKey, timestamp, uuid, type PgColumn } from "drizzle-orm/pg-core";

// A row id. Not a key on its own: a tenant table's primary key is (workspace_id, id), so that
// Citus can distribute it by workspace_id (every key and foreign key must include the
// distribution column). src/db/tenancy.ts lists the tables that are not distributed.
export const id = () => uuid("id").notNull().default(sql`gen_random_uuid()`);

/** The primary key of a tenant table: `(workspace_id, id)`. */
export const tenantKey = (t: { workspaceId: PgColumn; id: PgColumn }) => primaryKey({ columns: [t.workspaceId, t.id] });

/**
 * A foreign key between two tenant tables: `(workspace_id, column) -> target(workspace_id, id)`,
 * so a row can only point into its own workspace (and Citus keeps both on one shard). A nullable
 * `column` with MATCH SIMPLE is not checked while null. `on delete set null` must name the column
 * (`set null (column)`), which drizzle cannot say: the migration re-adds those by hand.
 */
export const tenantFk = (name: string, workspaceId: PgColumn, column: PgColumn, target: { workspaceId: PgColumn; id: PgColumn }) =>
  foreignKey({ name, columns: [workspaceId, column], foreignColumns: [target.workspaceId, target.id] });

/**
 * The time a ledger row is written, for rows appended after the lock on the state they record
 * (consent, restriction, objection): the statement's clock, not the transaction's start. Two
 * transactions change one person's state in the order they take the row's lock; with now() a
 * transaction that began first but locked second would stamp its event earlier, and the
 * ledger's latest event would contradict the state. `nth` orders the events of one statement
 * by a millisecond each, the column's precision.
 */
export const ledgerTime = (nth = 0) => sql.raw(`clock_timestamp() + interval '${Math.trunc(nth)} milliseconds'`);

export const createdAt = () => timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow();
export const updatedAt = () => timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow();

/** SQL `CHECK (col IN (...))` for a text column holding one of a fixed list. */
export function oneOf(column: string, values: readonly string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);
}
