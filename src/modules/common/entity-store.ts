import { and, Column, eq, gt, isNotNull, isNull, lt, lte, or, SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { PERSON_STATE_FIELDS } from "../../authz/gates.js";
import type { Registry, Subject } from "../../authz/registry.js";
import { rowsOf, type Db } from "../../db/client.js";
import { badInput } from "../../errors.js";
import { OrderDirection } from "./paging.js";
import { CursorError, type Cursor, type CursorScope } from "./cursor.js";
import { cappedTotal, cursorArgument, DEFAULT_COUNT_CAP, type PageRequest, type PageResult, type TotalCount } from "./paging.js";

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
  const link = subject.personLink;
  if (!link) return undefined;
  const person = registry.get(link.subject);
  const snapshot = Object.fromEntries(PERSON_STATE_FIELDS.map((f) => [`${SNAPSHOT}${f}`, person.columns[f]]));
  return { name: link.relation, foreignKey: link.foreignKey, person, snapshot };
}
const SNAPSHOT = "__person_";
/** Selection keys of values read beside a row (findPage `beside`), kept out of the row. */
const BESIDE = "__beside_";

/**
 * The linked person by the whole key, (workspace_id, id): the person's primary key is
 * composite (tenant keys), and by id alone PostgreSQL walks that index past every workspace
 * (0.15 ms a row at 10k contacts).
 */
function personJoin(subject: Subject, link: NonNullable<ReturnType<typeof personLink>>): SQL {
  const { person } = link;
  return and(eq(person.columns[person.tenant], subject.columns[subject.tenant]), eq(person.columns[person.key], link.foreignKey))!;
}

/**
 * `column = any($1::type[])`: one parameter for any number of values, so a loader's statement
 * has one text (one prepared statement, one plan) whether it looks up 1 id or 200.
 */
export function anyOf(column: PgColumn, values: readonly unknown[]): SQL {
  return sql`${column} = any(${sql.param([...values])}::${sql.raw(column.getSQLType())}[])`;
}

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

/** The decoder drizzle's own row mapper would pick for a selected column or expression. */
function decoderOf(field: unknown): Decoder {
  if (field instanceof Column) return field;
  // `decoder` is what `.mapWith()` sets (drizzle keeps it out of its public types).
  if (field instanceof SQL) return (field as unknown as { decoder: Decoder }).decoder;
  if (field instanceof SQL.Aliased) return (field.sql as unknown as { decoder: Decoder }).decoder;
  throw new Error("entity-store selects columns and SQL expressions only");
}

type Selection = Record<string, unknown>;
/** What the hot selects build: a query that drizzle prepares (both drivers) and runs. */
interface Preparable {
  _prepare(): { customResultMapper?: (rows: unknown[][]) => unknown; execute(): Promise<unknown> };
}

/**
 * Runs a flat select (each key one column or expression, in the selection's order) and maps
 * its rows by hand into `{ row, sortValue }`, with the linked person's state (the SNAPSHOT
 * columns) under the relation name (`row.contact`); no linked person (or none left) is CASL's
 * `undefined`, as the SQL filter's missing row. Drizzle's own mapper decides for each value of
 * each row what kind of selection it came from (a fifth of a nested page's CPU went there);
 * this decides once per statement, with the same decoders and the same null handling.
 */
async function selectMapped<Row>(
  query: unknown,
  selection: Selection,
  relation: string | undefined,
): Promise<Array<{ row: Row; sortValue: unknown; beside?: Record<string, unknown> }>> {
  const keys = Object.keys(selection);
  const n = keys.length;
  const decoders = keys.map((key) => decoderOf(selection[key]));
  // 0: the row's own column, 1: the person's state, 2: the sort value, 3: read beside the row.
  const kinds = keys.map((key) => (key === "sortValue" ? 2 : key.startsWith(BESIDE) ? 3 : relation && key.startsWith(SNAPSHOT) ? 1 : 0));
  const names = keys.map((key, i) => (kinds[i] === 1 ? key.slice(SNAPSHOT.length) : kinds[i] === 3 ? key.slice(BESIDE.length) : key));
  const besides = kinds.includes(3);
  const prepared = (query as Preparable)._prepare();
  prepared.customResultMapper = (rows) =>
    rows.map((values) => {
      const row: Record<string, unknown> = {};
      const state: Record<string, unknown> = {};
      const beside: Record<string, unknown> = {};
      let sortValue: unknown;
      for (let i = 0; i < n; i++) {
        const raw = values[i];
        const value = raw === null ? null : decoders[i].mapFromDriverValue(raw);
        const kind = kinds[i];
        if (kind === 0) row[names[i]] = value;
        else if (kind === 1) state[names[i]] = value;
        else if (kind === 2) sortValue = value;
        else beside[names[i]] = value;
      }
      if (relation) row[relation] = state.processingRestricted === null ? undefined : state;
      return besides ? { row: row as Row, sortValue, beside } : { row: row as Row, sortValue };
    });
  return (await prepared.execute()) as Array<{ row: Row; sortValue: unknown; beside?: Record<string, unknown> }>;
}

