import { ArgsType, Field, Int, ObjectType, registerEnumType, type ClassType } from "type-graphql";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, OrderDirection, type PageResult } from "../modules/common/paging.js";
import { Structure } from "./guard.js";

export { OrderDirection };
registerEnumType(OrderDirection, { name: "OrderDirection", description: "Sort direction." });

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size: default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}.` })
  first?: number;

  @Field(() => String, { nullable: true, description: "Opaque cursor: the endCursor of the previous page." })
  after?: string;
}

@Structure()
@ObjectType({ description: "Where a page ends and whether another follows." })
export class PageInfo {
  @Field(() => Boolean, { description: "True when a page follows this one." })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: "Pass as `after` to get the next page." })
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
