import { and, type SQL } from "drizzle-orm";
import { companies } from "../../db/schema/index.js";
import { idsFilter, rangeFilter, searchFilter, type Readable } from "../common/filters.js";
import type { CompanyFilter } from "./company.input.js";

export function companyFilter(filter: CompanyFilter | undefined | null, readable: Readable): SQL | undefined {
  if (!filter) return undefined;
  return and(
    idsFilter(companies.id, filter.ids),
    searchFilter(
      [
        { column: companies.name, fields: ["name"] },
        { column: companies.domain, fields: ["domain"] },
      ],
      filter.search,
      readable,
    ),
    ...rangeFilter(companies.createdAt, filter.createdAfter, filter.createdBefore),
  );
}