function baseQuery(db: Db, registry: Registry, subject: Subject, extra: Record<string, SQL> = {}) {
  const columns = { ...(subject.selected as Record<string, PgColumn>), ...extra };
  const link = personLink(registry, subject);
  if (!link) return { selection: columns as Selection, query: db.select(columns).from(subject.table).$dynamic() };
  const selection = { ...columns, ...(link.snapshot as Record<string, PgColumn>) };
  return {
    selection: selection as Selection,
    query: db.select(selection).from(subject.table).leftJoin(link.person.table, personJoin(subject, link)).$dynamic(),
  };
}

async function select<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  where: SQL | undefined,
  orderBy: SQL[],
  limit?: number,
): Promise<Row[]> {
  return (await selectSorted<Row>(db, registry, subject, where, orderBy, limit)).map((r) => r.row);
}

/** Rows with the value they were sorted on (what their cursor carries), when a sort is given. */
async function selectSorted<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  where: SQL | undefined,
  orderBy: SQL[],
  limit?: number,
  sort?: SortKey,
  beside: Record<string, SQL> = {},
): Promise<Array<{ row: Row; sortValue: unknown; beside?: Record<string, unknown> }>> {
  const extra: Record<string, SQL> = sort ? { ...beside, sortValue: sql`${sort.expr}`.mapWith(sort.column) } : beside;
  const base = baseQuery(db, registry, subject, extra);
  let query = base.query.where(where).orderBy(...orderBy);
  if (limit !== undefined) query = query.limit(limit);
  return selectMapped<Row>(query, base.selection, personLink(registry, subject)?.name);
}

/**
 * The first `limit` rows per parent (ranked per parent by a window function in `order`), in one
 * pass over the rows of those parents: the window runs over the same joined select that
 * returns the columns, so no second read of the table; in rank order (grouped by the caller).
 */
async function selectRanked<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  parent: PgColumn,
  parentIds: readonly string[],
  where: SQL | undefined,
  order: SQL[],
  limit: number,
  sort?: SortKey,
): Promise<Array<{ row: Row; sortValue: unknown }>> {
  if (parentIds.length === 0) return [];
  const link = personLink(registry, subject);
  // Columns stay columns (drizzle maps them fastest); a person column whose name the row's
  // table also has gets an alias, so the subquery's column names stay unique.
  const own = subject.selected as Record<string, PgColumn>;
  const names = new Set(Object.values(own).map((c) => c.name));
  const snapshot = Object.fromEntries(
    Object.entries((link?.snapshot ?? {}) as Record<string, PgColumn>).map(([key, column]) => [
      key,
      names.has(column.name) ? sql`${column}`.mapWith(column).as(`person_${column.name}`) : column,
    ]),
  );
  const shown = { ...own, ...snapshot, ...(sort ? { sortValue: sql`${sort.expr}`.mapWith(sort.column).as("sort_value") } : {}) };
  const rn = sql<number>`row_number() over (partition by ${parent} order by ${sql.join(order, sql`, `)})`.as("rn");
  let inner = db
    .select({ ...shown, rn })
    .from(subject.table)
    .$dynamic();
  if (link) inner = inner.leftJoin(link.person.table, personJoin(subject, link));
  const ranked = inner.where(and(anyOf(parent, parentIds), where)).as("ranked");
  // The rank orders and cuts the rows but is not read back.
  const fields = Object.fromEntries(Object.keys(shown).map((key) => [key, ranked[key as keyof typeof ranked]]));
  const query = db
    .select(fields as unknown as Record<string, PgColumn>)
    .from(ranked)
    .where(lte(ranked.rn, limit))
    .orderBy(ranked.rn);
  // The outer select reads the subquery's columns in `shown`'s order, decoded as `shown` says.
  return selectMapped<Row>(query, shown, link?.name);
}

