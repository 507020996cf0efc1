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
  count(): Promise<number>;
}

/** The argument that carried the cursor, for error messages. */
export const cursorArgument = (page: PageRequest) => (page.forward ? "after" : "before");
