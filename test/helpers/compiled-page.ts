import { expect } from "vitest";
import type { GqlResult, TestApp } from "./app.js";

/** How `Server-Timing` says the compiled page answered (src/graphql/compiled-page.ts), if it did. */
export const planOf = (res: GqlResult) => (/plan;desc="(\w+)"/.exec(String(res.headers["server-timing"] ?? "")) ?? [])[1];

// The directive moves the columns of error locations; everything else must be equal.
const located = (errors: GqlResult["errors"]) => errors?.map((error) => ({ ...error, locations: undefined }));

/** `query` with ROOT (the place after the root field's arguments) replaced. */
export const withRoot = (query: string, directive: string) => query.replace("ROOT", directive);

/**
 * Asks `query` twice: as is (the compiled page, where it applies) and with `@include(if: true)`
 * at ROOT (a directive: always the resolvers), and requires the same status, data and errors,
 * byte for byte.
 */
export async function bothWays(t: TestApp, query: string, variables: Record<string, unknown>, as: { token: string; purpose?: string }, label: string) {
  const compiled = await t.gql(withRoot(query, ""), variables, as);
  const resolvers = await t.gql(withRoot(query, "@include(if: true)"), variables, as);
  expect(planOf(resolvers), label).toBeUndefined();
  expect({ status: compiled.status, data: compiled.data, errors: located(compiled.errors) }, label).toEqual({
    status: resolvers.status,
    data: resolvers.data,
    errors: located(resolvers.errors),
  });
  expect(JSON.stringify(compiled.data), label).toBe(JSON.stringify(resolvers.data));
  return { compiled, resolvers };
}