/**
 * What a list is ordered by: a column, or (for a field the caller may read on some rows only)
 * the column where readable and NULL elsewhere, so the order shows nothing of masked values.
 */
export interface SortKey {
  /** Names this order in cursors: a cursor is valid only for the same name. */
  name: string;
  expr: SQL;
  /** The column the value comes from: its type reads a cursor's value back. */
  column: PgColumn;
  direction: OrderDirection;
  /** NULL sort values occur (masked rows): they sort last, and the keyset handles them. */
  nullable: boolean;
}

/** The order rows are read in: the list's own, or its reverse for a backward page. */
interface ReadOrder {
  ascending: boolean;
  nullsLast: boolean;
}

function readOrder(sort: SortKey, forward: boolean): ReadOrder {
  return { ascending: (sort.direction === OrderDirection.ASC) === forward, nullsLast: forward };
}

function orderBy(sort: SortKey, read: ReadOrder, id: PgColumn): SQL[] {
  const dir = read.ascending ? sql`asc` : sql`desc`;
  // NULLS is spelt out only where NULLs occur: a plain column keeps its index order.
  const first = sort.nullable ? sql`${sort.expr} ${dir} nulls ${read.nullsLast ? sql`last` : sql`first`}` : sql`${sort.expr} ${dir}`;
  return [first, sql`${id} ${dir}`];
}

/** Rows strictly past the cursor in the read order, NULL sort values included. */
function beyond(sort: SortKey, read: ReadOrder, id: PgColumn, cursor: { value: unknown; id: string }): SQL {
  const cmp = read.ascending ? gt : lt;
  const pastId = cmp(id, cursor.id);
  if (cursor.value === null) {
    // The cursor is in the NULL group: it ends the order (forward) or starts it (backward).
    return read.nullsLast ? and(isNull(sort.expr), pastId)! : or(isNotNull(sort.expr), and(isNull(sort.expr), pastId))!;
  }
  const value = sql.param(cursor.value, sort.column);
  const past = or(cmp(sort.expr, value), and(eq(sort.expr, value), pastId))!;
  return sort.nullable && read.nullsLast ? or(past, isNull(sort.expr))! : past;
}

/** The column an API sort key (`LAST_NAME`) sorts by, and the row field it fills. */
export function sortColumn(subject: Subject, field: string): { column: PgColumn; key: string } {
  const key = subject.sortable?.[field];
  if (!key) throw badInput("orderBy.field", `${subject.name} cannot be sorted by ${field}`);
  return { column: subject.columns[key], key };
}

function sortValue(value: unknown): string | number | null {
  if (value instanceof Date) return value.toISOString();
  return value as string | number | null;
}

/** The cursor's sort value as the column's type; one that does not fit is bad input, not a 500. */
function cursorValue(sort: SortKey, value: unknown, arg: string): string | Date | null {
  if (value === null && sort.nullable) return null;
  const timestamp = sort.column.columnType === "PgTimestamp";
  const date = timestamp && typeof value === "string" ? new Date(value) : undefined;
  if (date && !Number.isNaN(date.getTime())) return date;
  if (!timestamp && typeof value === "string") return value;
  throw badInput(arg, "is not a cursor this API issued");
}

/** The page's cursor, if any, opened for this order; anything else is bad input naming the argument. */
export function openCursor(page: PageRequest, order: string, cursors: CursorScope): Cursor | undefined {
  if (!page.cursor) return undefined;
  try {
    return cursors.codec.decode(page.cursor, cursors.workspaceId, order);
  } catch (error) {
    if (error instanceof CursorError) throw badInput(cursorArgument(page), error.message);
    throw error;
  }
}

function keysetOf(page: PageRequest, sort: SortKey, read: ReadOrder, id: PgColumn, cursors: CursorScope): SQL | undefined {
  const cursor = openCursor(page, sort.name, cursors);
  return cursor && beyond(sort, read, id, { value: cursorValue(sort, cursor.value, cursorArgument(page)), id: cursor.id });
}

