import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";

// Contract: BAD_USER_INPUT names the field (also `first` above the maximum); NOT_FOUND for an
// id that does not exist; no stack trace or SQL outside development; QUERY_TOO_COMPLEX is
// HTTP 400 as application/graphql-response+json; MAX_BODY_BYTES -> 413; every response carries Server-Timing with the count of
// SQL statements.

const SERVER_TIMING = /db;dur=[\d.]+;desc="\d+ quer/;
const SQL_TEXT = /\b(select\s|insert\s+into|delete\s+from|update\s+"|where\s|returning\s)|violates|constraint|relation\s+"|syntax error at|pg_|drizzle/i;

let t: TestApp;
let token: string;
let contactCount: number;
const timings: Array<[string, unknown]> = [];
/** Signed-in GraphQL requests: their count includes the session look-up, so it is at least 1. */
const signedIn: Array<[string, number]> = [];

async function gql(label: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GqlResult> {
  // Deals are written only under sales_pipeline; everything else under the owner's default.
  const res = await t.gql(query, variables, { token, headers, ...(/\b(create|update|delete)Deal\b/.test(query) ? { purpose: "sales_pipeline" } : {}) });
  timings.push([label, res.headers["server-timing"]]);
  signedIn.push([label, res.queries]);
  return res;
}

async function countContacts(): Promise<number> {
  // legal_compliance: every contact of the workspace, restricted ones included.
  const res = await t.gql(`{ contacts { totalCount } }`, {}, { token, purpose: "legal_compliance" });
  expect(res.errors).toBeUndefined();
  return res.data!.contacts.totalCount;
}

beforeAll(async () => {
  t = await startTestApp();
  token = await t.login("owner@acme.test");
  contactCount = await countContacts();
});
afterAll(() => t.close());

const CREATE_CONTACT = `mutation CreateContact($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const CREATE_DEAL = `mutation CreateDeal($input: CreateDealInput!) { createDeal(input: $input) { id } }`;
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

interface BadInput {
  label: string;
  query: string;
  variables?: Record<string, unknown>;
  field: string;
  code?: "BAD_USER_INPUT" | "NOT_FOUND";
}

const BAD_INPUTS: BadInput[] = [
  { label: "an invalid email", query: CREATE_CONTACT, variables: { input: { firstName: "Ann", lastName: "Lee", email: "not-an-email" } }, field: "email" },
  { label: "an empty firstName", query: CREATE_CONTACT, variables: { input: { firstName: "", lastName: "Lee" } }, field: "firstName" },
  { label: "a 101-character lastName", query: CREATE_CONTACT, variables: { input: { firstName: "Ann", lastName: "x".repeat(101) } }, field: "lastName" },
  { label: "an invalid phone", query: CREATE_CONTACT, variables: { input: { firstName: "Ann", lastName: "Lee", phone: "12" } }, field: "phone" },
  {
    label: "an unknown companyId",
    query: CREATE_CONTACT,
    variables: { input: { firstName: "Ann", lastName: "Lee", companyId: UNKNOWN_ID } },
    field: "companyId",
    code: "NOT_FOUND",
  },
  { label: "first: 201 on contacts", query: `{ contacts(first: 201) { totalCount } }`, field: "first" },
  { label: "a garbage after cursor", query: `{ contacts(after: "not-a-cursor!") { totalCount } }`, field: "after" },
  {
    label: "a forged cursor (valid base64url, wrong shape)",
    query: `query($a: String) { contacts(after: $a) { totalCount } }`,
    variables: { a: Buffer.from(JSON.stringify(["CREATED_AT", "x", "'; drop table contacts; --"])).toString("base64url") },
    field: "after",
  },
  {
    label: "updateContact with an empty input",
    query: `mutation($id: ID!) { updateContact(id: $id, input: {}) { id } }`,
    variables: { id: UNKNOWN_ID },
    field: "input",
  },
  { label: "createDeal with a negative amount", query: CREATE_DEAL, variables: { input: { title: "Bad deal", amount: -1 } }, field: "amount" },
  { label: "createDeal with currency eur", query: CREATE_DEAL, variables: { input: { title: "Bad deal", currency: "eur" } }, field: "currency" },
];

describe("bad input", () => {
  it.each(BAD_INPUTS)("$label -> $code naming $field", async ({ label, query, variables, field, code = "BAD_USER_INPUT" }) => {
    const res = await gql(label, query, variables);
    expect(res.errors, `${label}: accepted, data ${JSON.stringify(res.data)}`).toBeDefined();
    const [error] = res.errors!;
    expect(error.extensions.code, JSON.stringify(error)).toBe(code);
    const named = String(error.extensions.field ?? "").includes(field) || error.message.includes(field);
    expect(named, `${label}: neither the message nor extensions.field names ${field}: ${JSON.stringify(error)}`).toBe(true);
    if (code === "NOT_FOUND") expect(error.extensions.field).toBe(field);
    expect(error.extensions).not.toHaveProperty("stacktrace");
    expect(error.extensions).not.toHaveProperty("exception");
    expect(error.message).not.toMatch(SQL_TEXT);
    expect(JSON.stringify(error.extensions)).not.toMatch(SQL_TEXT);
    const root = Object.keys(res.data ?? {})[0];
    if (root) expect(res.data![root]).toBeNull();
  });

  it("left the contact count unchanged", async () => {
    expect(await countContacts()).toBe(contactCount);
  });
});

describe("transport limits", () => {
  it("GET /healthz -> 200 {status: ok}, its one statement counted", async () => {
    const res = await t.app.server.inject({ method: "GET", url: "/healthz" });
    timings.push(["GET /healthz", res.headers["server-timing"]]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
    expect(String(res.headers["server-timing"])).toMatch(/desc="1 query"/);
  });

  it("a literal that fails its scalar names the argument too", async () => {
    const token = await t.login("owner@acme.test");
    const res = await t.gql(`mutation { createContact(input: { firstName: "A", lastName: "B",\n  email: "nope" }) { id } }`, {}, { token });
    expect(res.status).toBe(200);
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.email" });
    expect(res.errors![0].message).toMatch(/^input\.email: /);
  });

  it("a variable that fails its scalar (bad email) keeps HTTP 200, like other bad input", async () => {
    const token = await t.login("owner@acme.test");
    const res = await t.gql(
      `mutation($i: CreateContactInput!) { createContact(input: $i) { id } }`,
      { i: { firstName: "A", lastName: "B", email: "not-an-email" } },
      { token },
    );
    expect(res.status).toBe(200);
    expect(res.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    expect(res.errors![0].message).toMatch(/email/);
  });

  // A query limit is a request error: HTTP 400 as application/graphql-response+json, 200 as
  // application/json (the contract's status table, from the GraphQL-over-HTTP spec).
  it("a query deeper than MAX_QUERY_DEPTH is QUERY_TOO_COMPLEX (400 as graphql-response+json, 200 as json)", async () => {
    expect(t.config.maxQueryDepth).toBe(10);
    // contacts > nodes > (company > contacts) x 5 > id: 13 levels.
    let inner = "id";
    for (let i = 0; i < 5; i++) inner = `company { contacts { ${inner} } }`;
    for (const [accept, status] of [
      ["application/graphql-response+json", 400],
      ["application/json", 200],
    ] as const) {
      const res = await gql("deep query", `{ contacts { nodes { ${inner} } } }`, {}, { accept });
      expect(res.status, accept).toBe(status);
      expect(res.errors![0].extensions.code).toBe("QUERY_TOO_COMPLEX");
      expect(res.data).toBeUndefined();
    }
  });

  it("a query at the depth limit still runs", async () => {
    // contacts > nodes > company > contacts > company > name: 6 levels.
    const res = await gql("shallow query", `{ contacts(first: 2) { nodes { company { contacts { company { name } } } } } }`);
    expect(res.errors).toBeUndefined();
  });

  it("more than MAX_ALIASES aliases is QUERY_TOO_COMPLEX (400 as graphql-response+json, 200 as json)", async () => {
    expect(t.config.maxAliases).toBe(15);
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(" ");
    for (const [accept, status] of [
      ["application/graphql-response+json", 400],
      ["application/json", 200],
    ] as const) {
      const res = await gql("16 aliases", `{ ${aliases} }`, {}, { accept });
      expect(res.status, accept).toBe(status);
      expect(res.errors![0].extensions.code).toBe("QUERY_TOO_COMPLEX");
      expect(res.data).toBeUndefined();
    }
  });

  it("15 aliases are fine", async () => {
    const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: me { id }`).join(" ");
    const res = await gql("15 aliases", `{ ${aliases} }`);
    expect(res.errors).toBeUndefined();
  });

  it("a body over MAX_BODY_BYTES -> 413", async () => {
    const padding = "x".repeat(t.config.maxBodyBytes + 1);
    const res = await t.app.server.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      payload: JSON.stringify({ query: "{ me { id } }", variables: { padding } }),
    });
    timings.push(["oversized body", res.headers["server-timing"]]);
    expect(res.statusCode).toBe(413);
    expect(res.body).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it("every response carried a Server-Timing header with the statement count", () => {
    expect(timings.length).toBeGreaterThan(BAD_INPUTS.length);
    for (const [label, header] of timings) {
      expect(String(header ?? ""), `${label}: Server-Timing is ${JSON.stringify(header)}`).toMatch(SERVER_TIMING);
    }
    for (const [label, queries] of signedIn) {
      expect(queries, `${label}: Server-Timing does not count the sign-in look-up`).toBeGreaterThanOrEqual(1);
    }
  });
});
