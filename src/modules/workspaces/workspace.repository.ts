import { and, eq, getTableName, is, lt, sql, type SQL } from "drizzle-orm";
import { getTableConfig, PgTable, type PgColumn } from "drizzle-orm/pg-core";
import { rowsOf, type Db } from "../../db/client.js";
import * as schema from "../../db/schema/index.js";
import { stripeEvents, workspacePurges, workspaces } from "../../db/schema/index.js";

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type SubscriptionStatus = (typeof schema.SUBSCRIPTION_STATUSES)[number];
export type CancelledBy = (typeof schema.CANCELLED_BY)[number];
export interface SubscriptionChange {
  subscriptionStatus: SubscriptionStatus;
  cancelledAt: Date | null;
  cancelledBy: CancelledBy | null;
}

/** The workspace row under a row lock (the caller's transaction), or undefined. */
export async function lockWorkspace(tx: Db, id: string): Promise<WorkspaceRow | undefined> {
  const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, id)).for("update");
  return row;
}

/** The workspace billed to a Stripe customer, under a row lock, or undefined. */
export async function lockWorkspaceByStripeCustomer(tx: Db, customerId: string): Promise<WorkspaceRow | undefined> {
  const [row] = await tx.select().from(workspaces).where(eq(workspaces.stripeCustomerId, customerId)).for("update");
  return row;
}

export async function findWorkspace(db: Db, id: string): Promise<WorkspaceRow | undefined> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
  return row;
}

/** Sets the status and cancellation time; never touches a purged workspace. */
export async function setSubscription(tx: Db, id: string, change: SubscriptionChange): Promise<WorkspaceRow> {
  const [row] = await tx
    .update(workspaces)
    .set(change)
    .where(and(eq(workspaces.id, id), sql`${workspaces.subscriptionStatus} <> 'purged'`))
    .returning();
  return row;
}

/** Cancelled workspaces (the candidates of a purge run), oldest cancellation first. */
export function cancelledWorkspaces(db: Db): Promise<Array<{ id: string; cancelledAt: Date | null }>> {
  return db
    .select({ id: workspaces.id, cancelledAt: workspaces.cancelledAt })
    .from(workspaces)
    .where(eq(workspaces.subscriptionStatus, "cancelled"))
    .orderBy(workspaces.cancelledAt, workspaces.id);
}

/**
 * Claims a Stripe event id: true the first time, false for a redelivery (the unique key makes
 * a concurrent duplicate wait for the first and then see it).
 */
export async function claimStripeEvent(tx: Db, event: { id: string; type: string; outcome: string }): Promise<boolean> {
  const claimed = await tx.insert(stripeEvents).values(event).onConflictDoNothing().returning({ id: stripeEvents.id });
  return claimed.length > 0;
}

/** A table whose rows reference a workspace, and the referencing column. */
interface TenantTable {
  name: string;
  table: PgTable;
  column: PgColumn;
}

/**
 * What purging a workspace means is read from the foreign keys to `workspaces`, declared once
 * in src/db/schema: a table whose key cascades holds account data, deleted with the account;
 * a table whose key restricts (the consent ledgers) is proof kept for its own retention.
 * Tables with no such key (audit_log, workspace_purges) are not account data and stay too.
 * `deleted` is ordered children first, so each delete counts its own rows and no cascade
 * removes rows another delete would have counted.
 */
export function tenantTables(): { deleted: TenantTable[]; kept: TenantTable[] } {
  const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
  const deleted: TenantTable[] = [];
  const kept: TenantTable[] = [];
  for (const table of tables) {
    for (const fk of getTableConfig(table).foreignKeys) {
      const ref = fk.reference();
      if (ref.foreignTable !== workspaces || ref.columns.length !== 1) continue;
      const entry = { name: getTableName(table), table, column: ref.columns[0] };
      (fk.onDelete === "cascade" ? deleted : kept).push(entry);
    }
  }
  return { deleted: childrenFirst(deleted), kept };
}

/** Orders tables so that one referencing another comes before it. */
function childrenFirst(entries: TenantTable[]): TenantTable[] {
  const parentsOf = new Map(
    entries.map((e) => [
      e.table,
      new Set(
        getTableConfig(e.table)
          .foreignKeys.map((fk) => fk.reference().foreignTable)
          .filter((t) => t !== e.table),
      ),
    ]),
  );
  const ordered: TenantTable[] = [];
  const left = [...entries];
  while (left.length > 0) {
    // A table goes next when no table still left references it.
    const next = left.findIndex((candidate) => !left.some((other) => other !== candidate && parentsOf.get(other.table)?.has(candidate.table)));
    if (next < 0) throw new Error(`tenant tables reference each other in a cycle: ${left.map((e) => e.name).join(", ")}`);
    ordered.push(...left.splice(next, 1));
  }
  return ordered;
}

async function scalar(db: Db, query: SQL): Promise<number> {
  const [row] = rowsOf<{ n: number | string }>(await db.execute(query));
  return Number(row?.n ?? 0);
}

export function countRows(db: Db, t: TenantTable, workspaceId: string): Promise<number> {
  return scalar(db, sql`select count(*) as n from ${t.table} where ${t.column} = ${workspaceId}`);
}

/** Deletes a workspace's rows of one table and says how many went. */
export function deleteRows(tx: Db, t: TenantTable, workspaceId: string): Promise<number> {
  return scalar(tx, sql`with gone as (delete from ${t.table} where ${t.column} = ${workspaceId} returning 1) select count(*) as n from gone`);
}

/**
 * What is left of a purged workspace: its id (the ledgers' proof points at it), plan, dates
 * and status. The name and the Stripe customer id go with the rest of the account.
 */
export async function tombstone(tx: Db, id: string, purgedAt: Date): Promise<void> {
  await tx.update(workspaces).set({ subscriptionStatus: "purged", purgedAt, name: PURGED_NAME, stripeCustomerId: null }).where(eq(workspaces.id, id));
}

export const PURGED_NAME = "(purged)";

export async function recordPurge(tx: Db, values: typeof workspacePurges.$inferInsert): Promise<void> {
  await tx.insert(workspacePurges).values(values);
}

/** Sets the workspace's time zone if `where` (the ability's filter) holds; false otherwise. */
export async function updateTimeZone(db: Db, id: string, timeZone: string | null, where: SQL): Promise<boolean> {
  const rows = await db
    .update(workspaces)
    .set({ timeZone })
    .where(and(eq(workspaces.id, id), where))
    .returning({ id: workspaces.id });
  return rows.length > 0;
}