/** Cuts the extra row that tells whether more follow, and puts a backward page in list order. */
function toPage<Row extends { id: string }>(
  sorted: Array<{ row: Row; sortValue: unknown }>,
  page: PageRequest,
  sort: SortKey,
  cursors: CursorScope,
  count: () => Promise<TotalCount>,
): PageResult<Row> {
  const more = sorted.length > page.size;
  const kept = sorted.slice(0, page.size);
  if (!page.forward) kept.reverse();
  const values = new Map(kept.map(({ row, sortValue: v }) => [row, sortValue(v)]));
  return {
    rows: kept.map((r) => r.row),
    hasNextPage: page.forward && more,
    hasPreviousPage: !page.forward && more,
    cursorOf: (row) => cursors.codec.encode({ order: sort.name, value: values.get(row) ?? null, id: row.id }, cursors.workspaceId),
    count,
  };
}

/**
 * One page by keyset on (sort expression, id): stable under inserts, no OFFSET scans. A
 * backward page reads the reverse order from its cursor. One row more than asked tells whether
 * another page follows, also for `first: 0`.
 */
export async function findPage<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  where: SQL,
  page: PageRequest,
  sort: SortKey,
  cursors: CursorScope,
  beside?: Beside,
): Promise<PageResult<Row>> {
  const id = subject.columns[subject.key];
  const read = readOrder(sort, page.forward);
  const keyset = keysetOf(page, sort, read, id, cursors);
  const cap = cursors.countCap ?? DEFAULT_COUNT_CAP;
  const extra: Record<string, SQL> = {};
  if (beside?.json) extra[`${BESIDE}json`] = sql`${beside.json}`.mapWith(parseJson);
  if (beside?.count) extra[`${BESIDE}total`] = sql`${countExpression({ table: subject.table, where, cap })}`.mapWith(Number);
  const sorted = await selectSorted<Row>(db, registry, subject, and(where, keyset), orderBy(sort, read, id), page.size + 1, sort, extra);
  let counted: Promise<TotalCount> | undefined;
  // A count read beside the rows stands for the count; with no row, it was not read.
  const total = sorted[0]?.beside?.total;
  if (typeof total === "number") counted = Promise.resolve(cappedTotal(total, cap));
  const result = toPage(sorted, page, sort, cursors, () => (counted ??= countWhere(db, subject.table, where, cap)));
  if (!beside?.json) return result;
  const json = new Map(sorted.map((r) => [r.row, r.beside?.json]));
  return { ...result, beside: result.rows.map((row) => json.get(row)) };
}

/** Values a page's own statement reads beside its rows (the compiled page): per-row JSON, and the count. */
export interface Beside {
  json?: SQL;
  count?: boolean;
}

/**
 * One page per parent for a batch of parents, in one statement (rows ranked per parent by a
 * window function, the keyset applied to every parent): what a nested connection through a
 * DataLoader needs. `count(parentId)` counts each parent's rows (batched by the caller).
 */
export async function findGroupedPages<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  parent: { column: PgColumn; key: keyof Row & string },
  parentIds: readonly string[],
  where: SQL,
  page: PageRequest,
  sort: SortKey,
  cursors: CursorScope,
  count: (parentId: string) => Promise<TotalCount>,
): Promise<Array<PageResult<Row>>> {
  const id = subject.columns[subject.key];
  const read = readOrder(sort, page.forward);
  const keyset = keysetOf(page, sort, read, id, cursors);
  const order = orderBy(sort, read, id);
  const sorted = await selectRanked<Row>(db, registry, subject, parent.column, parentIds, and(where, keyset), order, page.size + 1, sort);
  const groups = groupBy(sorted, parentIds, (r) => r.row[parent.key] as string | null);
  return groups.map((group, i) => toPage(group, page, sort, cursors, () => count(parentIds[i])));
}

/**
 * Rows matching `where` (the caller's policy filter and their own), counted up to `cap`: at
 * most cap + 1 rows are read, so a count costs the same at 20,000 visible rows as at 2
 * million. No planner estimate: it would count rows the caller may not see.
 */
export async function countWhere(db: Db, table: PgTable, where: SQL, cap = DEFAULT_COUNT_CAP): Promise<TotalCount> {
  const [row] = rowsOf<{ n: string | number }>(await db.execute(sql`select ${countExpression({ table, where, cap })} as n`));
  return cappedTotal(Number(row?.n ?? 0), cap);
}

