import { and, type SQL } from "drizzle-orm";
import { companies } from "../../db/schema/index.js";
import type { EntitySpec } from "../common/entity-store.js";
import { idsFilter, rangeFilter, searchFilter, type Readable } from "../common/filters.js";
import type { CompanyFilter } from "./company.input.js";
import type { CompanyRow } from "./company.type.js";

export const companySpec: EntitySpec<CompanyRow> = {
  subject: "Company",
  table: companies,
  id: companies.id,
  orders: {
    CREATED_AT: { column: companies.createdAt, key: "createdAt" },
    NAME: { column: companies.name, key: "name" },
    UPDATED_AT: { column: companies.updatedAt, key: "updatedAt" },
  },
};

export function companyFilter(filter: CompanyFilter | undefined | null, readable: Readable): SQL | undefined {
  if (!filter) return undefined;
  return and(
    idsFilter(companies.id, filter.ids),
    searchFilter([{ column: companies.name, fields: ["name"] }, { column: companies.domain, fields: ["domain"] }], filter.search, readable),
    ...rangeFilter(companies.createdAt, filter.createdAfter, filter.createdBefore),
  );
}
