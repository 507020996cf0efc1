import "reflect-metadata";
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { ErrorCode } from "../../src/graphql/errors.js";
import { DEMO_PASSWORD } from "../helpers/app.js";
import { testDatabase } from "../helpers/database.js";

/*
 * Issue 8 item 5: a bounded fuzz over loopback HTTP against the real server. For every Query
 * and Mutation field (read by introspection), malformed documents, arguments, variables and
 * cursors; for the endpoint, malformed bodies, content types and headers. Every answer: no 5xx,
 * no stack trace or internal path, and every error carries one of the contract's codes
 * (src/graphql/errors.ts, the one list), never INTERNAL_SERVER_ERROR.
 */

const SEED = 20261130;
const CODES = new Set<string>(Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR));
const LEAK = /\bat [\w$.<>]+ \(|\bat (file|node):|\.ts:\d+|\.js:\d+:\d+|node_modules|\/work\/|\/src\//;

let app: App;
let base: string;
let owner: string;
let sales: string;
const errorLogs: string[] = [];

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface Arg {
  name: string;
  type: TypeRef;
}
interface Field {
  name: string;
  args: Arg[];
  type: TypeRef;
}
interface FullType {
  kind: string;
  name: string;
  fields: Field[] | null;
  inputFields: Arg[] | null;
  enumValues: Array<{ name: string }> | null;
}

const types = new Map<string, FullType>();
const operations: Array<{ op: "query" | "mutation"; field: Field }> = [];

interface Sent {
  status: number;
  body: string;
  label: string;
}

async function send(label: string, init: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Sent> {
  const res = await fetch(`${base}${init.path ?? "/graphql"}`, { method: init.method ?? "POST", headers: init.headers, body: init.body });
  return { status: res.status, body: await res.text(), label };
}

function gql(label: string, payload: unknown, as?: string, headers: Record<string, string> = {}): Promise<Sent> {
  return send(label, {
    headers: { "content-type": "application/json", ...(as ? { authorization: `Bearer ${as}` } : {}), ...headers },
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

const failures: string[] = [];
let answered = 0;

/** No 5xx, no trace, and every error coded from the contract's list. */
function judge(r: Sent): void {
  answered++;
  const problems: string[] = [];
  if (r.status >= 500) problems.push(`HTTP ${r.status}`);
  if (LEAK.test(r.body)) problems.push(`internal detail ${LEAK.exec(r.body)?.[0]}`);
  let parsed: unknown;
  try {
    parsed = r.body ? JSON.parse(r.body) : undefined;
  } catch {
    if (r.status >= 400 && !r.body.startsWith("<")) problems.push("error body is not JSON");
  }
  const errors = (parsed as { errors?: Array<{ extensions?: { code?: string }; message?: string }> } | undefined)?.errors;
  if (r.status >= 400 && parsed !== undefined && !Array.isArray(errors)) problems.push("error body without errors[]");
  for (const e of errors ?? []) {
    const code = e.extensions?.code;
    if (!code || !CODES.has(code)) problems.push(`code ${code ?? "(none)"}: ${e.message?.slice(0, 160)}`);
  }
  if (problems.length > 0) failures.push(`${r.label}: ${problems.join("; ")} | ${r.body.slice(0, 300)}`);
}

async function login(email: string): Promise<string> {
  const r = await gql("login", {
    query: `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`,
    variables: { e: email, p: DEMO_PASSWORD },
  });
  return JSON.parse(r.body).data.login.token;
}

const INTROSPECT = `fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
{ __schema { queryType { name } mutationType { name }
  types { kind name fields { name args { name type { ...T } } type { ...T } } inputFields { name type { ...T } } enumValues { name } } } }`;

beforeAll(async () => {
  const config = loadConfig({
    DATA_DIR: "memory://",
    LOG_LEVEL: "error",
    NODE_ENV: "test",
    SEED_DEMO: "true",
    RATE_LIMIT_PER_MINUTE: "1000000",
    RATE_LIMIT_WORKSPACE_PER_MINUTE: "10000000",
  });
  app = await createApp(config, {
    database: await testDatabase(),
    logStream: { write: (line) => void errorLogs.push(line) },
  });
  base = await app.server.listen({ port: 0, host: "127.0.0.1" });
  owner = await login("owner@acme.test");
  sales = await login("sales@acme.test");
  const r = await gql("introspection", { query: INTROSPECT }, owner);
  const schema = JSON.parse(r.body).data.__schema;
  for (const t of schema.types as FullType[]) types.set(t.name, t);
  for (const [op, root] of [
    ["query", schema.queryType.name],
    ["mutation", schema.mutationType.name],
  ] as const) {
    for (const field of types.get(root)!.fields!) operations.push({ op, field });
  }
}, 60_000);
afterAll(() => app?.close());

// ---- the schema, read back --------------------------------------------------------------------

function named(t: TypeRef): TypeRef {
  return t.ofType ? named(t.ofType) : t;
}
const required = (t: TypeRef) => t.kind === "NON_NULL";
function typeString(t: TypeRef): string {
  if (t.kind === "NON_NULL") return `${typeString(t.ofType!)}!`;
  if (t.kind === "LIST") return `[${typeString(t.ofType!)}]`;
  return t.name!;
}

/** `{ __typename }` for an object, nothing for a scalar or enum. */
function selection(t: TypeRef, extra = ""): string {
  const n = named(t);
  return n.kind === "OBJECT" || n.kind === "INTERFACE" || n.kind === "UNION" ? `{ __typename ${extra} }` : extra ? `{ ${extra} }` : "";
}

/** A selection that nests as deep as the types allow (object fields without required arguments). */
function deep(t: TypeRef, depth: number): string {
  const n = types.get(named(t).name!);
  if (depth === 0 || !n?.fields) return selection(t);
  const next = n.fields.find((f) => ["OBJECT"].includes(named(f.type).kind) && !f.args.some((a) => required(a.type)));
  if (!next) return selection(t);
  return `{ __typename ${next.name} ${deep(next.type, depth - 1)} }`;
}

/** A literal of the wrong type for an argument. */
function wrongLiteral(t: TypeRef): string {
  if (t.kind === "NON_NULL") return wrongLiteral(t.ofType!);
  if (t.kind === "LIST") return `{ not: "a list" }`;
  const n = types.get(t.name!)!;
  if (n.kind === "INPUT_OBJECT") return `"not an object"`;
  if (n.kind === "ENUM") return "NOT_A_VALUE";
  if (t.name === "Int" || t.name === "Float") return `"twelve"`;
  if (t.name === "Boolean") return `"yes"`;
  return `{ not: "a string" }`;
}

/** A JSON variable value of the wrong type. */
function wrongVariable(t: TypeRef): unknown {
  if (t.kind === "NON_NULL") return wrongVariable(t.ofType!);
  if (t.kind === "LIST") return { not: "a list" };
  const n = types.get(t.name!)!;
  if (n.kind === "INPUT_OBJECT") return "not an object";
  if (t.name === "Int") return 2 ** 40;
  if (t.name === "Float") return "NaN";
  if (t.name === "Boolean") return "true";
  return { nested: [1, { deeper: null }] };
}

// Odd but well-typed strings: NUL bytes, lone surrogates, right-to-left marks, huge, SQL and JSON lookalikes.
const ODD_STRINGS = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\u202e\u0000\uffff",
  "💥".repeat(500),
  "x".repeat(100_000),
  "' or 1=1 --",
  '{"$ne": null}',
  "../../etc/passwd",
  "%00%ff",
  "",
  " ",
  "acrm_" + "A".repeat(57),
  "00000000-0000-0000-0000-000000000000",
  "-1",
  "9".repeat(400),
];
const ODD_IDS = ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "\u0000", "x".repeat(10_000), "' or 1=1 --", "ffffffff-ffff-ffff-ffff-ffffffffffff"];
const ODD_CURSORS = [
  "",
  "garbage",
  "eyJpZCI6IjEifQ==",
  "eyJpZCI6IjEifQ.sig",
  Buffer.from('{"k":[1],"id":"x"}').toString("base64url"),
  "a".repeat(20_000),
  "\u0000",
  "🙂",
];
const ODD_INTS = [0, -1, -2147483648, 2147483647, 100_000];

/** Well-typed but odd values for every argument (executes: the resolvers must answer with a code). */
function oddValue(t: TypeRef, rnd: () => number, depth = 0): unknown {
  if (t.kind === "NON_NULL") return oddValue(t.ofType!, rnd, depth);
  if (t.kind === "LIST") return depth > 2 ? [] : [oddValue(t.ofType!, rnd, depth + 1), oddValue(t.ofType!, rnd, depth + 1)];
  const n = types.get(t.name!)!;
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  if (n.kind === "INPUT_OBJECT") {
    return Object.fromEntries((n.inputFields ?? []).filter((f) => required(f.type) || rnd() < 0.6).map((f) => [f.name, oddValue(f.type, rnd, depth + 1)]));
  }
  if (n.kind === "ENUM") return pick(n.enumValues!).name;
  switch (t.name) {
    case "Int":
      return pick(ODD_INTS);
    case "Float":
      return pick([0, -1e308, 1e308, 1e-320, 123.456]);
    case "Boolean":
      return rnd() < 0.5;
    case "ID":
      return pick(ODD_IDS);
    case "DateTime":
      return pick(["1970-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z", "2026-02-30T00:00:00Z"]);
    case "EmailAddress":
      return pick(["a@b.test", "x@y", `${"a".repeat(300)}@example.test`, "\u0000@a.test"]);
    case "PhoneNumber":
      return pick(["+33612345678", "+0", "+999999999999999999"]);
    default:
      return pick(ODD_STRINGS);
  }
}

/** A deterministic random source from fast-check's generator (SEED). */
function random(seed: number): () => number {
  const values = fc.sample(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { seed, numRuns: 5000 });
  let i = 0;
  return () => values[i++ % values.length];
}

/** Arguments as literals (`a: 1, b: "x"`), for a document without variables. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object")
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(", ")} }`;
  return JSON.stringify(value);
}

// ---- the fuzz ----------------------------------------------------------------------------------

describe("fuzz: malformed requests to every operation", () => {
  it("introspection found the operations", () => {
    expect(operations.filter((o) => o.op === "query").length).toBeGreaterThan(20);
    expect(operations.filter((o) => o.op === "mutation").length).toBeGreaterThan(30);
  });

  it("every Query and Mutation field: bad documents, arguments, variables and cursors", async () => {
    const started = Date.now();
    const rnd = random(SEED);
    for (const [index, { op, field }] of operations.entries()) {
      const f = field.name;
      const sel = selection(field.type);
      const req = field.args.filter((a) => required(a.type));
      // A document with none of the required arguments (or, for an operation that has none, an unknown one).
      const label = (what: string) => `${op} ${f} ${what}`;
      // Every field gets the cases that depend on its arguments; the ones that test the request
      // around it (aliases, depth, variables, operationName, no sign-in) take turns, to stay bounded.
      const turn = index % 4;
      const cases: Array<[string, unknown, string | undefined]> = [];
      cases.push([label("missing arguments"), { query: `${op} { ${f}${req.length ? "" : "(zzUnknown: 1)"} ${sel} }` }, owner]);
      cases.push([label("unknown field"), { query: `${op} { ${f}(zzUnknown: 1) ${selection(field.type, "zzNoSuchField")} }` }, owner]);
      for (const arg of field.args.slice(0, 2)) {
        cases.push([label(`wrong literal ${arg.name}`), { query: `${op} { ${f}(${arg.name}: ${wrongLiteral(arg.type)}) ${sel} }` }, owner]);
        const decl = typeString(arg.type);
        cases.push([
          label(`wrong variable ${arg.name}`),
          { query: `${op}($v: ${decl}) { ${f}(${arg.name}: $v${req.length ? "" : ", zzUnknown: 1"}) ${sel} }`, variables: { v: wrongVariable(arg.type) } },
          sales,
        ]);
      }
      if (field.args[0]) {
        // The variable declared with another type than the argument's.
        cases.push([label("mistyped declaration"), { query: `${op}($v: Boolean) { ${f}(${field.args[0].name}: $v) ${sel} }`, variables: { v: true } }, owner]);
      }
      if (turn === 0) {
        cases.push([label("anonymous"), { query: `${op} { ${f}(zzUnknown: 1) ${sel} }` }, undefined]);
        const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: ${f}(zzUnknown: ${i}) ${sel}`).join(" ");
        cases.push([label("40 aliases"), { query: `${op} { ${aliases} }` }, owner]);
      }
      if (turn === 1) {
        cases.push([label("unknown argument"), { query: `${op} { ${f}(zzUnknown: 1) ${sel} }` }, owner]);
        cases.push([label("deep selection"), { query: `${op} { ${f}(zzUnknown: 1) ${deep(field.type, 30)} }` }, owner]);
      }
      if (turn === 2) {
        cases.push([label("variables not an object"), { query: `${op}($v: String) { ${f}(zzUnknown: $v) ${sel} }`, variables: "{not json" }, owner]);
        cases.push([label("variables an array"), { query: `${op} { ${f}(zzUnknown: 1) ${sel} }`, variables: [1, 2] }, owner]);
      }
      if (turn === 3) {
        cases.push([label("operationName that names nothing"), { query: `${op} Real { ${f}(zzUnknown: 1) ${sel} }`, operationName: "Other" }, owner]);
        cases.push([label("deep selection"), { query: `${op} { ${f}(zzUnknown: 1) ${deep(field.type, 30)} }` }, sales]);
      }
      for (const [name, payload, as] of cases) judge(await gql(name, payload, as));

      // Odd but well-typed values: these documents are valid and run.
      if (field.args.length > 0) {
        for (let round = 0; round < 2; round++) {
          // Round 0 leaves every optional argument out (a resolver must not read an omitted one as null).
          const args = Object.fromEntries(field.args.filter((a) => required(a.type) || (round > 0 && rnd() < 0.6)).map((a) => [a.name, oddValue(a.type, rnd)]));
          const decls = field.args.filter((a) => a.name in args);
          const query = decls.length
            ? `${op}(${decls.map((a) => `$${a.name}: ${typeString(a.type)}`).join(", ")}) { ${f}(${decls.map((a) => `${a.name}: $${a.name}`).join(", ")}) ${sel} }`
            : `${op} { ${f} ${sel} }`;
          const as = (index + round) % 3 === 2 ? sales : owner;
          judge(
            await gql(label(`odd values ${round}`), { query, variables: args }, as, {
              "x-processing-purpose": as === sales ? "sales_pipeline" : (index + round) % 2 === 1 ? "legal_compliance" : "service_provision",
            }),
          );
          // The same values as literals in the document.
          if (round === 1 && decls.length && JSON.stringify(args).length < 5000) {
            const inline = `${op} { ${f}(${decls.map((a) => `${a.name}: ${literal(args[a.name])}`).join(", ")}) ${sel} }`;
            judge(await gql(label("odd literals"), { query: inline }, owner));
          }
        }
      }
      // Cursors and page sizes of connections.
      if (field.args.some((a) => a.name === "after")) {
        // Half the odd cursors each (alternating), both directions.
        for (const cursor of ODD_CURSORS.filter((_, i) => i % 2 === index % 2)) {
          judge(
            await gql(
              label(`cursor ${cursor.slice(0, 12)}`),
              { query: `query($c: String) { ${f}(first: 2, after: $c) ${sel} }`, variables: { c: cursor } },
              owner,
            ),
          );
          judge(
            await gql(
              label(`before ${cursor.slice(0, 12)}`),
              { query: `query($c: String) { ${f}(last: 2, before: $c) ${sel} }`, variables: { c: cursor } },
              owner,
            ),
          );
        }
        for (const [first, last] of [
          [-1, undefined],
          [100_000, 2],
          [undefined, -5],
        ]) {
          judge(
            await gql(
              label(`first ${first} last ${last}`),
              { query: `query($f: Int, $l: Int) { ${f}(first: $f, last: $l) ${sel} }`, variables: { f: first, l: last } },
              owner,
            ),
          );
        }
      }
    }
    console.info(`fuzz: ${answered} requests in ${Date.now() - started} ms`);
    expect(failures, failures.slice(0, 15).join("\n")).toEqual([]);
  }, 180_000);

  it("the endpoint: malformed bodies, content types, methods and headers", async () => {
    const q = JSON.stringify({ query: "{ me { id } }" });
    const json = { "content-type": "application/json" };
    const auth = (v: string) => ({ ...json, authorization: v });
    const sent: Sent[] = [
      await send("bad JSON", { headers: json, body: "{not json" }),
      await send("empty body", { headers: json, body: "" }),
      await send("JSON null", { headers: json, body: "null" }),
      await send("JSON string", { headers: json, body: '"{ me { id } }"' }),
      await send("query a number", { headers: json, body: JSON.stringify({ query: 42 }) }),
      await send("query an object", { headers: json, body: JSON.stringify({ query: { a: 1 } }) }),
      await send("no query", { headers: json, body: JSON.stringify({ variables: {} }) }),
      await send("batch", { headers: json, body: JSON.stringify([{ query: "{ me { id } }" }, { query: "{ me { id } }" }]) }),
      await send("operationName a number", { headers: auth(`Bearer ${owner}`), body: JSON.stringify({ query: "{ me { id } }", operationName: 7 }) }),
      await send("extensions a string", { headers: auth(`Bearer ${owner}`), body: JSON.stringify({ query: "{ me { id } }", extensions: "x" }) }),
      await send("persisted query", {
        headers: json,
        body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }),
      }),
      await send("two operations, no operationName", {
        headers: auth(`Bearer ${owner}`),
        body: JSON.stringify({ query: "query A { me { id } } query B { me { id } }" }),
      }),
      await send("operationName names nothing", {
        headers: auth(`Bearer ${owner}`),
        body: JSON.stringify({ query: "query A { me { id } }", operationName: "B" }),
      }),
      await send("mutation operationName names nothing", {
        headers: auth(`Bearer ${owner}`),
        body: JSON.stringify({ query: "mutation A { logout }", operationName: "B" }),
      }),
      await send("NUL in the document", { headers: json, body: JSON.stringify({ query: "{ me\u0000 { id } }" }) }),
      await send("unicode in the document", { headers: json, body: JSON.stringify({ query: "{ ｍｅ { id } } \ud800" }) }),
      await send("subscription", { headers: auth(`Bearer ${owner}`), body: JSON.stringify({ query: "subscription { me { id } }" }) }),
      await send("too many tokens", { headers: json, body: JSON.stringify({ query: `{ ${"__typename ".repeat(3000)} }` }) }),
      await send("text/plain", { headers: { "content-type": "text/plain" }, body: q }),
      await send("form", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "query=%7B%20me%20%7B%20id%20%7D%20%7D" }),
      await send("multipart", { headers: { "content-type": "multipart/form-data; boundary=x" }, body: "--x\r\n\r\n--x--" }),
      await send("no content type", { headers: {}, body: q }),
      await send("content type garbage", { headers: { "content-type": ";;;=\u00ff" }, body: q }),
      await send("json with charset garbage", { headers: { "content-type": "application/json; charset=klingon" }, body: q }),
      await send("body over MAX_BODY_BYTES", { headers: json, body: JSON.stringify({ query: `{ me { id } } #${"x".repeat(1_100_000)}` }) }),
      await send("GET without preflight", { method: "GET", path: `/graphql?query=${encodeURIComponent("{ me { id } }")}`, headers: {} }),
      await send("GET mutation", {
        method: "GET",
        path: `/graphql?query=${encodeURIComponent("mutation { logout }")}`,
        headers: { "apollo-require-preflight": "true" },
      }),
      await send("GET bad variables", {
        method: "GET",
        path: `/graphql?query=${encodeURIComponent("query($a: Int) { me { id } }")}&variables=%7Bnot`,
        headers: { "apollo-require-preflight": "true" },
      }),
      await send("GET no query", { method: "GET", path: "/graphql", headers: { "apollo-require-preflight": "true" } }),
      await send("PUT", { method: "PUT", headers: json, body: q }),
      await send("DELETE", { method: "DELETE", headers: json }),
      await send("unknown route", { method: "POST", path: "/graphql/../admin", headers: json, body: q }),
      await send("Accept nonsense", { headers: { ...json, accept: "image/png" }, body: q }),
      await send("Accept graphql-response, bad document", {
        headers: { ...json, accept: "application/graphql-response+json" },
        body: JSON.stringify({ query: "{" }),
      }),
      await send("Bearer empty", { headers: auth("Bearer "), body: q }),
      await send("Bearer garbage", { headers: auth("Bearer \u00ff\u00fe garbage"), body: q }),
      await send("Bearer a mistyped API token", { headers: auth(`Bearer acrm_${"A".repeat(57)}`), body: q }),
      await send("Bearer a huge token", { headers: auth(`Bearer ${"a".repeat(8000)}`), body: q }),
      await send("Basic", { headers: auth("Basic b3duZXJAYWNtZS50ZXN0OmFscGhhLWRlbW8="), body: q }),
      await send("scheme only", { headers: auth("Bearer"), body: q }),
      await send("two schemes", { headers: auth(`Bearer ${owner}, Bearer ${owner}`), body: q }),
      await send("purpose unknown", { headers: { ...auth(`Bearer ${owner}`), "x-processing-purpose": "world_domination" }, body: q }),
      await send("purpose huge", { headers: { ...auth(`Bearer ${owner}`), "x-processing-purpose": "p".repeat(8000) }, body: q }),
      await send("purpose latin-1", { headers: { ...auth(`Bearer ${owner}`), "x-processing-purpose": "legal\u00e9" }, body: q }),
      await send("request id garbage", { headers: { ...json, "x-request-id": "\u00ff".repeat(300) }, body: q }),
      await send("forwarded garbage", { headers: { ...json, "x-forwarded-for": "not-an-ip, \u00ff" }, body: q }),
    ];
    for (const r of sent) judge(r);
    // Headers Node's parser refuses (NUL, oversized): still a coded answer, not a dropped or 5xx one.
    for (const [label, header] of [
      ["NUL in a header", "x-processing-purpose: a\u0000b"],
      ["oversized headers", `x-big: ${"h".repeat(70_000)}`],
      ["header without a colon", "this is not a header"],
    ] as const) {
      const r = {
        label,
        ...(await raw(
          `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${header}\r\nContent-Length: ${q.length}\r\nConnection: close\r\n\r\n${q}`,
        )),
      };
      judge(r);
      expect([r.status, JSON.parse(r.body).errors[0].extensions.code], label).toEqual([label === "oversized headers" ? 431 : 400, "BAD_REQUEST"]);
    }
    expect(failures, failures.slice(0, 15).join("\n")).toEqual([]);
  });

  it("logged no internal error while it ran", () => {
    const internal = errorLogs.filter((line) => /"level":(50|60)/.test(line));
    expect(internal, internal.slice(0, 3).join("\n")).toEqual([]);
  });
});

/** One raw HTTP/1.1 exchange, for requests fetch refuses to send. */
function raw(request: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(Buffer.from(request, "latin1")));
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status: status || 599, body: data.split("\r\n\r\n").slice(1).join("\r\n\r\n") });
    });
  });
}