/** The count as an expression: countWhere's statement, or read beside a page's rows (findPage). */
function countExpression({ table, where, cap }: { table: PgTable; where: SQL; cap: number }): SQL {
  return sql`(select count(*) from (select 1 from ${table} where ${where} limit ${sql.raw(String(Math.trunc(cap) + 1))}) limited)`;
}

/**
 * Rows per parent for a batch of parents, in one statement, each counted up to `cap` as above
 * (a correlated count per parent id); 0 for a parent with none.
 */
export async function countGrouped(
  db: Db,
  table: PgTable,
  parent: PgColumn,
  parentIds: readonly string[],
  where: SQL,
  cap = DEFAULT_COUNT_CAP,
): Promise<TotalCount[]> {
  if (parentIds.length === 0) return [];
  const type = sql.raw(parent.getSQLType());
  const rows = rowsOf<{ parent: string; n: string | number }>(
    await db.execute(sql`select p.id::text as parent, (select count(*) from (select 1 from ${table} where ${parent} = p.id and ${where} limit ${cap + 1}) limited) as n
      from unnest(${sql.param([...parentIds])}::${type}[]) as p(id)`),
  );
  const counts = new Map(rows.map((r) => [r.parent, Number(r.n)]));
  return parentIds.map((id) => cappedTotal(counts.get(id) ?? 0, cap));
}

/** Rows matching `where`, in the given order (the first `limit` of them), with the linked person's state for can(). */
export function findWhere<Row extends { id: string }>(
  db: Db,
  registry: Registry,
  subject: Subject,
  where: SQL,
  orderBy: SQL[],
  limit?: number,
): Promise<Row[]> {
  return select<Row>(db, registry, subject, where, orderBy, limit);
}

export function findByIds<Row extends { id: string }>(db: Db, registry: Registry, subject: Subject, ids: readonly string[], where: SQL): Promise<Row[]> {
  return select<Row>(db, registry, subject, and(anyOf(subject.columns[subject.key], ids), where), []);
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
  const ranked = await selectRanked<Row>(db, registry, subject, parent, parentIds, where, [sql`${order} desc`, sql`${id} desc`], limit);
  return ranked.map((r) => r.row);
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
  const [created] = (await db
    .insert(subject.table)
    .values(values as never)
    .returning({ id })) as Array<{ id: string }>;
  return created.id;
}

/** Updates one row if `where` (the ability's filter) still holds for it, in the same statement. */
export async function updateRow(db: Db, subject: Subject, id: string, changes: Record<string, unknown>, where: SQL): Promise<boolean> {
  const key = subject.columns[subject.key];
  const updated = await db
    .update(subject.table)
    .set(changes as never)
    .where(and(eq(key, id), where))
    .returning({ id: key });
  return updated.length > 0;
}

/** Deletes one row if `where` (the ability's filter) still holds for it, in the same statement. */
export async function deleteRow(db: Db, subject: Subject, id: string, where: SQL): Promise<boolean> {
  const key = subject.columns[subject.key];
  const deleted = await db
    .delete(subject.table)
    .where(and(eq(key, id), where))
    .returning({ id: key });
  return deleted.length > 0;
}

/**
 * The linked person's privacy state, read under a row lock in the caller's transaction: a
 * consent withdrawn, an objection or a restriction committed meanwhile is seen (the lock waits
 * for it), and none can commit until the write that checked this state has.
 */
export async function lockPersonState(
  tx: Db,
  registry: Registry,
  personSubject: string,
  id: string,
  workspaceId: string,
): Promise<Record<string, unknown> | undefined> {
  const person = registry.get(personSubject);
  const columns = Object.fromEntries(PERSON_STATE_FIELDS.map((f) => [f, person.columns[f]])) as Record<string, PgColumn>;
  const where = and(eq(person.columns[person.key], id), eq(person.columns[person.tenant], workspaceId));
  const [row] = await tx.select(columns).from(person.table).where(where).for("share");
  return row;
}

/**
 * How a value of a nested row is written into the JSON PostgreSQL builds: as GraphQL would
 * serialize it (`text` as is, `float` as a JSON number, `timestamp` as an ISO instant in UTC
 * with milliseconds, `enum` through its GraphQL names, `literal` a constant such as __typename).
 */
