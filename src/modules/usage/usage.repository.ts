import { and, asc, count, desc, eq, gt, inArray, lt, ne, notInArray, sql, type SQL } from "drizzle-orm";
import { checkBatchSize, type BatchOptions } from "../../db/batches.js";
import type { Db } from "../../db/client.js";
import { usageEvents } from "../../db/schema/index.js";
import { badInput } from "../../errors.js";
import { isUuid } from "../common/crud.service.js";
import type { CursorScope } from "../common/cursor.js";
import { countWhere, openCursor } from "../common/entity-store.js";
import { cursorArgument, type PageRequest, type PageResult } from "../common/paging.js";
import type { UsageEventRow } from "./usage.type.js";

export type NewUsageEvent = typeof usageEvents.$inferInsert;

export async function insertUsageEvent(db: Db, row: NewUsageEvent): Promise<void> {
  await db.insert(usageEvents).values(row);
}

/** How many page views and feature uses a user reported in the last `seconds` (the user index answers). */
export async function recentReports(db: Db, userId: string, seconds: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.userId, userId),
        gt(usageEvents.occurredAt, sql`now() - make_interval(secs => ${seconds})`),
        inArray(usageEvents.kind, ["page_view", "feature"]),
      ),
    );
  return Number(row.n);
}

/** The list's only order, newest first; cursors carry (occurredAt, id), sealed like every cursor. */
const ORDER = "UsageEvent:OCCURRED_AT:DESC";

function cursorPosition(page: PageRequest, cursors: CursorScope): { at: Date; id: string } | undefined {
  const cursor = openCursor(page, ORDER, cursors);
  if (!cursor) return undefined;
  const at = typeof cursor.value === "string" ? new Date(cursor.value) : undefined;
  if (!at || Number.isNaN(at.getTime()) || !isUuid(cursor.id)) throw badInput(cursorArgument(page), "is not a cursor this API issued");
  return { at, id: cursor.id };
}

/**
 * Newest first, keyset on (occurred_at, id): one row comparison the workspace index
 * (workspace_id, occurred_at, id) answers. A backward page reads oldest first and is put back.
 */
export async function usagePage(db: Db, where: SQL, page: PageRequest, cursors: CursorScope): Promise<PageResult<UsageEventRow>> {
  const at = cursorPosition(page, cursors);
  const position =
    at && sql`(${usageEvents.occurredAt}, ${usageEvents.id}) ${page.forward ? sql`<` : sql`>`} (${sql.param(at.at, usageEvents.occurredAt)}, ${at.id}::uuid)`;
  const dir = page.forward ? desc : asc;
  const rows = await db
    .select()
    .from(usageEvents)
    .where(and(where, position))
    .orderBy(dir(usageEvents.occurredAt), dir(usageEvents.id))
    .limit(page.size + 1);
  const kept = rows.slice(0, page.size);
  if (!page.forward) kept.reverse();
  const more = rows.length > page.size;
  return {
    rows: kept,
    hasNextPage: page.forward && more,
    hasPreviousPage: !page.forward && more,
    cursorOf: (row) => cursors.codec.encode({ order: ORDER, value: row.occurredAt.toISOString(), id: row.id }, cursors.workspaceId),
    count: () => countWhere(db, usageEvents, where, cursors.countCap),
  };
}

export interface DeleteUsageOptions extends BatchOptions {
  /** Workspaces under a legal hold: none of their events is deleted. */
  excludeWorkspaceIds: string[];
}

/**
 * Usage events older than `cutoff` (privacy policy section 8: 12 months), except in the
 * excluded workspaces. A dry run counts them; a real run deletes the oldest first, `batchSize`
 * rows per statement (each batch atomic, short locks, the time index read from its start), and
 * returns how many went. The retention job calls it.
 */
export async function deleteUsageEventsBefore(db: Db, cutoff: Date, opts: DeleteUsageOptions): Promise<{ count: number }> {
  checkBatchSize(opts.batchSize);
  const bad = opts.excludeWorkspaceIds.find((id) => !isUuid(id));
  if (bad !== undefined) throw new RangeError(`excludeWorkspaceIds: "${bad}" is not a workspace id`);
  if (Number.isNaN(cutoff.getTime())) throw new RangeError("cutoff is not a valid date");
  const held = opts.excludeWorkspaceIds.length > 0 ? notInArray(usageEvents.workspaceId, opts.excludeWorkspaceIds) : undefined;
  const old = and(lt(usageEvents.occurredAt, cutoff), held);
  if (opts.dryRun) return { count: Number((await db.select({ n: count() }).from(usageEvents).where(old))[0].n) };
  let total = 0;
  for (;;) {
    // By physical row id (a TID scan): `id in (...)` let the planner hash-join a full scan.
    const batch = db.select({ ctid: sql`ctid` }).from(usageEvents).where(old).orderBy(usageEvents.occurredAt).limit(opts.batchSize);
    const deleted = await db.delete(usageEvents).where(sql`ctid = any(array(${batch}))`).returning({ id: usageEvents.id });
    total += deleted.length;
    if (deleted.length < opts.batchSize) return { count: total };
  }
}

/** A closed account's page views, feature use and actions; its sign-ins stay for their retention period. */
export async function deleteUsageOfClosedAccount(db: Db, workspaceId: string, userId: string): Promise<number> {
  const rows = await db
    .delete(usageEvents)
    .where(and(eq(usageEvents.workspaceId, workspaceId), eq(usageEvents.userId, userId), ne(usageEvents.kind, "login")))
    .returning({ id: usageEvents.id });
  return rows.length;
}
