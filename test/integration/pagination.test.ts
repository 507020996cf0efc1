import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { insertPeople, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  await insertPeople(t, await workspaceId(t, "Acme"), 130);
  token = await t.login("owner@acme.test");
});
afterAll(() => t.close());

const PAGE = `query($first: Int, $after: String, $order: ContactOrder) {
  contacts(first: $first, after: $after, orderBy: $order) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id lastName createdAt } } }
}`;

async function walk(order: { field: string; direction: string } | undefined, first: number) {
  const ids: string[] = [];
  let after: string | undefined;
  let total = -1;
  for (let page = 0; page < 100; page++) {
    const res = await t.gql(PAGE, { first, after, order }, { token });
    expect(res.errors).toBeUndefined();
    const c = res.data!.contacts;
    total = c.totalCount;
    ids.push(...c.edges.map((e: { node: { id: string } }) => e.node.id));
    if (!c.pageInfo.hasNextPage) break;
    after = c.pageInfo.endCursor;
  }
  return { ids, total };
}

describe("keyset pagination", () => {
  for (const order of [
    undefined,
    { field: "LAST_NAME", direction: "ASC" },
    { field: "LAST_NAME", direction: "DESC" },
    { field: "CREATED_AT", direction: "ASC" },
    { field: "UPDATED_AT", direction: "DESC" },
  ]) {
    it(`walking all pages gives exactly totalCount rows, no duplicates (${order ? `${order.field} ${order.direction}` : "default"})`, async () => {
      const { ids, total } = await walk(order, 17);
      expect(total).toBeGreaterThan(130);
      expect(ids).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);
    });
  }

  it("pages are in the requested order", async () => {
    const res = await t.gql(PAGE, { first: 50, order: { field: "LAST_NAME", direction: "ASC" } }, { token });
    const names = res.data!.contacts.edges.map((e: { node: { lastName: string } }) => e.node.lastName);
    expect(names).toEqual([...names].sort());
  });

  it("defaults to 50 rows and refuses more than 200", async () => {
    const res = await t.gql(PAGE, {}, { token });
    expect(res.data!.contacts.edges).toHaveLength(50);
    const big = await t.gql(PAGE, { first: 201 }, { token });
    expect(big.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    expect(big.errors![0].extensions.field).toBe("first");
    const ok = await t.gql(PAGE, { first: 200 }, { token });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.contacts.edges).toHaveLength(ok.data!.contacts.totalCount);
  });

  it("refuses a forged cursor or one from another order", async () => {
    const forged = await t.gql(PAGE, { first: 5, after: "not-a-cursor" }, { token });
    expect(forged.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    const first = await t.gql(PAGE, { first: 5 }, { token });
    const cursor = first.data!.contacts.pageInfo.endCursor;
    const mixed = await t.gql(PAGE, { first: 5, after: cursor, order: { field: "LAST_NAME", direction: "ASC" } }, { token });
    expect(mixed.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    expect(mixed.errors![0].extensions.field).toBe("after");
  });

  it("answers a cursor with a forged sort value as bad input, not an internal error", async () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(["CREATED_AT:DESC", value, "00000000-0000-4000-8000-000000000000"])).toString("base64url");
    for (const value of ["not-a-date", 42, null, { x: 1 }]) {
      const res = await t.gql(PAGE, { first: 5, after: forge(value) }, { token });
      expect(res.errors![0].extensions.code, JSON.stringify(value)).toBe("BAD_USER_INPUT");
    }
  });

  it("first: 0 gives an empty page that still counts", async () => {
    const res = await t.gql(PAGE, { first: 0 }, { token });
    expect(res.data!.contacts.edges).toEqual([]);
    expect(res.data!.contacts.totalCount).toBeGreaterThan(130);
  });
});
