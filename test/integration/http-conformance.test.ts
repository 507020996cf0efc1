import "reflect-metadata";
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { DEMO_PASSWORD } from "../helpers/app.js";
import { testDatabase } from "../helpers/database.js";

// GraphQL over HTTP as the contract's status table says, the spec's own audit (graphql-http),
// Fastify's errors in the GraphQL shape and out of the error log, X-Request-Id and CORS.

const ORIGIN = "https://app.example.test";
const GRAPHQL_RESPONSE = "application/graphql-response+json";

let app: App;
let token: string;
let salesToken: string;
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: "memory://", LOG_LEVEL: "info", NODE_ENV: "test", SEED_DEMO: "true", CORS_ORIGINS: ORIGIN });
  app = await createApp(config, { database: await testDatabase(), logStream: { write: (line) => void logs.push(JSON.parse(line)) } });
  token = await login("owner@acme.test");
  salesToken = await login("sales@acme.test");
});
afterAll(() => app.close());

async function login(email: string): Promise<string> {
  const res = await post({
    query: `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`,
    variables: { e: email, p: DEMO_PASSWORD },
  });
  return res.json().data.login.token;
}

function post(payload: unknown, headers: Record<string, string> = {}) {
  return app.server.inject({
    method: "POST",
    url: "/graphql",
    headers: { "content-type": "application/json", ...headers },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

describe("graphql-http audit (the GraphQL-over-HTTP spec's own test suite)", () => {
  it("finds no error and at most 3 warnings", async () => {
    const url = `${await app.server.listen({ port: 0, host: "127.0.0.1" })}/graphql`;
    const results = await Promise.all(serverAudits({ url }).map((audit) => audit.fn()));
    const failed = results.filter((r) => r.status === "error");
    const warned = results.filter((r) => r.status === "warn");
    const explain = (r: (typeof results)[number]) => `${r.id} ${r.name}: ${"reason" in r ? r.reason : ""}`;
    console.info(
      `graphql-http audit: ${results.length} audits, ${failed.length} errors, ${warned.length} warnings${warned.map((r) => `\n  warn ${explain(r)}`).join("")}`,
    );
    expect(failed.map(explain)).toEqual([]);
    expect(warned.length).toBeLessThanOrEqual(3);
  });
});

// Each request error, with the media type it asks for: 400 as graphql-response+json, 200 as json.
const REQUEST_ERRORS: Array<{ label: string; code: string; payload: () => unknown; headers?: () => Record<string, string> }> = [
  { label: "a syntax error", code: "GRAPHQL_PARSE_FAILED", payload: () => ({ query: "{ me { id " }) },
  { label: "an unknown field", code: "GRAPHQL_VALIDATION_FAILED", payload: () => ({ query: "{ nope }" }) },
  {
    label: "a query over the depth limit",
    code: "QUERY_TOO_COMPLEX",
    payload: () => ({ query: `{ contacts { nodes { ${"company { contacts { ".repeat(5)}id${" } }".repeat(5)} } } }` }),
  },
  {
    label: "a variable that fails its type",
    code: "BAD_USER_INPUT",
    payload: () => ({ query: "query($n: Int) { contacts(first: $n) { totalCount } }", variables: { n: "ten" } }),
  },
  {
    label: "an unknown X-Processing-Purpose",
    code: "BAD_USER_INPUT",
    payload: () => ({ query: "{ contacts { totalCount } }" }),
    headers: () => ({ authorization: `Bearer ${token}`, "x-processing-purpose": "astrology" }),
  },
];

describe("status table (API-CONTRACT.md)", () => {
  it.each(REQUEST_ERRORS)("$label: $code, 400 as graphql-response+json, 200 as json or without Accept", async ({ code, payload, headers }) => {
    for (const [accept, status, type] of [
      [GRAPHQL_RESPONSE, 400, GRAPHQL_RESPONSE],
      ["application/json", 200, "application/json"],
      [undefined, 200, "application/json"],
    ] as const) {
      const res = await post(payload(), { ...headers?.(), ...(accept ? { accept } : {}) });
      expect(res.statusCode, `Accept: ${accept}: ${res.body}`).toBe(status);
      expect(res.headers["content-type"]).toContain(type);
      const body = res.json();
      expect(body.errors[0].extensions.code).toBe(code);
      expect(body).not.toHaveProperty("data");
    }
  });

  it("execution errors stay at 200 as graphql-response+json (NOT_FOUND, FORBIDDEN)", async () => {
    const missing = await post(
      { query: `{ contact(id: "00000000-0000-4000-8000-000000000000") { id } }` },
      { accept: GRAPHQL_RESPONSE, authorization: `Bearer ${token}` },
    );
    expect(missing.statusCode).toBe(200);
    expect(missing.json().errors[0].extensions.code).toBe("NOT_FOUND");
    const forbidden = await post(
      { query: "{ contacts { totalCount } }" },
      { accept: GRAPHQL_RESPONSE, authorization: `Bearer ${salesToken}`, "x-processing-purpose": "marketing_email" },
    );
    expect(forbidden.statusCode).toBe(200);
    expect(forbidden.json().errors[0].extensions.code).toBe("FORBIDDEN");
  });

  it("UNAUTHENTICATED is 401 with WWW-Authenticate: Bearer, whatever the media type", async () => {
    for (const accept of [GRAPHQL_RESPONSE, "application/json"]) {
      const anonymous = await post({ query: "{ me { id } }" }, { accept });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers["www-authenticate"]).toMatch(/^Bearer\b/);
      expect(anonymous.json().errors[0].extensions.code).toBe("UNAUTHENTICATED");
      const badToken = await post({ query: "{ me { id } }" }, { accept, authorization: "Bearer not-a-token" });
      expect(badToken.statusCode).toBe(401);
      expect(badToken.headers["www-authenticate"]).toMatch(/^Bearer error="invalid_token"/);
    }
  });
});

describe("errors Fastify raises before GraphQL", () => {
  it.each([
    { label: "bad JSON", status: 400, code: "BAD_REQUEST", request: () => post("{bad") },
    { label: "an unsupported media type", status: 415, code: "UNSUPPORTED_MEDIA_TYPE", request: () => post("<q/>", { "content-type": "application/xml" }) },
    {
      label: "a body over MAX_BODY_BYTES",
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      request: () => post({ query: "{ me { id } }", variables: { pad: "x".repeat(1024 * 1024) } }),
    },
    { label: "an unknown route", status: 404, code: "NOT_FOUND", request: () => app.server.inject({ method: "GET", url: "/nowhere?secret=1" }) },
  ])("$label -> $status in the GraphQL error shape, logged without an error object", async ({ status, code, request }) => {
    const sent = logs.length;
    const res = await request();
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toEqual({ errors: [{ message: expect.any(String), extensions: { code } }] });
    expect(res.headers["x-request-id"]).toBeTruthy();
    const lines = logs.slice(sent);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line, JSON.stringify(line)).not.toHaveProperty("err");
      expect(JSON.stringify(line)).not.toMatch(/stack|at .*\.(js|ts):\d+/);
      expect(line.reqId).toBe(res.headers["x-request-id"]);
    }
  });
});

