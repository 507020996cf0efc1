import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

// No input can stall the server, and no malformed request is an internal error. The app runs
// in development, where stack traces would be shown if any of these reached one.

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp({ NODE_ENV: "development" });
  token = await t.login("owner@acme.test");
});
afterAll(() => t.close());

const GRAPHQL_RESPONSE = "application/graphql-response+json";

async function post(payload: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.server.inject({
    method: "POST",
    url: "/graphql",
    headers: { "content-type": "application/json", ...headers },
    payload: JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json() as { data?: unknown; errors: Array<{ message: string; extensions: Record<string, unknown> }> } };
}

/**
 * A mutation with a bad literal after `size` characters of comment: one run of identifier
 * characters, the worst case for the backtracking regex this replaces (11 s at 80 KB).
 */
function badLiteralQuery(size: number): string {
  const filler = "a".repeat(size);
  return `mutation { createContact(input: { firstName: "A", lastName: "B" # ${filler}\n email: "nope" }) { id } }`;
}

async function timed(query: string): Promise<number> {
  const started = performance.now();
  const res = await post({ query });
  const elapsed = performance.now() - started;
  expect(res.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.email" });
  return elapsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe("no input can stall the server", () => {
  it("an 80 KB query with a bad literal answers within twice the time of a 1 KB one", async () => {
    const small = badLiteralQuery(1_000);
    const large = badLiteralQuery(80_000);
    expect(large.length).toBeGreaterThan(80_000);
    await timed(small);
    await timed(large); // warm-up: first requests compile code paths
    const smallTimes: number[] = [];
    const largeTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      smallTimes.push(await timed(small));
      largeTimes.push(await timed(large));
    }
    const [s, l] = [median(smallTimes), median(largeTimes)];
    console.info(`bad literal: 1 KB query ${s.toFixed(1)} ms, 80 KB query ${l.toFixed(1)} ms (medians of 5)`);
    // A floor of 100 ms keeps scheduler noise on a busy 2-core machine (files run in parallel)
    // from failing a 5-10 ms baseline; the quadratic scan this replaces took seconds.
    expect(l).toBeLessThan(2 * Math.max(s, 100));
  });

  // Scalars run patterns over values: a long value that almost matches must still be refused fast.
  it.each([
    ["PhoneNumber", "phone", `+${"1".repeat(100_000)}x`],
    ["EmailAddress", "email", `a@${"b".repeat(100_000)}!`],
    ["EmailAddress", "email", `${"a.".repeat(50_000)}@x`],
  ])("a 100 KB %s variable is refused within a second", async (type, field, value) => {
    const started = performance.now();
    const res = await post(
      { query: `mutation($v: ${type}) { createContact(input: { firstName: "A", lastName: "B", ${field}: $v }) { id } }`, variables: { v: value } },
      { authorization: `Bearer ${token}` },
    );
    expect(performance.now() - started).toBeLessThan(1_000);
    // Refused by the scalar (naming the variable) or, past it, by the input's length check.
    expect(res.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(["v", `input.${field}`]).toContain(res.body.errors[0].extensions.field);
  });
});

describe("malformed requests are coded, never internal errors", () => {
  const noStack = (body: { errors: Array<{ extensions: Record<string, unknown> }> }) => {
    for (const error of body.errors) expect(error.extensions).not.toHaveProperty("stacktrace");
  };

  it("a syntax error is GRAPHQL_PARSE_FAILED: 400 as graphql-response+json, 200 as json", async () => {
    for (const [accept, status] of [
      [GRAPHQL_RESPONSE, 400],
      ["application/json", 200],
    ] as const) {
      const res = await post({ query: "{ me { id " }, { accept });
      expect(res.status, accept).toBe(status);
      expect(res.body.errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
      expect(res.body).not.toHaveProperty("data");
      noStack(res.body);
    }
  });

  it("more than 2000 tokens is QUERY_TOO_COMPLEX: 400 as graphql-response+json, 200 as json", async () => {
    const query = `{ ${Array.from({ length: 700 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    for (const [accept, status] of [
      [GRAPHQL_RESPONSE, 400],
      ["application/json", 200],
    ] as const) {
      const res = await post({ query }, { accept });
      expect(res.status, accept).toBe(status);
      expect(res.body.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
      expect(res.body.errors[0].message).toMatch(/token limit of 2000/i);
      noStack(res.body);
    }
  });

  it("a subscription is a coded 400", async () => {
    for (const accept of [GRAPHQL_RESPONSE, "application/json"]) {
      const res = await post({ query: "subscription { me { id } }" }, { accept, authorization: `Bearer ${token}` });
      expect(res.status, accept).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe("BAD_REQUEST");
      expect(res.body.errors[0].message).toMatch(/subscription/i);
      noStack(res.body);
    }
  });

  it("a persisted-query call is PERSISTED_QUERY_NOT_SUPPORTED with HTTP 400, and nothing runs", async () => {
    const hashOnly = { extensions: { persistedQuery: { version: 1, sha256Hash: "a".repeat(64) } } };
    const withQuery = { query: "{ processingPurposes { id } }", extensions: { persistedQuery: { version: 1, sha256Hash: "b".repeat(64) } } };
    for (const payload of [hashOnly, withQuery]) {
      const res = await post(payload);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe("PERSISTED_QUERY_NOT_SUPPORTED");
      expect(res.body).not.toHaveProperty("data");
      noStack(res.body);
    }
  });
});
