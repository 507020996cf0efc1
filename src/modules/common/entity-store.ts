import { and, asc, count, desc, eq, gt, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { PERSON_STATE_FIELDS } from "../../authz/gates.js";
import type { Registry, Subject } from "../../authz/registry.js";
import type { Db } from "../../db/client.js";
import { badInput } from "../../errors.js";
import { decodeCursor, encodeCursor, OrderDirection, type PageResult } from "./paging.js";

export interface OrderInput {
  field: string;
  direction: OrderDirection;
}

/**
 * The privacy state of the linked person (the gates' PERSON_STATE columns), loaded with each
 * row of a subject linked to one, so that `can()` and field masks see what the SQL filter saw
 * (`contact.processingRestricted`...).
 */
function personLink(registry: Registry, subject: Subject) {
  if (!subject.person || !("relation" in subject.person)) return undefined;
  const name = subject.person.relation;
  const relation = subject.relations![name];
  const person = registry.get(relation.subject);
  const snapshot = Object.fromEntries(PERSON_STATE_FIELDS.map((f) => [`${SNAPSHOT}${f}`, person.columns[f]]));
  return { name, relation, person, snapshot };
}
const SNAPSHOT = "__person_";

/** A loaded row: the person's state moves under the relation name (`row.contact`). */
function shape<Row>(raw: Record<string, unknown>, relation: string | undefined): Row {
  if (!relation) return raw as Row;
  const row: Record<string, unknown> = {};
  const state: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith(SNAPSHOT)) state[key.slice(SNAPSHOT.length)] = value;
    else row[key] = value;
  }
  // No linked person (or none left): CASL's `undefined`, as the SQL filter's missing row.
  row[relation] = state.processingRestricted === null ? undefined : state;
  return row as Row;
}

function baseQuery(db: Db, registry: Registry, subject: Subject) {
  const link = personLink(registry, subject);
  if (!link) return db.select(subject.selected as Record<string, PgColumn>).from(subject.table).$dynamic();
  return db
    .select({ ...(subject.selected as Record<string, PgColumn>), ...(link.snapshot as Record<string, PgColumn>) })
    .from(subject.table)
    .leftJoin(link.person.table, eq(link.person.columns[link.person.key], link.relation.foreignKey))
    .$dynamic();
}

async function select<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  where: SQL | undefined,
  orderBy: SQL[],
  limit?: number,
): Promise<Row[]> {
  let query = baseQuery(db, registry, subject).where(where).orderBy(...orderBy);
  if (limit !== undefined) query = query.limit(limit);
  const raw = (await query) as Record<string, unknown>[];
  const relation = personLink(registry, subject)?.name;
  return raw.map((r) => shape<Row>(r, relation));
}

function sortValue(value: unknown): string | number | null {
  if (value instanceof Date) return value.toISOString();
  return value as string | number | null;
}

/** The cursor's sort value as the column's type; a forged one is bad input, not a 500. */
function cursorValue(column: PgColumn, value: unknown): string | Date {
  const date = column.columnType === "PgTimestamp" && typeof value === "string" ? new Date(value) : undefined;
  if (date && !Number.isNaN(date.getTime())) return date;
  if (column.columnType !== "PgTimestamp" && typeof value === "string") return value;
  throw badInput("after", "is not a cursor this API issued");
}

/** The column an API sort key (`LAST_NAME`) sorts by, and the row field it fills. */
export function sortKey(subject: Subject, field: string): { column: PgColumn; key: string } {
  const key = subject.sortable?.[field];
  if (!key) throw badInput("orderBy.field", `${subject.name} cannot be sorted by ${field}`);
  return { column: subject.columns[key], key };
}

