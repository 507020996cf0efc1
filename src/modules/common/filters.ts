import { and, gte, ilike, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { badInput } from "../../errors.js";
import { isUuid } from "./crud.service.js";
import { anyOf } from "./entity-store.js";

export const MAX_FILTER_IDS = 200;

/**
 * Validated `ids` filter: well-formed uuids, at most MAX_FILTER_IDS, as one array parameter: a
 * list of n ids would give a statement text per n, each a prepared statement kept on every
 * PostgreSQL connection (up to MAX_PREPARED_PARAMS texts per list shape, for any caller to make).
 */
export function idsFilter(column: PgColumn, ids: string[] | undefined | null, field = "filter.ids"): SQL | undefined {
  if (!ids) return undefined;
  if (ids.length > MAX_FILTER_IDS) throw badInput(field, `at most ${MAX_FILTER_IDS} ids`);
  const bad = ids.find((id) => !isUuid(id));
  if (bad !== undefined) throw badInput(field, `"${bad}" is not an id`);
  return anyOf(column, ids);
}

export function idFilter(column: PgColumn, id: string | undefined | null, field: string): SQL | undefined {
  if (id === undefined || id === null) return undefined;
  if (!isUuid(id)) throw badInput(field, `"${id}" is not an id`);
  return inArray(column, [id]);
}

/** Rows on which a policy field is readable (SQL), or null when no row shows it. */
export type Readable = (field: string) => SQL | null;

/** A filter on a field holds only on rows where the caller may read that field. */
export function onReadable(readable: Readable, field: string, condition: SQL | undefined): SQL | undefined {
  return condition && and(readable(field) ?? sql`false`, condition);
}

/**
 * Case-insensitive "contains" over some columns, LIKE wildcards taken literally. Each column
 * is searched only on rows where the caller may read its field: masked values are not probed.
 */
export function searchFilter(
  columns: Array<{ column: PgColumn | SQL; fields: string[] }>,
  term: string | undefined | null,
  readable: Readable,
  /** A text holding every searched column's value (a trigram index's expression): asked first, so the index finds the candidates; it only narrows, the gated columns decide. */
  indexed?: SQL,
): SQL | undefined {
  if (term === undefined || term === null || term.trim() === "") return undefined;
  if (term.length > 200) throw badInput("filter.search", "at most 200 characters");
  const pattern = `%${term.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const parts = columns.flatMap(({ column, fields }) => {
    const where = fields.map(readable);
    return where.includes(null) ? [] : [and(...(where as SQL[]), ilike(column as PgColumn, pattern))!];
  });
  if (parts.length === 0) return sql`false`;
  return indexed ? and(ilike(indexed as unknown as PgColumn, pattern), or(...parts)) : or(...parts);
}

export function rangeFilter(column: PgColumn, after: Date | undefined | null, before: Date | undefined | null): SQL[] {
  const parts: SQL[] = [];
  if (after) parts.push(gte(column, after));
  if (before) parts.push(lt(column, before));
  return parts;
}
