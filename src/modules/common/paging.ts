import { badInput } from "../../errors.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
export const MAX_NESTED = 100;

export enum OrderDirection {
  ASC = "ASC",
  DESC = "DESC",
}

export function pageSize(first: number | undefined | null, max = MAX_PAGE_SIZE, fallback = DEFAULT_PAGE_SIZE): number {
  if (first === undefined || first === null) return fallback;
  if (first < 0 || first > max) throw badInput("first", `must be between 0 and ${max}, got ${first}`);
  return first;
}

/** One page of rows, already filtered by the ability; the count runs only when asked. */
export interface PageResult<T> {
  rows: T[];
  hasNextPage: boolean;
  cursorOf(row: T): string;
  count(): Promise<number>;
}

export interface Cursor {
  order: string;
  value: string | number | null;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.order, cursor.value, cursor.id])).toString("base64url");
}

export function decodeCursor(raw: string, order: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw badInput("after", "is not a cursor this API issued");
  }
  const [o, value, id] = Array.isArray(parsed) ? (parsed as [unknown, string | number | null, unknown]) : [];
  if (typeof o !== "string" || typeof id !== "string" || !/^[0-9a-f-]{36}$/i.test(id)) throw badInput("after", "is not a cursor this API issued");
  if (o !== order) throw badInput("after", "this cursor belongs to another orderBy; start again without after");
  return { order: o, value: value ?? null, id };
}