/** One page by keyset on (sort column, id): stable under inserts, no OFFSET scans. */
export async function findPage<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  where: SQL,
  first: number,
  after: string | undefined,
  order: OrderInput,
): Promise<PageResult<Row>> {
  const sort = sortKey(subject, order.field);
  const id = subject.columns[subject.key];
  const orderKey = `${order.field}:${order.direction}`;
  const dir = order.direction === OrderDirection.ASC ? asc : desc;
  const beyond = order.direction === OrderDirection.ASC ? gt : lt;
  let keyset: SQL | undefined;
  if (after) {
    const cursor = decodeCursor(after, orderKey);
    const value = cursorValue(sort.column, cursor.value);
    keyset = or(beyond(sort.column, value), and(eq(sort.column, value), beyond(id, cursor.id)));
  }
  const rows = first === 0 ? [] : await select<Row>(db, registry, subject, and(where, keyset), [dir(sort.column), dir(id)], first + 1);
  let counted: Promise<number> | undefined;
  return {
    rows: rows.slice(0, first),
    hasNextPage: rows.length > first,
    cursorOf: (row) => encodeCursor({ order: orderKey, value: sortValue((row as Record<string, unknown>)[sort.key]), id: row.id }),
    count: () => (counted ??= countWhere(db, subject.table, where)),
  };
}

export async function countWhere(db: Db, table: PgTable, where: SQL): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table).where(where);
  return Number(row?.n ?? 0);
}

/** Rows matching `where`, in the given order, with the linked person's state for can(). */
export function findWhere<Row extends { id: string }>(db: Db, registry: Registry, subject: Subject, where: SQL, orderBy: SQL[]): Promise<Row[]> {
  return select<Row>(db, registry, subject, where, orderBy);
}

export function findByIds<Row extends { id: string }>(db: Db, registry: Registry, subject: Subject, ids: readonly string[], where: SQL): Promise<Row[]> {
  return select<Row>(db, registry, subject, and(inArray(subject.columns[subject.key], [...ids]), where), []);
}

/**
 * Up to `limit` rows per parent for a batch of parents in one statement (a window function
 * ranks rows per parent), newest first: what a nested list through a DataLoader needs.
 */
export async function findGrouped<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  parent: PgColumn,
  parentIds: readonly string[],
  where: SQL,
  order: PgColumn,
  limit: number,
): Promise<Row[]> {
  if (parentIds.length === 0 || limit === 0) return [];
  const id = subject.columns[subject.key];
  const ranked = db
    .select({ id, rn: sql<number>`row_number() over (partition by ${parent} order by ${order} desc, ${id} desc)`.as("rn") })
    .from(subject.table)
    .where(and(inArray(parent, [...parentIds]), where))
    .as("ranked");
  const ids = db.select({ id: ranked.id }).from(ranked).where(lte(ranked.rn, limit));
  return select<Row>(db, registry, subject, inArray(id, ids), [desc(order), desc(id)]);
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

/** Inserts one row and returns its id. */
export async function insertRow(db: Db, subject: Subject, values: Record<string, unknown>): Promise<string> {
  const id = subject.columns[subject.key];
  const [created] = (await db.insert(subject.table).values(values as never).returning({ id })) as Array<{ id: string }>;
  return created.id;
}

/** Updates one row if `where` (the ability's filter) still holds for it, in the same statement. */
export async function updateRow(db: Db, subject: Subject, id: string, changes: Record<string, unknown>, where: SQL): Promise<boolean> {
  const key = subject.columns[subject.key];
  const updated = await db.update(subject.table).set(changes as never).where(and(eq(key, id), where)).returning({ id: key });
  return updated.length > 0;
}

/** Deletes one row if `where` (the ability's filter) still holds for it, in the same statement. */
export async function deleteRow(db: Db, subject: Subject, id: string, where: SQL): Promise<boolean> {
  const key = subject.columns[subject.key];
  const deleted = await db.delete(subject.table).where(and(eq(key, id), where)).returning({ id: key });
  return deleted.length > 0;
}

/**
 * The linked person's privacy state, read under a row lock in the caller's transaction: a
 * consent withdrawn, an objection or a restriction committed meanwhile is seen (the lock waits
 * for it), and none can commit until the write that checked this state has.
 */
export async function lockPersonState(tx: Db, registry: Registry, personSubject: string, id: string, workspaceId: string): Promise<Record<string, unknown> | undefined> {
  const person = registry.get(personSubject);
  const columns = Object.fromEntries(PERSON_STATE_FIELDS.map((f) => [f, person.columns[f]])) as Record<string, PgColumn>;
  const where = and(eq(person.columns[person.key], id), eq(person.columns[person.tenant], workspaceId));
  const [row] = await tx.select(columns).from(person.table).where(where).for("share");
  return row;
}
