import DataLoader from "dataloader";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { SubjectName } from "../registry.js";
import { whereCan } from "./access.js";
import { byId, findByIds, findGrouped, groupBy } from "./entity-store.js";
import { MAX_NESTED, pageSize } from "./paging.js";
import type { Scope } from "./scope.js";

/** Rows by id in one statement per batch, null where missing or hidden from the caller. */
export function byIdLoader<Row extends { id: string }>(ctx: Scope, name: SubjectName): DataLoader<string, Row | null> {
  return ctx.loader(`${name}:byId`, () =>
    new DataLoader<string, Row | null>(async (ids) => byId(await findByIds<Row>(ctx.db, ctx.registry, ctx.registry.get(name), ids, whereCan(ctx, "read", name)), ids)),
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
  const limit = pageSize(first, MAX_NESTED, 20);
  return ctx.loader(`${name}:by:${parent.key}:${limit}`, () =>
    new DataLoader<string, Row[]>(async (parentIds) => {
      const rows = await findGrouped<Row>(ctx.db, ctx.registry, ctx.registry.get(name), parent.column, parentIds, whereCan(ctx, "read", name), order, limit);
      return groupBy(rows, parentIds, (row) => row[parent.key] as string | null);
    }),
  );
}
