import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeExpiredSessions } from "../../src/auth/sessions.js";
import { sessions, usageEvents } from "../../src/db/schema/index.js";
import { deleteUsageEventsBefore } from "../../src/modules/usage/usage.repository.js";
import { DEMO_PASSWORD, startTestApp, type TestApp } from "../helpers/app.js";
import { db, userId, workspaceId } from "../helpers/fixtures.js";

const FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:131.0) Gecko/20100101 Firefox/131.0";
const LOGIN = `mutation Login($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`;
const RECORD = `mutation Record($input: UsageInput!) { recordUsage(input: $input) }`;
const EVENTS = `query Events($first: Int, $after: String, $last: Int, $before: String, $filter: UsageEventFilter) {
  usageEvents(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    nodes { id kind userId occurredAt device ip location detail durationSeconds }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}`;

interface Node {
  id: string;
  kind: string;
  userId: string;
  occurredAt: string;
  device: string | null;
  ip: string | null;
  location: string | null;
  detail: Record<string, unknown> | null;
  durationSeconds: number | null;
}
interface Events {
  usageEvents: {
    nodes: Node[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    totalCount: number;
  };
}

let t: TestApp;
beforeAll(async () => {
  // Behind a trusted proxy: the client address comes from X-Forwarded-For, the country from cf-ipcountry.
  t = await startTestApp({ TRUST_PROXY: "true", GEO_COUNTRY_HEADER: "CF-IPCountry" });
});
afterAll(() => t.close());

/** A fresh session from a given browser and address (not t.login's shared one). */
async function signIn(email: string, headers: Record<string, string> = {}): Promise<{ token: string; sessionId: string }> {
  const res = await t.gql<{ login: { token: string } }>(LOGIN, { e: email, p: DEMO_PASSWORD }, { headers });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const [session] = await db(t)
    .select({ id: sessions.id })
    .from(sessions)
    .where(eq(sessions.userId, await userId(t, email)))
    .orderBy(sql`${sessions.createdAt} desc`)
    .limit(1);
  return { token: res.data!.login.token, sessionId: session.id };
}

async function loginEvent(sessionId: string) {
  const rows = await db(t)
    .select()
    .from(usageEvents)
    .where(and(eq(usageEvents.sessionId, sessionId), eq(usageEvents.kind, "login")));
  expect(rows).toHaveLength(1);
  return rows[0];
}

const eventsOf = async (email: string) =>
  db(t)
    .select()
    .from(usageEvents)
    .where(eq(usageEvents.userId, await userId(t, email)));

describe("LOGIN events", () => {
  it("a sign-in writes a LOGIN event with device, address and country, linked to its session", async () => {
    const { sessionId } = await signIn("support@acme.test", { "user-agent": FIREFOX, "x-forwarded-for": "203.0.113.9", "cf-ipcountry": "fr" });
    const event = await loginEvent(sessionId);
    expect(event).toMatchObject({
      device: "Firefox 131 on macOS",
      ip: "203.0.113.9",
      location: "FR",
      durationSeconds: null,
      userId: await userId(t, "support@acme.test"),
    });
    expect(JSON.stringify(event)).not.toContain("Gecko");
  });

  it("keeps no country that is not two letters, and no device it cannot name", async () => {
    const { sessionId } = await signIn("support@acme.test", { "user-agent": "curl/8.4.0", "cf-ipcountry": "France" });
    expect(await loginEvent(sessionId)).toMatchObject({ device: null, location: null, ip: "127.0.0.1" });
  });

  it("logout fills the login's duration", async () => {
    const { token, sessionId } = await signIn("marketing@acme.test", { "user-agent": FIREFOX });
    await db(t).update(usageEvents).set({ occurredAt: sql`now() - interval '90 seconds'` }).where(eq(usageEvents.sessionId, sessionId));
    const res = await t.gql(`mutation { logout }`, {}, { token });
    expect(res.data).toEqual({ logout: true });
    const seconds = (await loginEvent(sessionId)).durationSeconds!;
    expect(seconds).toBeGreaterThanOrEqual(90);
    expect(seconds).toBeLessThan(150);
  });

  it("a failed sign-in writes no usage event", async () => {
    const before = (await eventsOf("sales@acme.test")).length;
    const res = await t.gql(LOGIN, { e: "sales@acme.test", p: "wrong-password" });
    expect(res.errors![0].extensions.code).toBe("UNAUTHENTICATED");
    expect((await eventsOf("sales@acme.test")).length).toBe(before);
  });
});

describe("closeExpiredSessions", () => {
  it("fills the duration from the expiry, deletes the sessions, and a dry run changes nothing", async () => {
    const { token, sessionId } = await signIn("auditor@acme.test");
    const login = new Date(Date.now() - 3 * 3600_000);
    const expiry = new Date(login.getTime() + 2 * 3600_000);
    await db(t).update(usageEvents).set({ occurredAt: login }).where(eq(usageEvents.sessionId, sessionId));
    await db(t).update(sessions).set({ expiresAt: expiry }).where(eq(sessions.id, sessionId));

    const dry = await closeExpiredSessions(db(t), new Date(), { dryRun: true, batchSize: 1 });
    expect(dry).toEqual({ sessions: 1, logins: 1 });
    expect((await loginEvent(sessionId)).durationSeconds).toBeNull();
    expect(await db(t).select().from(sessions).where(eq(sessions.id, sessionId))).toHaveLength(1);

    expect(await closeExpiredSessions(db(t), new Date(), { dryRun: false, batchSize: 1 })).toEqual({ sessions: 1, logins: 1 });
    expect((await loginEvent(sessionId)).durationSeconds).toBe(7200);
    expect(await db(t).select().from(sessions).where(eq(sessions.id, sessionId))).toHaveLength(0);
    expect((await t.gql(`{ me { id } }`, {}, { token })).errors![0].extensions.code).toBe("UNAUTHENTICATED");
    expect(await closeExpiredSessions(db(t), new Date(), { dryRun: false, batchSize: 10 })).toEqual({ sessions: 0, logins: 0 });
  });

  it("refuses a batch size out of range", async () => {
    await expect(closeExpiredSessions(db(t), new Date(), { dryRun: true, batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});

describe("deleteUsageEventsBefore", () => {
  it("counts in a dry run, then deletes exactly the older rows, held workspaces skipped", async () => {
    const acme = await workspaceId(t, "Acme");
    const globex = await workspaceId(t, "Globex");
    const acmeUser = await userId(t, "sales@acme.test");
    const globexUser = await userId(t, "owner@globex.test");
    const at = (iso: string) => new Date(iso);
    const rows = [
      ...["2019-01-01", "2019-02-01", "2019-03-01", "2019-12-31T23:59:59.999Z"].map((d) => ({ workspaceId: acme, userId: acmeUser, occurredAt: at(d) })),
      { workspaceId: acme, userId: acmeUser, occurredAt: at("2020-01-01T00:00:00Z") },
      { workspaceId: acme, userId: acmeUser, occurredAt: at("2020-06-01") },
      { workspaceId: globex, userId: globexUser, occurredAt: at("2019-01-01") },
      { workspaceId: globex, userId: globexUser, occurredAt: at("2019-05-01") },
    ];
    const inserted = await db(t)
      .insert(usageEvents)
      .values(rows.map((r) => ({ ...r, kind: "page_view", detail: { path: "/old" } })))
      .returning({ id: usageEvents.id, occurredAt: usageEvents.occurredAt, workspaceId: usageEvents.workspaceId });
    const cutoff = at("2020-01-01T00:00:00Z");
    const opts = { batchSize: 2, excludeWorkspaceIds: [globex] };

    expect(await deleteUsageEventsBefore(db(t), cutoff, { ...opts, dryRun: true })).toEqual({ count: 4 });
    expect(await deleteUsageEventsBefore(db(t), cutoff, { ...opts, dryRun: true, excludeWorkspaceIds: [] })).toEqual({ count: 6 });
    const left = async () => (await db(t).select({ id: usageEvents.id }).from(usageEvents)).map((r) => r.id).filter((id) => inserted.some((i) => i.id === id));
    expect(await left()).toHaveLength(8);

    expect(await deleteUsageEventsBefore(db(t), cutoff, { ...opts, dryRun: false })).toEqual({ count: 4 });
    const kept = inserted.filter((r) => r.occurredAt >= cutoff || r.workspaceId === globex).map((r) => r.id);
    expect((await left()).sort()).toEqual(kept.sort());
    expect(await deleteUsageEventsBefore(db(t), cutoff, { ...opts, dryRun: false })).toEqual({ count: 0 });
  });

  it("refuses an exclusion that is not a workspace id", async () => {
    await expect(deleteUsageEventsBefore(db(t), new Date(), { dryRun: true, batchSize: 10, excludeWorkspaceIds: ["acme"] })).rejects.toThrow(
      /not a workspace id/,
    );
  });
});

describe("recordUsage", () => {
  it("records a page view and a feature use for the caller, with device and address from the request", async () => {
    const headers = { "user-agent": FIREFOX, "x-forwarded-for": "198.51.100.4", "cf-ipcountry": "DE" };
    const token = await t.login("sales@acme.test");
    const page = await t.gql(RECORD, { input: { kind: "PAGE_VIEW", name: "/contacts/42" } }, { token, headers });
    expect(page.errors).toBeUndefined();
    expect(page.data).toEqual({ recordUsage: true });
    expect((await t.gql(RECORD, { input: { kind: "FEATURE", name: "contacts.export" } }, { token })).data).toEqual({ recordUsage: true });
    const mine = await eventsOf("sales@acme.test");
    expect(mine.find((e) => e.kind === "page_view" && (e.detail as { path?: string }).path === "/contacts/42")).toMatchObject({
      device: "Firefox 131 on macOS",
      ip: "198.51.100.4",
      location: "DE",
    });
    expect(mine.some((e) => e.kind === "feature" && (e.detail as { feature?: string }).feature === "contacts.export")).toBe(true);
    // A usage report is not an action as well.
    expect(mine.some((e) => e.kind === "action" && JSON.stringify(e.detail).includes("recordUsage"))).toBe(false);
  });

  it("refuses a bad name with BAD_USER_INPUT naming input.name, and records nothing", async () => {
    const token = await t.login("sales@acme.test");
    const before = (await eventsOf("sales@acme.test")).length;
    const bad = [
      { kind: "PAGE_VIEW", name: "/contacts?search=ann@example.test" },
      { kind: "PAGE_VIEW", name: "contacts" },
      { kind: "PAGE_VIEW", name: `/${"a".repeat(200)}` },
      { kind: "PAGE_VIEW", name: "" },
      { kind: "FEATURE", name: "export all contacts" },
      { kind: "FEATURE", name: "/contacts" },
    ];
    for (const input of bad) {
      const res = await t.gql(RECORD, { input }, { token });
      expect(res.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: "BAD_USER_INPUT", field: "input.name" });
    }
    const wrongKind = await t.gql(RECORD, { input: { kind: "LOGIN", name: "/x" } }, { token });
    expect(wrongKind.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    expect((await eventsOf("sales@acme.test")).length).toBe(before);
  });

  it("needs a signed-in user", async () => {
    const res = await t.gql(RECORD, { input: { kind: "PAGE_VIEW", name: "/contacts" } });
    expect(res.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });
});

describe("ACTION events", () => {
  const EMAIL = "usage.leak.check@example.test";
  const CREATE = `mutation AddPerson($input: CreateContactInput!) { made: createContact(input: $input) { id } }`;

  it("records the operation, its root fields and the outcome, never arguments or variables", async () => {
    const token = await t.login("owner@acme.test");
    const res = await t.gql(CREATE, { input: { firstName: "Usage", lastName: "Leakcheck", email: EMAIL } }, { token });
    expect(res.errors).toBeUndefined();
    const inline = await t.gql(
      `mutation { createContact(input: { firstName: "Inline", lastName: "Leakcheck", email: "inline.${EMAIL}" }) { id } }`,
      {},
      { token },
    );
    expect(inline.errors).toBeUndefined();
    const actions = (await eventsOf("owner@acme.test")).filter((e) => e.kind === "action");
    expect(actions.map((a) => a.detail)).toEqual(
      expect.arrayContaining([
        { operation: "AddPerson", fields: ["createContact"], outcome: "ok" },
        { operation: null, fields: ["createContact"], outcome: "ok" },
      ]),
    );
    const everything = JSON.stringify(await db(t).select().from(usageEvents));
    expect(everything).not.toContain(EMAIL);
    expect(everything).not.toContain("Leakcheck");
    expect(everything).not.toContain("made");
  });

  it("records a refused mutation with its error codes", async () => {
    const token = await t.login("auditor@acme.test");
    const res = await t.gql(`mutation Drop($id: ID!) { deleteContact(id: $id) }`, { id: "00000000-0000-4000-8000-000000000000" }, { token });
    const code = res.errors![0].extensions.code as string;
    const actions = (await eventsOf("auditor@acme.test")).filter((e) => e.kind === "action");
    expect(actions.map((a) => a.detail)).toContainEqual({ operation: "Drop", fields: ["deleteContact"], outcome: "error", errors: [code] });
  });

  it("writes nothing for queries, nor for a request that never executed", async () => {
    const token = await t.login("support@acme.test");
    const count = async () => (await db(t).select({ n: sql<number>`count(*)::int` }).from(usageEvents))[0].n;
    const before = await count();
    expect((await t.gql(`query Read { me { id } contacts(first: 1) { totalCount } }`, {}, { token })).errors).toBeUndefined();
    expect((await t.gql(`mutation { createContact(input: {}) { id } }`, {}, { token })).errors![0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(await count()).toBe(before);
  });
});

describe("usageEvents: who reads whose", () => {
  let sales: string;
  let salesId: string;
  beforeAll(async () => {
    ({ token: sales } = await signIn("sales@acme.test", { "user-agent": FIREFOX, "x-forwarded-for": "198.51.100.7" }));
    salesId = await userId(t, "sales@acme.test");
  });

  const read = async (token: string, purpose?: string, variables: Record<string, unknown> = {}) => {
    const res = await t.gql<Events>(EVENTS, { first: 200, ...variables }, { token, purpose });
    return res;
  };

  it("owner, dpo and auditor read the workspace's events under security, addresses included", async () => {
    for (const email of ["owner@acme.test", "dpo@acme.test", "auditor@acme.test"]) {
      const res = await read(await t.login(email), "security", { filter: { userId: salesId, kind: "LOGIN" } });
      expect(res.errors, email).toBeUndefined();
      const nodes = res.data!.usageEvents.nodes;
      expect(nodes.length, email).toBeGreaterThan(0);
      expect(nodes.every((n) => n.userId === salesId && n.kind === "LOGIN")).toBe(true);
      expect(nodes.some((n) => n.ip === "198.51.100.7" && n.device === "Firefox 131 on macOS")).toBe(true);
    }
  });

  it("a sales rep reads only its own events, whatever it filters on", async () => {
    const own = await read(sales);
    expect(own.errors).toBeUndefined();
    const nodes = own.data!.usageEvents.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.userId === salesId)).toBe(true);
    expect(own.data!.usageEvents.totalCount).toBe((await eventsOf("sales@acme.test")).length);
    const owner = await read(sales, undefined, { filter: { userId: await userId(t, "owner@acme.test") } });
    expect(owner.data!.usageEvents.nodes).toEqual([]);
  });

  it("the dpo under its default purpose (legal_compliance, no usage category) reads only its own", async () => {
    const dpo = await t.login("dpo@acme.test");
    const res = await read(dpo);
    expect(res.errors).toBeUndefined();
    const dpoId = await userId(t, "dpo@acme.test");
    expect(res.data!.usageEvents.nodes.length).toBeGreaterThan(0);
    expect(res.data!.usageEvents.nodes.every((n) => n.userId === dpoId)).toBe(true);
  });

  it("under service_provision the dpo sees colleagues' events without address or country", async () => {
    const res = await read(await t.login("dpo@acme.test"), "service_provision", { filter: { userId: salesId } });
    const nodes = res.data!.usageEvents.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.ip === null && n.location === null)).toBe(true);
    const masked = (res.errors ?? []).flatMap((e) => e.extensions.fields as string[]);
    expect(masked.sort()).toEqual(["ip", "location"]);
  });

  it("Globex never sees Acme's events, whatever the filter", async () => {
    const globex = await t.login("owner@globex.test");
    const globexId = await userId(t, "owner@globex.test");
    const all = await read(globex, "security");
    expect(all.errors).toBeUndefined();
    expect(all.data!.usageEvents.nodes.every((n) => n.userId === globexId)).toBe(true);
    const acme = await read(globex, "security", { filter: { userId: salesId } });
    expect(acme.data!.usageEvents.nodes).toEqual([]);
    expect(acme.data!.usageEvents.totalCount).toBe(0);
  });

  it("pages newest first with sealed cursors, forward and backward, without overlap", async () => {
    const owner = await t.login("owner@acme.test");
    const all = (await read(owner, "security")).data!.usageEvents.nodes;
    expect(all.length).toBeGreaterThan(4);
    const times = all.map((n) => Date.parse(n.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const first = (await read(owner, "security", { first: 2 })).data!.usageEvents;
    const second = (await read(owner, "security", { first: 2, after: first.pageInfo.endCursor })).data!.usageEvents;
    expect([...first.nodes, ...second.nodes].map((n) => n.id)).toEqual(all.slice(0, 4).map((n) => n.id));
    const back = (await read(owner, "security", { first: undefined, last: 2, before: second.pageInfo.startCursor })).data!.usageEvents;
    expect(back.nodes.map((n) => n.id)).toEqual(first.nodes.map((n) => n.id));
    const foreign = await read(await t.login("owner@globex.test"), "security", { first: 2, after: first.pageInfo.endCursor });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("filters by kind and time, and refuses a malformed user id", async () => {
    const owner = await t.login("owner@acme.test");
    const since = new Date(Date.now() - 3600_000).toISOString();
    const res = await read(owner, "security", { filter: { kind: "PAGE_VIEW", occurredAfter: since } });
    expect(res.data!.usageEvents.nodes.length).toBeGreaterThan(0);
    expect(res.data!.usageEvents.nodes.every((n) => n.kind === "PAGE_VIEW" && n.occurredAt >= since)).toBe(true);
    const bad = await read(owner, "security", { filter: { userId: "nobody" } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.userId" });
  });
});
