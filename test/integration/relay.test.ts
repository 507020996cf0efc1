import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { insertPeople, workspaceId } from "../helpers/fixtures.js";

// Issue 7 item 3: connections as the Relay spec describes them.
let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  await insertPeople(t, await workspaceId(t, "Acme"), 60, { perContact: 3 });
  token = await t.login("owner@acme.test");
});
afterAll(() => t.close());

const CONTACTS = `query($first: Int, $after: String, $last: Int, $before: String, $search: String) {
  contacts(first: $first, after: $after, last: $last, before: $before, filter: { search: $search }) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }
  }
}`;

async function contacts(vars: Record<string, unknown>) {
  const res = await t.gql(CONTACTS, vars, { token });
  return { res, c: res.data?.contacts };
}

const ids = (edges: Array<{ node: { id: string } }>) => edges.map((e) => e.node.id);

describe("PageInfo", () => {
  it("forward: start and end cursors are the first and last edges'; hasPreviousPage is false", async () => {
    const { res, c } = await contacts({ first: 5 });
    expect(res.errors).toBeUndefined();
    expect(c.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: c.edges[0].cursor, endCursor: c.edges[4].cursor });
  });

  it("backward: `last` gives the end of the list, in list order, and `before` walks back to its start", async () => {
    const all = ids((await contacts({ first: 200 })).c.edges);
    const { c } = await contacts({ last: 5 });
    expect(ids(c.edges)).toEqual(all.slice(-5));
    expect(c.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false, startCursor: c.edges[0].cursor, endCursor: c.edges[4].cursor });
    const walked: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = (await contacts({ last: 17, before })).c;
      walked.unshift(...ids(page.edges));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(walked).toEqual(all);
  });

  it("a cursor from a forward page pages backward from that row", async () => {
    const all = ids((await contacts({ first: 200 })).c.edges);
    const forward = (await contacts({ first: 10 })).c;
    const back = (await contacts({ last: 3, before: forward.pageInfo.endCursor })).c;
    expect(ids(back.edges)).toEqual(all.slice(6, 9));
    expect(back.pageInfo.hasPreviousPage).toBe(true);
  });

  it("first: 0 and last: 0 tell whether rows exist, with no edges", async () => {
    const { c } = await contacts({ first: 0 });
    expect(c.edges).toEqual([]);
    expect(c.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
    expect(c.totalCount).toBeGreaterThan(60);
    expect((await contacts({ last: 0 })).c.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const none = (await contacts({ first: 0, search: "no such person anywhere" })).c;
    expect(none.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it("the end of the list says so", async () => {
    const all = (await contacts({ first: 200 })).c;
    const tail = (await contacts({ first: 5, after: all.edges[all.edges.length - 3].cursor })).c;
    expect(tail.edges).toHaveLength(2);
    expect(tail.pageInfo.hasNextPage).toBe(false);
  });
});

describe("paging arguments", () => {
  it("refuses mixing directions, naming the backward argument", async () => {
    const cursor = (await contacts({ first: 1 })).c.pageInfo.endCursor;
    for (const [vars, field] of [
      [{ first: 1, last: 1 }, "last"],
      [{ after: cursor, last: 1 }, "last"],
      [{ first: 1, before: cursor }, "before"],
    ] as const) {
      const { res } = await contacts(vars);
      expect(res.errors?.[0].extensions, JSON.stringify(vars)).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(res.status).toBe(200);
    }
  });

  it("refuses a `last` out of range, naming it", async () => {
    for (const last of [-1, 201]) {
      const { res } = await contacts({ last });
      expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "last" });
    }
  });

  it("pages the audit log backward too", async () => {
    const q = `query($first: Int, $last: Int, $before: String) { auditLog(first: $first, last: $last, before: $before) { pageInfo { hasPreviousPage startCursor } edges { node { id } } } }`;
    const all = await t.gql(q, { first: 200 }, { token, purpose: "legal_compliance" });
    expect(all.errors).toBeUndefined();
    const entries = ids(all.data!.auditLog.edges);
    if (entries.length < 2) return;
    const last = await t.gql(q, { last: 1 }, { token, purpose: "legal_compliance" });
    expect(ids(last.data!.auditLog.edges)).toEqual(entries.slice(-1));
  });
});

const NESTED = `query($first: Int, $inner: Int, $after: String) {
  contacts(first: $first, filter: { search: "Bulk" }) {
    nodes {
      id
      deals { id }
      interactions { id }
      dealsConnection(first: $inner, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id createdAt } } }
      interactionsConnection(first: $inner) { totalCount pageInfo { hasNextPage } nodes { id occurredAt } }
    }
  }
}`;

describe("connections beside the plain lists", () => {
  it("hold the same rows as the plain lists, newest first, with totalCount", async () => {
    const res = await t.gql(NESTED, { first: 20, inner: 20 }, { token });
    expect(res.errors).toBeUndefined();
    for (const person of res.data!.contacts.nodes) {
      expect(ids(person.dealsConnection.edges)).toEqual(person.deals.map((d: { id: string }) => d.id));
      expect(person.interactionsConnection.nodes.map((i: { id: string }) => i.id)).toEqual(person.interactions.map((i: { id: string }) => i.id));
      expect(person.dealsConnection.totalCount).toBe(3);
      expect(person.interactionsConnection.totalCount).toBe(3);
      const times = person.dealsConnection.edges.map((e: { node: { createdAt: string } }) => e.node.createdAt);
      expect(times).toEqual([...times].sort().reverse());
    }
  });

  it("page a person's deals forward and backward", async () => {
    const one = await t.gql(NESTED, { first: 1, inner: 2 }, { token });
    const person = one.data!.contacts.nodes[0];
    expect(person.dealsConnection.pageInfo.hasNextPage).toBe(true);
    const q = `query($id: ID!, $after: String, $before: String, $first: Int, $last: Int) { contact(id: $id) {
      dealsConnection(first: $first, after: $after, last: $last, before: $before) { pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } } }`;
    const rest = await t.gql(q, { id: person.id, first: 2, after: person.dealsConnection.pageInfo.endCursor }, { token });
    const next = rest.data!.contact.dealsConnection;
    expect(ids(next.edges)).toEqual(person.deals.slice(2).map((d: { id: string }) => d.id));
    expect(next.pageInfo.hasNextPage).toBe(false);
    const back = await t.gql(q, { id: person.id, last: 5 }, { token });
    expect(ids(back.data!.contact.dealsConnection.edges)).toEqual(person.deals.map((d: { id: string }) => d.id));
    const mixed = await t.gql(q, { id: person.id, first: 1, last: 1 }, { token });
    expect(mixed.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "last" });
    const big = await t.gql(q, { id: person.id, first: 101 }, { token });
    expect(big.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });

  it("a company's people and deals", async () => {
    const q = `{ companies(first: 10) { nodes { id contacts(first: 70) { id } deals(first: 70) { id }
      contactsConnection(first: 70) { totalCount nodes { id } } dealsConnection(first: 70) { totalCount nodes { id } } } } }`;
    const res = await t.gql(q, {}, { token });
    expect(res.errors).toBeUndefined();
    const companies = res.data!.companies.nodes;
    expect(companies.some((c: { contacts: unknown[] }) => c.contacts.length > 0)).toBe(true);
    for (const c of companies) {
      expect(ids(c.contactsConnection.nodes.map((n: { id: string }) => ({ node: n })))).toEqual(c.contacts.map((p: { id: string }) => p.id));
      expect(c.dealsConnection.nodes.map((n: { id: string }) => n.id)).toEqual(c.deals.map((d: { id: string }) => d.id));
      expect(c.contactsConnection.totalCount).toBeGreaterThanOrEqual(c.contacts.length);
    }
  });

  it("cost a constant number of statements inside a list, whatever its size", async () => {
    const counts: number[] = [];
    for (const first of [5, 20, 60]) {
      const res = await t.gql(NESTED, { first, inner: 2 }, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data!.contacts.nodes).toHaveLength(first);
      counts.push(res.queries);
    }
    expect(new Set(counts).size).toBe(1);
    // sign-in (two: the token's workspace, then the session), contacts, deals, interactions,
    // and for each connection its pages and its counts
    expect(counts[0]).toBeLessThanOrEqual(9);
  });

  it("are guarded like the plain lists: no rows for a role that may not read them", async () => {
    const marketing = await t.login("marketing@acme.test");
    const q = `{ contacts(first: 3) { nodes { id deals { id } dealsConnection(first: 3) { totalCount nodes { id } } } } }`;
    const res = await t.gql(q, {}, { token: marketing });
    const plain = res.data?.contacts.nodes.map((n: { deals: unknown }) => n.deals);
    const conn = res.data?.contacts.nodes.map((n: { dealsConnection: { nodes: unknown[] } | null }) => n.dealsConnection?.nodes ?? null);
    // Whatever the policy says for deals, both fields say the same.
    expect(conn).toEqual(plain);
  });
});
