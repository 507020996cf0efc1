import { and, asc, count, desc, eq, getTableColumns, gt, inArray, lt, lte, or, sql, type Column, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client.js";
import { contacts } from "../../db/schema/index.js";
import type { SubjectName } from "../../authz/subjects.js";
import { badInput } from "../../graphql/errors.js";
import { decodeCursor, encodeCursor, OrderDirection, type PageResult } from "../../graphql/pagination.js";

/** A CRM table as the generic list/get/loader code sees it. */
export interface EntitySpec<Row extends { id: string }> {
  subject: SubjectName;
  table: PgTable;
  id: PgColumn;
  /** Sort keys offered by the API: enum value -> column and the row property it fills. */
  orders: Record<string, { column: PgColumn; key: keyof Row & string }>;
  /** Columns to load; all of the table's when omitted (users leave the password hash out). */
  columns?: Record<string, PgColumn>;
  /** Extra columns and join, for subjects whose guards look at the related contact. */
  personLink?: PgColumn;
}

export interface OrderInput {
  field: string;
  direction: OrderDirection;
}

/**
 * The privacy state of the related contact, loaded with each deal or interaction, so that
 * `can()` and field masks see what the SQL filter saw (`contact.processingRestricted`...).
 */
const personSnapshot = {
  snapshotConsented: contacts.consentedPurposes,
  snapshotObjected: contacts.objectedPurposes,
  snapshotRestricted: contacts.processingRestricted,
  snapshotErasedAt: contacts.erasedAt,
};

type Snapshot = { [K in keyof typeof personSnapshot]: unknown };

function shape<Row>(raw: Record<string, unknown>, linked: boolean): Row {
  if (!linked) return raw as Row;
  const { snapshotConsented, snapshotObjected, snapshotRestricted, snapshotErasedAt, ...row } = raw as Snapshot & Record<string, unknown>;
  const contact =
    snapshotRestricted === null
      ? undefined
      : { consentedPurposes: snapshotConsented, objectedPurposes: snapshotObjected, processingRestricted: snapshotRestricted, erasedAt: snapshotErasedAt };
  return { ...row, contact } as Row;
}

function baseQuery<Row extends { id: string }>(db: Db, spec: EntitySpec<Row>) {
  const columns = spec.columns ?? getTableColumns(spec.table);
  if (!spec.personLink) return db.select(columns).from(spec.table).$dynamic();
  return db
    .select({ ...columns, ...personSnapshot })
    .from(spec.table)
    .leftJoin(contacts, eq(contacts.id, spec.personLink))
    .$dynamic();
}

async function select<Row extends { id: string }>(
  db: Db,
  spec: EntitySpec<Row>,
  where: SQL | undefined,
  orderBy: SQL[],
  limit?: number,
): Promise<Row[]> {
  let query = baseQuery(db, spec).where(where).orderBy(...orderBy);
  if (limit !== undefined) query = query.limit(limit);
  const raw = (await query) as Record<string, unknown>[];
  return raw.map((r) => shape<Row>(r, spec.personLink !== undefined));
}

function sortValue(value: unknown): string | number | null {
  if (value instanceof Date) return value.toISOString();
  return value as string | number | null;
}

/** The cursor's sort value as the column's type; a forged one is bad input, not a 500. */
function cursorValue(column: Column, value: unknown): string | Date {
  const date = column.columnType === "PgTimestamp" && typeof value === "string" ? new Date(value) : undefined;
  if (date && !Number.isNaN(date.getTime())) return date;
  if (column.columnType !== "PgTimestamp" && typeof value === "string") return value;
  throw badInput("after", "is not a cursor this API issued");
}

/** One page by keyset on (sort column, id): stable under inserts, no OFFSET scans. */
export async function findPage<Row extends { id: string }>(
  db: Db,
  spec: EntitySpec<Row>,
  where: SQL,
  first: number,
  after: string | undefined,
  order: OrderInput,
): Promise<PageResult<Row>> {
  const sort = spec.orders[order.field];
  const orderKey = `${order.field}:${order.direction}`;
  const dir = order.direction === OrderDirection.ASC ? asc : desc;
  const beyond = order.direction === OrderDirection.ASC ? gt : lt;
  let keyset: SQL | undefined;
  if (after) {
    const cursor = decodeCursor(after, orderKey);
    const value = cursorValue(sort.column, cursor.value);
    keyset = or(beyond(sort.column, value), and(eq(sort.column, value), beyond(spec.id, cursor.id)));
  }
  const rows = first === 0 ? [] : await select(db, spec, and(where, keyset), [dir(sort.column), dir(spec.id)], first + 1);
  let counted: Promise<number> | undefined;
  return {
    rows: rows.slice(0, first),
    hasNextPage: rows.length > first,
    cursorOf: (row) => encodeCursor({ order: orderKey, value: sortValue(row[sort.key]), id: row.id }),
    count: () => (counted ??= countWhere(db, spec.table, where)),
  };
}

export async function countWhere(db: Db, table: PgTable, where: SQL): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table).where(where);
  return Number(row?.n ?? 0);
}

export function findByIds<Row extends { id: string }>(db: Db, spec: EntitySpec<Row>, ids: readonly string[], where: SQL): Promise<Row[]> {
  return select(db, spec, and(inArray(spec.id, [...ids]), where), []);
}

/**
 * Up to `limit` rows per parent for a batch of parents in one statement (a window function
 * ranks rows per parent), newest first: what a nested list through a DataLoader needs.
 */
export async function findGrouped<Row extends { id: string }>(
  db: Db,
  spec: EntitySpec<Row>,
  parent: PgColumn,
  parentIds: readonly string[],
  where: SQL,
  order: PgColumn,
  limit: number,
): Promise<Row[]> {
  if (parentIds.length === 0 || limit === 0) return [];
  const ranked = db
    .select({ id: spec.id, rn: sql<number>`row_number() over (partition by ${parent} order by ${order} desc, ${spec.id} desc)`.as("rn") })
    .from(spec.table)
    .where(and(inArray(parent, [...parentIds]), where))
    .as("ranked");
  const ids = db.select({ id: ranked.id }).from(ranked).where(lte(ranked.rn, limit));
  return select(db, spec, inArray(spec.id, ids), [desc(order), desc(spec.id)]);
}

/** Groups rows under their parent ids, in the order given, for DataLoader batch results. */
export function groupBy<Row>(rows: Row[], parentIds: readonly string[], key: (row: Row) => string | null): Row[][] {
  const groups = new Map<string, Row[]>(parentIds.map((id) => [id, []]));
  for (const row of rows) {
    const k = key(row);
    if (k !== null) groups.get(k)?.push(row);
  }
  return parentIds.map((id) => groups.get(id) ?? []);
}

/** Rows by id, in the order asked, null where hidden or missing. */
export function byId<Row extends { id: string }>(rows: Row[], ids: readonly string[]): Array<Row | null> {
  const found = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => found.get(id) ?? null);
}
