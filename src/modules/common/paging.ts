import { badInput } from "../../errors.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
export const NESTED_PAGE_SIZE = 20;
export const MAX_NESTED = 100;
/** `totalCount` counts at most this many rows unless COUNT_CAP says otherwise. */
export const DEFAULT_COUNT_CAP = 10_000;

/** A list's `totalCount`: exact up to the cap, the cap itself (and `capped`) beyond it. */
export interface TotalCount {
  total: number;
  capped: boolean;
}

/** The total from a count of at most cap + 1 rows. */
export function cappedTotal(counted: number, cap: number): TotalCount {
  return counted > cap ? { total: cap, capped: true } : { total: counted, capped: false };
}

export enum OrderDirection {
  ASC = "ASC",
  DESC = "DESC",
}

/** What a page asks for: a direction, a size and where to start. No GraphQL here. */
export interface PageRequest {
  /** `first`/`after` (true) or `last`/`before` (false). */
  forward: boolean;
  size: number;
  /** `after` when reading forward, `before` when reading backward. */
  cursor?: string;
}

/** A page of rows in the list's order, whichever way it was read. */
export interface PageResult<T> {
  rows: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  cursorOf(row: T): string;
  /** Rows in all pages under the same filter, counted up to the cap (one statement, only when asked). */
  count(): Promise<TotalCount>;
  /** Per row of `rows`, what the page's statement read beside it (findPage `beside`). */
  beside?: unknown[];
}

/** Relay paging arguments as a transport hands them over. */
export interface PageArguments {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** The argument that carried the cursor, for error messages. */
export const cursorArgument = (page: PageRequest) => (page.forward ? "after" : "before");

export function pageSize(first: number | undefined | null, max = MAX_PAGE_SIZE, fallback = DEFAULT_PAGE_SIZE, field = "first"): number {
  if (first === undefined || first === null) return fallback;
  if (first < 0 || first > max) throw badInput(field, `must be between 0 and ${max}, got ${first}`);
  return first;
}

/**
 * The page asked for. Mixing the two directions is refused (the Relay spec discourages it and
 * its answer is hard to read), naming the first backward argument given.
 */
export function pageRequest(args: PageArguments, max = MAX_PAGE_SIZE, fallback = DEFAULT_PAGE_SIZE): PageRequest {
  const given = (v: unknown) => v !== undefined && v !== null;
  const backward = given(args.last) || given(args.before);
  if (backward && (given(args.first) || given(args.after))) {
    throw badInput(given(args.last) ? "last" : "before", "cannot be combined with first or after: page forward or backward");
  }
  if (!backward) return { forward: true, size: pageSize(args.first, max, fallback), cursor: args.after ?? undefined };
  return { forward: false, size: pageSize(args.last, max, fallback, "last"), cursor: args.before ?? undefined };
}
