import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { bothWays, planOf, withRoot } from "../helpers/compiled-page.js";
import { db } from "../helpers/fixtures.js";
import { sql } from "drizzle-orm";
import { loadPolicies } from "../../src/authz/policy-loader.js";
import { registry } from "../../src/modules/registry.js";

// The compiled page (src/graphql/compiled-page.ts) answers `contacts` pages without a resolver
// per field. Differential test: every query below is asked twice, as is (the compiled page when
// it applies) and with `@include(if: true)` on the root field (a directive: always the
// resolvers), for every demo user and purpose; the two answers must be equal byte for byte.

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  // States the policies gate on, on people with deals and interactions: a restriction, an
  // objection, an erasure tombstone, a withdrawn consent; and rows of microsecond precision.
  const d = db(t);
  await d.execute(sql`update contacts set processing_restricted = true where email = 'bruno.bernard@initech.test'`);
  await d.execute(sql`update contacts set erased_at = now() where email = 'karim.simon@initech.test'`);
  await d.execute(sql`update contacts set created_at = created_at + interval '123 microseconds'`);
  await d.execute(sql`update deals set created_at = created_at + interval '999 microseconds', amount = 1234.5 where amount is not null`);
  await d.execute(sql`update interactions set occurred_at = occurred_at + interval '456789 microseconds'`);
});
afterAll(() => t.close());

// Every demo user, under every purpose its role's policy file allows.
const ROLES: Record<string, string> = {
  "owner@acme.test": "owner",
  "sales@acme.test": "sales_rep",
  "support@acme.test": "support",
  "marketing@acme.test": "marketing",
  "dpo@acme.test": "dpo",
  "auditor@acme.test": "auditor",
  "owner@globex.test": "owner",
};
const policies = loadPolicies(registry);
const USERS = Object.fromEntries(Object.entries(ROLES).map(([email, role]) => [email, policies.roles.get(role)!.purposes]));

const NESTED = `id firstName lastName email company { id name } deals { id title stage amount } interactions { id kind subject occurredAt }`;
const EVERYTHING = `__typename id firstName lastName email phone position processingRestricted createdAt updatedAt
  employer: company { __typename id name domain industry createdAt updatedAt }
  deals(first: $deals) { __typename id title stage amount currency closedAt createdAt updatedAt }
  interactions(first: 2) { __typename id kind purpose subject body occurredAt createdAt updatedAt }`;

const QUERIES: Array<{ name: string; query: string; variables?: Record<string, unknown> }> = [
  {
    name: "the bench's nested page",
    query: `query($first: Int) { contacts(first: $first) ROOT { totalCount nodes { ${NESTED} } } }`,
    variables: { first: 50 },
  },
  {
    name: "every field, aliases, edges, pageInfo",
    query: `query($deals: Int) { people: contacts(first: 3) ROOT { __typename total: totalCount totalCountCapped
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { __typename cursor node { ${EVERYTHING} } } } }`,
    variables: { deals: 1 },
  },
  { name: "backward", query: `{ contacts(last: 2) ROOT { pageInfo { hasPreviousPage startCursor } nodes { id email } } }` },
  { name: "first: 0", query: `{ contacts(first: 0) ROOT { totalCount pageInfo { endCursor hasNextPage } nodes { id } } }` },
  { name: "page size out of range", query: `{ contacts(first: 500) ROOT { nodes { id } } }` },
  { name: "nested size out of range", query: `{ contacts(first: 2) ROOT { nodes { id deals(first: 101) { id } } } }` },
  { name: "a cursor this API did not issue", query: `{ contacts(after: "nope") ROOT { nodes { id } } }` },
  { name: "a bad variable", query: `query($n: Int) { contacts(first: $n) ROOT { nodes { id } } }`, variables: { n: "many" } },
];

const both = (query: string, variables: Record<string, unknown>, as: { token: string; purpose: string }, label = query) =>
  bothWays(t, query, variables, as, label);

describe("the compiled page answers exactly as the resolvers", () => {
  for (const [email, purposes] of Object.entries(USERS)) {
    it(`${email}, every purpose, every query`, async () => {
      const token = await t.login(email);
      for (const purpose of purposes) {
        for (const q of QUERIES) {
          await both(q.query, q.variables ?? {}, { token, purpose }, `${email} under ${purpose}: ${q.name}`);
        }
      }
    });
  }

  it("serves the owner's and the sales rep's pages compiled, in fewer statements", async () => {
    for (const email of ["owner@acme.test", "sales@acme.test"]) {
      const token = await t.login(email);
      const { compiled, resolvers } = await both(QUERIES[0].query, { first: 50 }, { token, purpose: "service_provision" });
      expect(planOf(compiled), email).toBe("compiled");
      expect(compiled.data!.contacts.nodes.length).toBeGreaterThan(0);
      expect(compiled.queries).toBeLessThan(resolvers.queries);
    }
  });

  it("leaves a role whose rules list fields (marketing) and every error to the resolvers", async () => {
    const marketing = await t.login("marketing@acme.test");
    const { compiled } = await both(QUERIES[0].query, { first: 50 }, { token: marketing, purpose: "marketing_email" });
    expect(planOf(compiled)).toBeUndefined();
    const owner = await t.login("owner@acme.test");
    for (const q of QUERIES.slice(4)) {
      const { compiled: bad } = await both(q.query, q.variables ?? {}, { token: owner, purpose: "service_provision" });
      expect(planOf(bad), q.name).toBeUndefined();
      expect(bad.errors?.length, q.name).toBeGreaterThan(0);
    }
  });

  it("refuses as the resolvers do without a token and under a purpose the role lacks", async () => {
    const anonymous = await t.gql(withRoot(QUERIES[0].query, ""), { first: 5 });
    expect(planOf(anonymous)).toBeUndefined();
    expect(anonymous.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
    const sales = await t.login("sales@acme.test");
    const other = await t.gql(withRoot(QUERIES[0].query, ""), { first: 5 }, { token: sales, purpose: "marketing_email" });
    expect(planOf(other)).toBeUndefined();
    expect(other.errors?.[0]?.extensions.code).toBeDefined();
  });
});
