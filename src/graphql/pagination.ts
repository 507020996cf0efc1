import { ArgsType, Field, Int, ObjectType, registerEnumType, type ClassType } from "type-graphql";
import { Structure } from "./guard.js";
import { DEFAULT_PAGE_SIZE, MAX_NESTED, MAX_PAGE_SIZE, NESTED_PAGE_SIZE, OrderDirection, type PageResult } from "../modules/common/paging.js";

export { OrderDirection };
registerEnumType(OrderDirection, {
  name: "OrderDirection",
  description: "Sort direction.",
  valuesConfig: {
    ASC: { description: "Smallest or oldest first." },
    DESC: { description: "Largest or newest first." },
  },
});

/** Relay paging arguments: `first`/`after` forward, or `last`/`before` backward, never both. */
function pageArgs(fallback: number, max: number) {
  @ArgsType()
  class RelayPageArgs {
    @Field(() => Int, { nullable: true, description: `Page size, reading forward: default ${fallback}, at most ${max}.` })
    first?: number;

    @Field(() => String, { nullable: true, description: "Opaque cursor: rows after it (the endCursor of the previous page)." })
    after?: string;

    @Field(() => Int, { nullable: true, description: `Page size, reading backward: the last rows before \`before\` (or of the list), at most ${max}.` })
    last?: number;

    @Field(() => String, { nullable: true, description: "Opaque cursor: rows before it (the startCursor of the following page)." })
    before?: string;
  }
  return RelayPageArgs;
}

/** Paging of a top-level list. */
@ArgsType()
export class PageArgs extends pageArgs(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) {}

/** Paging of a list inside a row (a person's deals): smaller pages, as its plain list has. */
@ArgsType()
export class NestedPageArgs extends pageArgs(NESTED_PAGE_SIZE, MAX_NESTED) {}

@Structure()
@ObjectType({ description: "Where a page starts and ends, and whether rows precede or follow it." })
export class PageInfo {
  @Field(() => Boolean, {
    description: "True when rows follow this page. Paging backward (`last`), always false, as the Relay spec allows.",
  })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description: "True when rows precede this page. Paging forward (`first`), always false, as the Relay spec allows.",
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first row; pass as `before` to get the page before." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last row; pass as `after` to get the next page." })
  endCursor!: string | null;
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

    @Field(() => PageInfo, { description: "Where this page starts and ends." })
    pageInfo(): PageInfo {
      const { rows, hasNextPage, hasPreviousPage, cursorOf } = this.page;
      const cursor = (row: unknown) => (row === undefined ? null : cursorOf(row));
      return { hasNextPage, hasPreviousPage, startCursor: cursor(rows[0]), endCursor: cursor(rows[rows.length - 1]) };
    }

    @Field(() => Int, {
      description:
        "How many rows match in all pages (one extra COUNT, only when asked), counted up to the server's cap (COUNT_CAP, 10,000 by default): past it, the cap, and `totalCountCapped` is true.",
    })
    async totalCount(): Promise<number> {
      return (await this.page.count()).total;
    }

    @Field(() => Boolean, {
      description: "True when more rows match than the count cap: `totalCount` is then the cap, a lower bound (the same COUNT as `totalCount`).",
    })
    async totalCountCapped(): Promise<boolean> {
      return (await this.page.count()).capped;
    }
  }
  return ConnectionType;
}
