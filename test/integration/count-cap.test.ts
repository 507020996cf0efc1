import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { insertPeople, workspaceId } from "../helpers/fixtures.js";

// A small cap, so the seeded data crosses it: Acme's owner sees 11 contacts under
// service_provision, 4 under marketing_email (consent) and 2 under marketing_sms.
const CAP = 4;

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp({ COUNT_CAP: String(CAP) });
  token = await t.login("owner@acme.test");
});
afterAll(() => t.close());

const COUNT = `{ contacts(first: 1) { totalCount totalCountCapped nodes { id } } }`;

describe("totalCount is counted up to COUNT_CAP under the caller's policy filter", () => {
  it("past the cap: the cap, and totalCountCapped true", async () => {
    const res = await t.gql(COUNT, {}, { token, purpose: "service_provision" });
    expect(res.errors).toBeUndefined();
    expect(res.data!.contacts).toMatchObject({ totalCount: CAP, totalCountCapped: true });
  });

  it("exactly at the cap or under it: the exact count, not capped", async () => {
    // The consent gate leaves 4 visible rows of the 12 in the table: counted under the policy
    // WHERE, so the cap is not reached (a count of the table would be capped).
    const atCap = await t.gql(COUNT, {}, { token, purpose: "marketing_email" });
    expect(atCap.data!.contacts).toMatchObject({ totalCount: 4, totalCountCapped: false });
    const under = await t.gql(COUNT, {}, { token, purpose: "marketing_sms" });
    expect(under.data!.contacts).toMatchObject({ totalCount: 2, totalCountCapped: false });
  });

  it("totalCount and totalCountCapped together cost one count statement", async () => {
    // Through the resolvers (a directive keeps the compiled page out), the count is a statement of its own.
    const both = await t.gql(`{ contacts(first: 1) @include(if: true) { totalCount totalCountCapped nodes { id } } }`, {}, { token });
    const one = await t.gql(`{ contacts(first: 1) @include(if: true) { totalCount nodes { id } } }`, {}, { token });
    const none = await t.gql(`{ contacts(first: 1) @include(if: true) { nodes { id } } }`, {}, { token });
    expect(both.queries).toBe(one.queries);
    expect(one.queries).toBe(none.queries + 1);
    // The compiled page reads it in the page's own statement.
    const compiled = await t.gql(`{ contacts(first: 1) { totalCount totalCountCapped nodes { id } } }`, {}, { token });
    expect(compiled.data!.contacts).toEqual(both.data!.contacts);
    expect(compiled.queries).toBe(none.queries);
  });

  it("a filter narrows the count before the cap; nested connections are capped per parent", async () => {
    const ws = await workspaceId(t, "Acme");
    await insertPeople(t, ws, 3, { perContact: 6, prefix: "Capped" });
    const res = await t.gql(
      `{ contacts(first: 3, filter: { search: "capped" }) { totalCount totalCountCapped nodes { firstName dealsConnection(first: 2) { totalCount totalCountCapped nodes { id } } } } }`,
      {},
      { token },
    );
    expect(res.errors).toBeUndefined();
    // The filter narrows the count before the cap applies: 3 of the 14 visible contacts.
    expect(res.data!.contacts).toMatchObject({ totalCount: 3, totalCountCapped: false });
    const nodes = res.data!.contacts.nodes as Array<{ dealsConnection: { totalCount: number; totalCountCapped: boolean; nodes: unknown[] } }>;
    expect(nodes).toHaveLength(3);
    for (const node of nodes) expect(node.dealsConnection).toMatchObject({ totalCount: CAP, totalCountCapped: true });
    expect(nodes[0].dealsConnection.nodes).toHaveLength(2);
  });

  it("a parent under the cap keeps its exact count", async () => {
    const ws = await workspaceId(t, "Acme");
    await insertPeople(t, ws, 1, { perContact: 3, prefix: "Few" });
    const res = await t.gql(`{ contacts(first: 1, filter: { search: "few0" }) { nodes { dealsConnection { totalCount totalCountCapped } } } }`, {}, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.contacts.nodes[0].dealsConnection).toEqual({ totalCount: 3, totalCountCapped: false });
  });
});
