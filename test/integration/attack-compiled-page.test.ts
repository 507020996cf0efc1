import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { bothWays, planOf } from "../helpers/compiled-page.js";
import { db } from "../helpers/fixtures.js";

// Attacks on the compiled page (src/graphql/compiled-page.ts): each request is asked as is and
// with `@include(if: true)` on the root field (always the resolvers); both answers must match.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const same = (query: string, variables: Record<string, unknown>, as: { token: string; purpose?: string }, label: string) =>
  bothWays(t, query, variables, as, label);

const DEALS = `{ contacts(first: 10) ROOT { nodes { id deals(first: 5) { id stage amount closedAt createdAt } } } }`;

describe("attacks on the compiled page", () => {
  it("API tokens with narrow scopes answer as the resolvers", async () => {
    const owner = await t.login("owner@acme.test");
    const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`;
    const query = `{ contacts(first: 20) ROOT { totalCount nodes { id email company { id name } deals { id title } interactions { id kind } } } }`;
    for (const scopes of [["contacts:read"], ["contacts:read", "companies:read"], ["contacts:read", "deals:read", "interactions:read"], ["deals:read"]]) {
      const res = await t.gql<{ createApiToken: { token: string } }>(CREATE, { input: { name: `s-${scopes.join("-")}`, scopes } }, { token: owner });
      expect(res.errors, scopes.join()).toBeUndefined();
      await same(query, {}, { token: res.data!.createApiToken.token }, scopes.join());
    }
  });

  it("timestamps outside years 1000-9999 (stored by another client) answer as the resolvers", async () => {
    const owner = await t.login("owner@acme.test");
    const d = db(t);
    for (const instant of [
      "12000-06-01T00:00:00Z",
      "0999-12-31T23:59:59.999Z",
      "1000-01-01T00:00:00Z",
      "1900-01-01T00:00:00.001Z",
      "9999-12-31T23:59:59.999Z",
      "1000-06-01 BC",
      "infinity",
    ]) {
      await d.execute(sql`update deals set closed_at = ${instant}::timestamptz where closed_at is null`);
      try {
        await same(DEALS, {}, { token: owner, purpose: "service_provision" }, instant);
      } finally {
        await d.execute(sql`update deals set closed_at = null where closed_at = ${instant}::timestamptz`);
      }
    }
  });

  it("a NaN amount (stored by another client) answers as the resolvers", async () => {
    const owner = await t.login("owner@acme.test");
    const d = db(t);
    await d.execute(sql`create table attack_amounts as select id, amount from deals`);
    await d.execute(sql`update deals set amount = 'NaN'`);
    try {
      const { resolvers } = await same(DEALS, {}, { token: owner, purpose: "service_provision" }, "NaN");
      expect(resolvers.errors?.length).toBeGreaterThan(0);
    } finally {
      await d.execute(sql`update deals set amount = a.amount from attack_amounts a where a.id = deals.id`);
      await d.execute(sql`drop table attack_amounts`);
    }
  });

  it("a response key named __proto__ is an own key of the answer, as graphql-js writes it", async () => {
    const owner = await t.login("owner@acme.test");
    for (const query of [
      `{ contacts(first: 2) ROOT { nodes { id __proto__: email } } }`,
      `{ contacts(first: 2) ROOT { nodes { id __proto__: company { id name } } } }`,
      `{ contacts(first: 2) ROOT { __proto__: totalCount nodes { id } } }`,
      `{ contacts(first: 2) ROOT { edges { __proto__: cursor node { id } } pageInfo { __proto__: endCursor } } }`,
    ]) {
      await same(query, {}, { token: owner, purpose: "service_provision" }, query);
    }
  });

  it("nested sizes, aliases, variables and backward cursors answer as the resolvers", async () => {
    const owner = await t.login("owner@acme.test");
    const as = { token: owner, purpose: "service_provision" };
    const first = await t.gql<{ contacts: { pageInfo: { endCursor: string } } }>(`{ contacts(first: 3) { pageInfo { endCursor } } }`, {}, as);
    const cursor = first.data!.contacts.pageInfo.endCursor;
    const cases: Array<[string, Record<string, unknown>]> = [
      [`{ contacts(first: 3) ROOT { nodes { id deals(first: 0) { id } interactions(first: null) { id } } } }`, {}],
      [`query($n: Int) { contacts(first: 3) ROOT { nodes { id a: deals(first: $n) { id } b: deals(first: 1) { title } } } }`, { n: null }],
      [`query($n: Int = 2) { contacts(first: 3) ROOT { nodes { id deals(first: $n) { id } } } }`, {}],
      [
        `query($c: String) { contacts(last: 2, before: $c) ROOT { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id } } }`,
        { c: cursor },
      ],
      [`query($c: String) { contacts(first: 2, after: $c) ROOT { edges { cursor } pageInfo { hasNextPage hasPreviousPage } } }`, { c: cursor }],
      [`{ contacts(first: 3) ROOT { nodes { x: company { id } y: company { name } } } }`, {}],
      [`{ contacts(first: 3) ROOT { nodes { deals { __typename: id } } } }`, {}],
    ];
    for (const [query, variables] of cases) await same(query, variables, as, query);
  });

  it("stored values the scalars refuse, and person states, answer as the resolvers for every role and purpose", async () => {
    const d = db(t);
    // Another client wrote an email and a phone the scalars cannot serialize; a person objected
    // to everything, another withdrew every consent, another is restricted and has interactions.
    await d.execute(sql`update contacts set email = 'not an email', phone = '0612' where id = (select id from contacts order by created_at desc limit 1)`);
    await d.execute(sql`update contacts set objected_purposes = '{service_provision,sales_pipeline,customer_support,marketing_email,marketing_sms,analytics}'
      where id in (select contact_id from deals where contact_id is not null order by created_at desc limit 1)`);
    await d.execute(sql`update contacts set consented_purposes = '{}' where id in (select contact_id from interactions order by occurred_at desc limit 1)`);
    await d.execute(sql`update contacts set processing_restricted = true where id in (select contact_id from interactions order by occurred_at limit 1)`);
    const query = `{ contacts(first: 20) ROOT { totalCount nodes { id email phone processingRestricted company { id name }
      deals(first: 3) { id title stage closedAt } interactions(first: 3) { id kind purpose subject occurredAt } } } }`;
    const users: Record<string, string[]> = {
      "owner@acme.test": ["service_provision", "sales_pipeline", "customer_support", "marketing_email", "analytics", "legal_compliance"],
      "sales@acme.test": ["service_provision", "sales_pipeline", "customer_support"],
      "support@acme.test": ["customer_support", "service_provision"],
      "dpo@acme.test": ["legal_compliance", "service_provision"],
    };
    for (const [email, purposes] of Object.entries(users)) {
      const token = await t.login(email);
      for (const purpose of purposes) await same(query, {}, { token, purpose }, `${email} ${purpose}`);
    }
  });
});

describe("cursors from elsewhere on the compiled page", () => {
  it("another workspace's cursor, another order's cursor, a tampered and a huge cursor are refused as the resolvers refuse them", async () => {
    const acme = await t.login("owner@acme.test");
    const globex = await t.login("owner@globex.test");
    const endOf = async (query: string, token: string) => {
      const res = await t.gql(query, {}, { token });
      expect(res.errors, query).toBeUndefined();
      return res.data!.contacts.pageInfo.endCursor as string;
    };
    const foreign = await endOf(`{ contacts(first: 1) { pageInfo { endCursor } } }`, globex);
    const byName = await endOf(`{ contacts(first: 1, orderBy: { field: LAST_NAME, direction: ASC }) { pageInfo { endCursor } } }`, acme);
    const own = await endOf(`{ contacts(first: 1) { pageInfo { endCursor } } }`, acme);
    const tampered = `${own.slice(0, -2)}${own.endsWith("AA") ? "BB" : "AA"}`;
    const query = `query($c: String) { contacts(first: 2, after: $c) ROOT { totalCount nodes { id deals { id } } } }`;
    for (const [name, cursor] of Object.entries({ foreign, byName, tampered, huge: "A".repeat(100_000) })) {
      const { compiled } = await same(query, { c: cursor }, { token: acme }, name);
      expect(planOf(compiled), name).toBeUndefined();
      expect(compiled.errors?.[0]?.extensions.code, name).toBe("BAD_USER_INPUT");
    }
    // The same query with its own cursor is served compiled.
    const { compiled } = await same(query, { c: own }, { token: acme }, "own");
    expect(planOf(compiled)).toBe("compiled");
  });
});

describe("the compiled page under a small COUNT_CAP", () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ COUNT_CAP: "3" });
  });
  afterAll(() => small.close());

  it("totalCount and totalCountCapped answer as the resolvers", async () => {
    const token = await small.login("owner@acme.test");
    for (const query of [
      `{ contacts(first: 2) ROOT { totalCount totalCountCapped nodes { id deals { id } } } }`,
      `{ contacts(first: 0) ROOT { totalCountCapped } }`,
    ]) {
      const compiled = await small.gql(query.replace("ROOT", ""), {}, { token, purpose: "service_provision" });
      const resolvers = await small.gql(query.replace("ROOT", "@include(if: true)"), {}, { token, purpose: "service_provision" });
      expect(planOf(compiled), query).toBe("compiled");
      expect(JSON.stringify(compiled.data)).toBe(JSON.stringify(resolvers.data));
      expect(compiled.errors).toEqual(resolvers.errors);
    }
  });
});
