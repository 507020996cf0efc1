import { and, eq, type SQL } from "drizzle-orm";
import { deals } from "../../db/schema/index.js";
import { idFilter, idsFilter, onReadable, rangeFilter, searchFilter, type Readable } from "../common/filters.js";
import type { DealFilter } from "./deal.input.js";

export function dealFilter(filter: DealFilter | undefined | null, readable: Readable): SQL | undefined {
  if (!filter) return undefined;
  return and(
    idsFilter(deals.id, filter.ids),
    onReadable(readable, "contact", idFilter(deals.contactId, filter.contactId, "filter.contactId")),
    onReadable(readable, "company", idFilter(deals.companyId, filter.companyId, "filter.companyId")),
    filter.stage ? eq(deals.stage, filter.stage) : undefined,
    searchFilter([{ column: deals.title, fields: ["title"] }], filter.search, readable),
    ...rangeFilter(deals.createdAt, filter.createdAfter, filter.createdBefore),
  );
}
