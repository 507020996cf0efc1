import DataLoader from "dataloader";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { AppContext } from "../../graphql/context.js";
import { MAX_NESTED, NESTED_PAGE_SIZE, pageSize } from "../../graphql/pagination.js";
import { whereCan } from "./access.js";
import { cursorScope, sortKey } from "./crud.service.js";
import { byId, countGrouped, findByIds, findGrouped, findGroupedPages, groupBy, type EntitySpec, type OrderInput } from "./entity-store.js";
import type { PageRequest, PageResult } from "./paging.js";

/** Rows by id in one statement per batch, null where missing or hidden from the caller. */
export function byIdLoader<Row extends { id: string }>(ctx: AppContext, spec: EntitySpec<Row>): DataLoader<string, Row | null> {
  return ctx.loader(`${spec.subject}:byId`, () =>
    new DataLoader<string, Row | null>(async (ids) => byId(await findByIds(ctx.db, spec, ids, whereCan(ctx, "read", spec.subject)), ids)),
  );
}

/** The newest `first` rows per parent for a batch of parents, in one statement. */
export function groupedLoader<Row extends { id: string }>(
  ctx: AppContext,
  spec: EntitySpec<Row>,
  parent: { column: PgColumn; key: keyof Row & string },
  order: PgColumn,
  first: number | undefined,
): DataLoader<string, Row[]> {
  const limit = pageSize(first, MAX_NESTED, NESTED_PAGE_SIZE);
  return ctx.loader(`${spec.subject}:by:${parent.key}:${limit}`, () =>
    new DataLoader<string, Row[]>(async (parentIds) => {
      const rows = await findGrouped(ctx.db, spec, parent.column, parentIds, whereCan(ctx, "read", spec.subject), order, limit);
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
  ctx: AppContext,
  spec: EntitySpec<Row>,
  parent: { column: PgColumn; key: keyof Row & string },
  order: OrderInput,
  page: PageRequest,
): DataLoader<string, PageResult<Row>> {
  const where = whereCan(ctx, "read", spec.subject);
  const counts = ctx.loader(`${spec.subject}:count:${parent.key}`, () =>
    new DataLoader<string, number>((parentIds) => countGrouped(ctx.db, spec.table, parent.column, parentIds, where)),
  );
  const key = `${spec.subject}:pages:${parent.key}:${page.forward}:${page.size}:${page.cursor ?? ""}`;
  return ctx.loader(key, () =>
    new DataLoader<string, PageResult<Row>>((parentIds) =>
      findGroupedPages(ctx.db, spec, parent, parentIds, where, page, sortKey(ctx, spec, order), cursorScope(ctx), (id) => counts.load(id)),
    ),
  );
}