describe("X-Request-Id", () => {
  it("a well-formed id is kept, returned and used as the request id in the logs", async () => {
    const sent = logs.length;
    const res = await post({ query: "{ processingPurposes { id } }" }, { "x-request-id": "trace-42.abc_DEF" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-request-id"]).toBe("trace-42.abc_DEF");
    const ids = new Set(logs.slice(sent).map((line) => line.reqId));
    expect([...ids]).toEqual(["trace-42.abc_DEF"]);
  });

  it.each([
    ["with spaces and quotes", 'a b"c'],
    ["too long", "x".repeat(129)],
    ["with a newline escape", "a\\nb"],
  ])("an id %s is replaced by a generated one", async (_label, id) => {
    const res = await post({ query: "{ processingPurposes { id } }" }, { "x-request-id": id });
    expect(res.headers["x-request-id"]).not.toBe(id);
    expect(res.headers["x-request-id"]).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
  });

  it("every response carries one, /healthz included", async () => {
    const health = await app.server.inject({ method: "GET", url: "/healthz" });
    expect(health.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const a = await post({ query: "{ processingPurposes { id } }" });
    expect(a.headers["x-request-id"]).not.toBe(health.headers["x-request-id"]);
  });
});

describe("CORS (CORS_ORIGINS set)", () => {
  it("a preflight from an allowed origin succeeds for the headers the API reads", async () => {
    const res = await app.server.inject({
      method: "OPTIONS",
      url: "/graphql",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-processing-purpose, x-request-id, apollo-require-preflight",
      },
    });
    expect(res.statusCode).toBeLessThan(300);
    expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
    const allowed = String(res.headers["access-control-allow-headers"]).toLowerCase();
    for (const header of ["authorization", "content-type", "x-processing-purpose", "x-request-id", "apollo-require-preflight"])
      expect(allowed).toContain(header);
    expect(String(res.headers["access-control-allow-methods"])).toContain("POST");
  });

  it("responses expose Retry-After, RateLimit, RateLimit-Policy, Server-Timing and X-Request-Id", async () => {
    const res = await post({ query: "{ processingPurposes { id } }" }, { origin: ORIGIN });
    expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
    const exposed = String(res.headers["access-control-expose-headers"]).toLowerCase();
    for (const header of ["retry-after", "ratelimit", "ratelimit-policy", "server-timing", "x-request-id"]) expect(exposed).toContain(header);
  });

  it("another origin gets no CORS headers", async () => {
    const res = await post({ query: "{ processingPurposes { id } }" }, { origin: "https://evil.example.test" });
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
