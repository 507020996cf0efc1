import { and, eq, sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { AppAbility } from "../../authz/ability.js";
import type { AppContext } from "../../graphql/context.js";
import { badInput, notFound } from "../../graphql/errors.js";
import { fieldMaskedOnSomeRows, fieldReadableWhere } from "../../authz/sql-filter.js";
import { ensureAllowed, whereCan } from "./access.js";
import type { CursorScope } from "./cursor.js";
import { findByIds, findPage, type EntitySpec, type OrderInput, type SortKey } from "./entity-store.js";
import type { PageRequest, PageResult } from "./paging.js";

/** Input keys that are named differently in policies (`companyId` is the field `company`). */
export type FieldNames = Record<string, string>;

/**
 * Reads and writes of one CRM subject, each through the ability: lists and gets use its SQL
 * filter, writes check `can()` on the row and repeat the filter in the UPDATE/DELETE itself.
 */
export class CrudService<Row extends { id: string }> {
  constructor(
    readonly spec: EntitySpec<Row>,
    private readonly fieldNames: FieldNames = {},
  ) {}

  async list(ctx: AppContext, page: PageRequest, filter: SQL | undefined, order: OrderInput): Promise<PageResult<Row>> {
    // Sorting by a field the caller may never read is refused; where it is masked on some
    // rows only, sortKey keeps those rows' values out of the order and the cursors.
    await ensureAllowed(ctx, "read", this.spec.subject, undefined, [this.spec.orders[order.field].key]);
    const where = and(whereCan(ctx, "read", this.spec.subject), filter)!;
    return findPage(ctx.db, this.spec, where, page, sortKey(ctx, this.spec, order), cursorScope(ctx));
  }

  /** The row if the caller may read it for this purpose; NOT_FOUND otherwise, whatever the cause. */
  get(ctx: AppContext, id: string, field?: string): Promise<Row> {
    return this.getWith(ctx, id, ctx.ability, field);
  }

  /** The same, under another ability (privacy rights use legal_compliance). */
  async getWith(ctx: AppContext, id: string, ability: AppAbility, field?: string): Promise<Row> {
    const [row] = isUuid(id) ? await findByIds(ctx.db, this.spec, [id], whereCan(ctx, "read", this.spec.subject, ability)) : [];
    if (!row) throw notFound(this.spec.subject, id, field);
    return row;
  }

  async create(ctx: AppContext, values: Record<string, unknown>, check: Record<string, unknown> = {}): Promise<Row> {
    const row = { ...values, workspaceId: ctx.principal!.workspaceId, ownerId: ctx.principal!.userId };
    await ensureAllowed(ctx, "create", this.spec.subject, { ...row, ...check });
    const table = this.spec.table as PgTable & { id: never };
    const [created] = (await ctx.db.insert(table).values(row as never).returning({ id: this.spec.id })) as Array<{ id: string }>;
    return this.get(ctx, created.id);
  }

  async update(ctx: AppContext, id: string, patch: Record<string, unknown>): Promise<Row> {
    const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length === 0) throw badInput("input", "name at least one field to change");
    const current = await this.get(ctx, id);
    await ensureAllowed(ctx, "update", this.spec.subject, current, Object.keys(changes).map((k) => this.fieldNames[k] ?? k));
    // The UPDATE repeats the ability's filter: a concurrent change of state cannot slip through.
    const updated = await ctx.db
      .update(this.spec.table)
      .set({ ...changes, updatedAt: new Date() } as never)
      .where(and(eq(this.spec.id, id), whereCan(ctx, "update", this.spec.subject)))
      .returning({ id: this.spec.id });
    if (updated.length === 0) throw notFound(this.spec.subject, id);
    return this.get(ctx, id);
  }

  async remove(ctx: AppContext, id: string): Promise<boolean> {
    const current = await this.get(ctx, id);
    await ensureAllowed(ctx, "delete", this.spec.subject, current);
    const deleted = await ctx.db
      .delete(this.spec.table)
      .where(and(eq(this.spec.id, id), whereCan(ctx, "delete", this.spec.subject)))
      .returning({ id: this.spec.id });
    if (deleted.length === 0) throw notFound(this.spec.subject, id);
    return true;
  }
}

/**
 * The order of a list as the caller may see it: the column, or where its field is masked on
 * some rows (an erased contact's last name under legal_compliance), the column where readable
 * and NULL elsewhere, so neither the order nor a cursor reveals a masked value.
 */
export function sortKey<Row extends { id: string }>(ctx: AppContext, spec: EntitySpec<Row>, order: OrderInput): SortKey {
  const { column, key } = spec.orders[order.field];
  const base = { name: `${spec.subject}:${order.field}:${order.direction}`, column, direction: order.direction };
  if (!fieldMaskedOnSomeRows(ctx.ability, "read", spec.subject, key)) return { ...base, expr: sql`${column}`, nullable: !column.notNull };
  const readable = fieldReadableWhere(ctx.ability, "read", spec.subject, key) ?? sql`false`;
  return { ...base, expr: sql`(case when ${readable} then ${column} end)`, nullable: true };
}

/** Cursors are sealed for the caller's workspace: another tenant's cursor is refused. */
export function cursorScope(ctx: AppContext): CursorScope {
  return { codec: ctx.cursors, workspaceId: ctx.principal?.workspaceId ?? "" };
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