export type JsonLeaf =
  | { key: string; kind: "text" | "float" | "timestamp"; column: PgColumn }
  | { key: string; kind: "enum"; column: PgColumn; names: ReadonlyMap<string, string> }
  | { key: string; kind: "literal"; value: string };

/** A row reached from the parent by a foreign key of the parent (`Contact.company`). */
export interface JsonOne {
  kind: "one";
  subject: Subject;
  /** The parent's column holding the key. */
  ref: PgColumn;
  leaves: readonly JsonLeaf[];
  where: SQL;
}

/** Up to `limit` rows per parent, newest first by `order` then id (`Contact.deals`). */
export interface JsonMany {
  kind: "many";
  subject: Subject;
  /** The row's column holding the parent's key. */
  parent: PgColumn;
  order: PgColumn;
  limit: number;
  leaves: readonly JsonLeaf[];
  where: SQL;
}

const RESPONSE_KEY = /^[_A-Za-z][_0-9A-Za-z]*$/;
const quoted = (text: string) => sql.raw(`'${text.replace(/'/g, "''")}'`);

function jsonValue(leaf: JsonLeaf): SQL {
  switch (leaf.kind) {
    case "literal":
      return sql`${quoted(leaf.value)}::text`;
    case "text":
      return sql`${leaf.column}`;
    case "float":
      return sql`${leaf.column}::float8`;
    case "timestamp":
      // Years 1000-9999 only: `YYYY` writes neither a sign nor an era, where JavaScript writes
      // +012000 or -000043 (and the driver may not read them at all). Outside, a text that is
      // not an instant: the caller leaves such a page to the resolvers.
      return sql`case when ${leaf.column} >= '1000-01-01T00:00:00Z'::timestamptz and ${leaf.column} < '10000-01-01T00:00:00Z'::timestamptz
        then to_char(${leaf.column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') when ${leaf.column} is not null then 'out of range' end`;
    case "enum":
      return sql`case ${leaf.column}${sql.join(
        [...leaf.names].map(([value, name]) => sql` when ${quoted(value)} then ${quoted(name)}`),
        sql``,
      )} end`;
  }
}

function jsonObject(leaves: readonly JsonLeaf[]): SQL {
  return sql`json_build_object(${sql.join(
    leaves.map((leaf) => {
      if (!RESPONSE_KEY.test(leaf.key)) throw new Error(`not a GraphQL response key: ${leaf.key}`);
      return sql`${quoted(leaf.key)}, ${jsonValue(leaf)}`;
    }),
    sql`, `,
  )})`;
}

/**
 * The rows a parent row reaches, as one JSON array per parent row (one entry per relation),
 * built by PostgreSQL in the parent's own select (findPage `beside`): each relation under its
 * subject's policy filter (`where`, the same compiled rules the loaders use), with the loaders'
 * rows and order (`byIdLoader`, `groupedLoader`): a row hidden from the caller is null or
 * absent. No join to a linked person: a filter reaches a person's state through its own
 * `exists` (sql-filter.ts), and the JSON shows the row's own columns.
 */
export function nestedJson(parent: Subject, relations: ReadonlyArray<JsonOne | JsonMany>): SQL {
  const parentKey = parent.columns[parent.key];
  const parentTenant = parent.columns[parent.tenant];
  const values = relations.map((relation) => {
    const { subject } = relation;
    const key = subject.columns[subject.key];
    const tenant = subject.columns[subject.tenant];
    if (relation.kind === "one") {
      return sql`(select ${jsonObject(relation.leaves)} from ${subject.table} where ${tenant} = ${parentTenant} and ${key} = ${relation.ref} and ${relation.where})`;
    }
    const order = sql`${relation.order} desc, ${key} desc`;
    return sql`(select coalesce(json_agg(x.j order by x.o desc, x.k desc), '[]'::json) from (select ${jsonObject(relation.leaves)} as j, ${relation.order} as o, ${key} as k
      from ${subject.table} where ${tenant} = ${parentTenant} and ${relation.parent} = ${parentKey} and ${relation.where} order by ${order} limit ${sql.raw(String(Math.trunc(relation.limit)))}) x)`;
  });
  return sql`json_build_array(${sql.join(values, sql`, `)})`;
}

/** postgres.js parses json columns; PGlite too, but a driver may hand over the text. */
function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : (value ?? null);
}
