import { and, asc, desc, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client.js";
import { badInput } from "../../errors.js";
import type { CursorScope } from "./cursor.js";
import { isUuid } from "./crud.service.js";
import { countWhere, openCursor } from "./entity-store.js";
import { cursorArgument, type PageRequest, type PageResult } from "./paging.js";

/** A list newest first by a timestamp, ties broken by the uuid primary key; `order` names it in cursors. */
export interface NewestFirst {
  table: PgTable;
  time: PgColumn;
  id: PgColumn;
  order: string;
}

function cursorPosition(list: NewestFirst, page: PageRequest, cursors: CursorScope): { at: string; id: string } | undefined {
  const cursor = openCursor(page, list.order, cursors);
  if (!cursor) return undefined;
  if (typeof cursor.value !== "string" || Number.isNaN(Date.parse(cursor.value)) || !isUuid(cursor.id)) {
    throw badInput(cursorArgument(page), "is not a cursor this API issued");
  }
  return { at: cursor.value, id: cursor.id };
}

/** One page by keyset on (time, id), newest first; a backward page reads the other way and is put back. */
export async function newestFirstPage<Row extends { id: string }>(
  db: Db,
  list: NewestFirst,
  columns: Record<string, PgColumn | SQL>,
  timeOf: (row: Row) => Date,
  where: SQL,
  page: PageRequest,
  cursors: CursorScope,
): Promise<PageResult<Row>> {
  const at = cursorPosition(list, page, cursors);
  const key = sql`(${list.time}, ${list.id})`;
  const keyset =
    at === undefined ? undefined : page.forward ? sql`${key} < (${at.at}::timestamptz, ${at.id}::uuid)` : sql`${key} > (${at.at}::timestamptz, ${at.id}::uuid)`;
  const order = page.forward ? [desc(list.time), desc(list.id)] : [asc(list.time), asc(list.id)];
  const rows = (await db
    .select(columns)
    .from(list.table)
    .where(and(where, keyset))
    .orderBy(...order)
    .limit(page.size + 1)) as unknown as Row[];
  const kept = rows.slice(0, page.size);
  if (!page.forward) kept.reverse();
  const more = rows.length > page.size;
  return {
    rows: kept,
    hasNextPage: page.forward && more,
    hasPreviousPage: !page.forward && more,
    cursorOf: (row) => cursors.codec.encode({ order: list.order, value: timeOf(row).toISOString(), id: row.id }, cursors.workspaceId),
    count: () => countWhere(db, list.table, where, cursors.countCap),
  };
}
