import DataLoader from "dataloader";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { AppContext } from "../../graphql/context.js";
import { MAX_NESTED, pageSize } from "../../graphql/pagination.js";
import { whereCan } from "./access.js";
import { byId, findByIds, findGrouped, groupBy, type EntitySpec } from "./entity-store.js";

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
  const limit = pageSize(first, MAX_NESTED, 20);
  return ctx.loader(`${spec.subject}:by:${parent.key}:${limit}`, () =>
    new DataLoader<string, Row[]>(async (parentIds) => {
      const rows = await findGrouped(ctx.db, spec, parent.column, parentIds, whereCan(ctx, "read", spec.subject), order, limit);
      return groupBy(rows, parentIds, (row) => row[parent.key] as string | null);
    }),
  );
}
