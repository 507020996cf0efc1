import { ArgsType, Field, Int, ObjectType, registerEnumType, type ClassType } from "type-graphql";
import { Structure } from "./guard.js";
import { badInput } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
export const MAX_NESTED = 100;

export enum OrderDirection {
  ASC = "ASC",
  DESC = "DESC",
}
registerEnumType(OrderDirection, { name: "OrderDirection", description: "Sort direction." });

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size: default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}.` })
  first?: number;

  @Field(() => String, { nullable: true, description: "Opaque cursor: the endCursor of the previous page." })
  after?: string;
}

export function pageSize(first: number | undefined | null, max = MAX_PAGE_SIZE, fallback = DEFAULT_PAGE_SIZE): number {
  if (first === undefined || first === null) return fallback;
  if (first < 0 || first > max) throw badInput("first", `must be between 0 and ${max}, got ${first}`);
  return first;
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
  try {
    const [o, value, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as [string, string | number | null, string];
    if (typeof o === "string" && typeof id === "string" && /^[0-9a-f-]{36}$/i.test(id)) {
      if (o !== order) throw badInput("after", "this cursor belongs to another orderBy; start again without after");
      return { order: o, value, id };
    }
  } catch (error) {
    if (error instanceof Error && "extensions" in error) throw error;
  }
  throw badInput("after", "is not a cursor this API issued");
}

@Structure()
@ObjectType({ description: "Where a page ends and whether another follows." })
export class PageInfo {
  @Field(() => Boolean, { description: "True when a page follows this one." })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: "Pass as `after` to get the next page." })
  endCursor!: string | null;
}

export interface PageResult<T> {
  rows: T[];
  hasNextPage: boolean;
  cursorOf(row: T): string;
  count(): Promise<number>;
}

/**
 * A Relay connection type for `Item`. The connection is plain structure: rows inside it are
 * already filtered by the ability, and the item type guards its own fields.
 */
export function Connection<T extends object>(Item: ClassType<T>, name: string) {
  @Structure()
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class Edge {
    @Field(() => String, { description: "Opaque cursor of this row." })
    cursor!: string;

    @Field(() => Item, { description: `The ${name}.` })
    node!: T;
  }

  @Structure()
  @ObjectType(`${name}Connection`, { description: `A page of ${name} rows the caller may see, for this purpose.` })
  class ConnectionType {
    // Rows come from the repository; the item type decides how each field is shown.
    constructor(private readonly page: PageResult<any>) {} // eslint-disable-line @typescript-eslint/no-explicit-any

    @Field(() => [Edge], { description: "Rows of this page with their cursors." })
    edges(): Edge[] {
      return this.page.rows.map((node) => ({ node, cursor: this.page.cursorOf(node) }));
    }

    @Field(() => [Item], { description: "Rows of this page." })
    nodes(): T[] {
      return this.page.rows;
    }

    @Field(() => PageInfo, { description: "Where this page ends." })
    pageInfo(): PageInfo {
      const last = this.page.rows[this.page.rows.length - 1];
      return { hasNextPage: this.page.hasNextPage, endCursor: last ? this.page.cursorOf(last) : null };
    }

    @Field(() => Int, { description: "How many rows match in all pages (one extra COUNT, only when asked)." })
    totalCount(): Promise<number> {
      return this.page.count();
    }
  }
  return ConnectionType;
}
