import DataLoader from "dataloader";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { SubjectName } from "../registry.js";
import { whereCan } from "./access.js";
import { cursorScope, sortKey } from "./crud.service.js";
import { byId, countGrouped, findByIds, findGrouped, findGroupedPages, groupBy, type OrderInput } from "./entity-store.js";
import { MAX_NESTED, NESTED_PAGE_SIZE, pageSize, type PageRequest, type PageResult, type TotalCount } from "./paging.js";
import type { Scope } from "./scope.js";

/** Rows by id in one statement per batch, null where missing or hidden from the caller. */
export function byIdLoader<Row extends { id: string }>(ctx: Scope, name: SubjectName): DataLoader<string, Row | null> {
  return ctx.loader(
    `${name}:byId`,
    () =>
      new DataLoader<string, Row | null>(async (ids) =>
        byId(await findByIds<Row>(ctx.db, ctx.registry, ctx.registry.get(name), ids, whereCan(ctx, "read", name)), ids),
      ),
  );
}

/** The newest `first` rows per parent for a batch of parents, in one statement. */
export function groupedLoader<Row extends { id: string }>(
  ctx: Scope,
  name: SubjectName,
  parent: { column: PgColumn; key: keyof Row & string },
  order: PgColumn,
  first: number | undefined,
): DataLoader<string, Row[]> {
  const limit = pageSize(first, MAX_NESTED, NESTED_PAGE_SIZE);
  return ctx.loader(
    `${name}:by:${parent.key}:${limit}`,
    () =>
      new DataLoader<string, Row[]>(async (parentIds) => {
        const rows = await findGrouped<Row>(ctx.db, ctx.registry, ctx.registry.get(name), parent.column, parentIds, whereCan(ctx, "read", name), order, limit);
        return groupBy(rows, parentIds, (row) => row[parent.key] as string | null);
      }),
  );
}

/**
 * A connection per parent for a batch of parents: one statement for the pages of every parent
 * (the same arguments apply to each) and, only when `totalCount` is asked, one for the counts,
 * so a connection inside a list costs the same at 10 rows as at 200.
 */
export function groupedConnection<Row extends { id: string }>(
  ctx: Scope,
  name: SubjectName,
  parent: { column: PgColumn; key: keyof Row & string },
  order: OrderInput,
  page: PageRequest,
): DataLoader<string, PageResult<Row>> {
  const subject = ctx.registry.get(name);
  const where = whereCan(ctx, "read", name);
  const counts = ctx.loader(
    `${name}:count:${parent.key}`,
    () => new DataLoader<string, TotalCount>((parentIds) => countGrouped(ctx.db, subject.table, parent.column, parentIds, where, ctx.settings.countCap)),
  );
  const key = `${name}:pages:${parent.key}:${page.forward}:${page.size}:${page.cursor ?? ""}`;
  return ctx.loader(
    key,
    () =>
      new DataLoader<string, PageResult<Row>>((parentIds) =>
        findGroupedPages<Row>(ctx.db, ctx.registry, subject, parent, parentIds, where, page, sortKey(ctx, name, order), cursorScope(ctx), (id) =>
          counts.load(id),
        ),
      ),
  );
}
