import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { insertPeople, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  await insertPeople(t, await workspaceId(t, "Acme"), 210, { perContact: 2 });
  token = await t.login("owner@acme.test");
});
afterAll(() => t.close());

const NESTED = `query($first: Int) {
  contacts(first: $first) {
    totalCount
    nodes { id firstName company { id name } deals { id title } interactions { id kind } }
  }
}`;

describe("nested pages cost a constant number of statements (Server-Timing)", () => {
  // Sign-in costs two statements: the token's workspace from credential_lookups, then the
  // session in that workspace (a single-shard query under Citus, #12 item 7).
  it("50 contacts with company, deals and interactions: at most 7 statements, sign-in included", async () => {
    const res = await t.gql(NESTED, { first: 50 }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.contacts.nodes).toHaveLength(50);
    expect(res.data!.contacts.nodes[0].deals.length).toBeGreaterThan(0);
    expect(res.queries).toBeLessThanOrEqual(7);
  });

  it("the count is the same at 10 and 200 rows", async () => {
    const counts = [];
    for (const first of [10, 50, 200]) counts.push((await t.gql(NESTED, { first }, { token })).queries);
    expect(new Set(counts).size).toBe(1);
  });

  it("nested connections with their totalCount: the same statements at 10, 50 and 200 rows", async () => {
    const query = `query($first: Int) { contacts(first: $first) { totalCount totalCountCapped nodes { id
      company { id name } dealsConnection(first: 5) { totalCount nodes { id title } } interactionsConnection(first: 5) { totalCount nodes { id kind } } } } }`;
    const counts = [];
    for (const first of [10, 50, 200]) {
      const res = await t.gql(query, { first }, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data!.contacts.nodes).toHaveLength(first);
      counts.push(res.queries);
    }
    expect(new Set(counts).size).toBe(1);
  });

  it("accepts a realistic frontend page (many fields, three nested lists) under the cost limit", async () => {
    const wide = `{ contacts(first: 200) { totalCount pageInfo { hasNextPage endCursor } nodes { id firstName lastName email phone position createdAt updatedAt processingRestricted erased objections
      consents { purpose state updatedAt } company { id name domain industry } deals { id title stage amount currency closedAt } interactions { id kind purpose subject occurredAt } } } }`;
    const res = await t.gql(wide, {}, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.contacts.nodes).toHaveLength(200);
  });

  it("reports database time and the statement count", async () => {
    const res = await t.gql(`{ me { id } }`, {}, { token });
    expect(String(res.headers["server-timing"])).toMatch(/^db;dur=\d+(\.\d+)?;desc="3 queries"$/);
  });
});
