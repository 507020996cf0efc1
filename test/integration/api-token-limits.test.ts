import { randomBytes } from "node:crypto";
import { and, eq, like } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { rateLimits } from "../../src/db/schema/index.js";
import { PostgresCallerLimiter } from "../../src/http/rate-limit.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { awayFromMinuteEnd } from "../helpers/minute.js";

const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`;
const READ = `{ contacts(first: 1) { nodes { id } } }`;
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function mint(t: TestApp, email: string): Promise<string> {
  const res = await t.gql<{ createApiToken: { token: string } }>(
    CREATE,
    { input: { name: "limits", scopes: ["contacts:read"] } },
    { token: await t.login(email) },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createApiToken.token;
}

/** 40 quick requests over a limit of 30: the ones past 30 get 429 with Retry-After, another token is served meanwhile. */
async function fortyOverThirty(t: TestApp): Promise<void> {
  const busy = await mint(t, "sales@acme.test");
  const calm = await mint(t, "sales@acme.test");
  const results: GqlResult[] = [];
  // A window rolling over between the 10th and the 30th request would leave none refused.
  await awayFromMinuteEnd();
  for (let i = 0; i < 40; i++) results.push(await t.gql(READ, {}, { token: busy }));
  const refused = results.filter((r) => r.status === 429);
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.length).toBeLessThanOrEqual(10);
  for (const r of refused) {
    expect(r.errors![0].extensions.code).toBe("RATE_LIMITED");
    const retryAfter = Number(r.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(r.data ?? null).toBeNull();
  }
  const served = results.filter((r) => r.status === 200);
  expect(served.length).toBeGreaterThanOrEqual(30);
  expect(String(served[0].headers["ratelimit-policy"])).toBe(`"caller";q=30;w=60, "workspace";q=300;w=60`);
  expect(String(served[0].headers.ratelimit)).toMatch(/^"caller";r=29;t=\d+$/);
  expect(String(refused[0].headers.ratelimit)).toMatch(/^"caller";r=0;t=\d+$/);
  // Another token of the same user is served.
  const other = await t.gql(READ, {}, { token: calm });
  expect(other.status).toBe(200);
  expect(other.errors).toBeUndefined();
}

describe("per-caller limits on PostgreSQL (no REDIS_URL)", () => {
  it("40 quick requests over a limit of 30 get 429 with Retry-After while another token is served", { timeout: 60_000 }, async () => {
    const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: "30" });
    apps.push(t);
    await fortyOverThirty(t);
  });

  it("counts per user, so signing in again does not reset the limit; the workspace limit is shared", { timeout: 60_000 }, async () => {
    const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: "5", RATE_LIMIT_WORKSPACE_PER_MINUTE: "8" });
    apps.push(t);
    await awayFromMinuteEnd();
    const first = await t.login("support@acme.test");
    for (let i = 0; i < 4; i++) await t.gql(`{ me { id } }`, {}, { token: first });
    // A fresh session of the same user: same count.
    const again = await t.gql<{ login: { token: string } }>(`mutation { login(email: "support@acme.test", password: "alpha-demo") { token } }`);
    const second = again.data!.login.token;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.gql(`{ me { id } }`, {}, { token: second })).status);
    expect(statuses).toContain(429);
    // Acme's workspace (8) runs out for its other callers; Globex is not affected.
    const owner = await t.login("owner@acme.test");
    const ownerStatuses: number[] = [];
    for (let i = 0; i < 6; i++) ownerStatuses.push((await t.gql(`{ me { id } }`, {}, { token: owner })).status);
    expect(ownerStatuses).toContain(429);
    const refused = (await t.gql(`{ me { id } }`, {}, { token: owner })).headers.ratelimit;
    if (refused) expect(String(refused)).toMatch(/^"(workspace|caller)";r=0;t=\d+$/);
    const globex = await t.gql(`{ me { id } }`, {}, { token: await t.login("owner@globex.test") });
    expect(globex.status).toBe(200);
  });

  it("a read request writes nothing: counts reach rate_limits in a batch, shared by every process", async () => {
    const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: "1000" });
    apps.push(t);
    const token = await t.login("dpo@acme.test");
    const res = await t.gql(`{ me { id } }`, {}, { token });
    // The session look-up (credential_lookups, then the session) and `me`: no counting statement.
    expect(res.queries).toBe(3);

    const db = t.app.database.handle();
    const settings = { perMinute: 10, workspacePerMinute: 100 };
    const key = `test-${randomBytes(4).toString("hex")}`;
    // One clock for both processes, stopped: the counts must not land in two minute windows.
    const now = Date.now();
    const frozen = () => now;
    const one = new PostgresCallerLimiter(settings, db, 60_000, frozen);
    const two = new PostgresCallerLimiter(settings, db, 60_000, frozen);
    try {
      for (let i = 0; i < 7; i++) expect((await one.consume(key, key)).allowed).toBe(true);
      await one.flush();
      const rows = await db
        .select()
        .from(rateLimits)
        .where(and(like(rateLimits.key, `caller:${key}`)));
      expect(rows.map((r) => r.hits)).toEqual([7]);
      // The second process sends its count and learns the first one's.
      await two.consume(key, key);
      await two.flush();
      const verdicts = [];
      for (let i = 0; i < 3; i++) verdicts.push((await two.consume(key, key)).allowed);
      expect(verdicts).toEqual([true, true, false]);
      // Past half the limit each request is counted in the shared row as it comes.
      const [row] = await db
        .select()
        .from(rateLimits)
        .where(eq(rateLimits.key, `caller:${key}`));
      expect(row.hits).toBe(11);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe("per-caller limits on PostgreSQL across processes", () => {
  it("a process that served a caller earlier this minute learns the other processes' counts at its next flush, not only after serving the caller again", async () => {
    const t = await startTestApp();
    apps.push(t);
    const db = t.app.database.handle();
    const settings = { perMinute: 10, workspacePerMinute: 100 };
    const key = `test-${randomBytes(4).toString("hex")}`;
    // One clock for both processes, stopped: the counts must not land in two minute windows.
    const now = Date.now();
    const frozen = () => now;
    const one = new PostgresCallerLimiter(settings, db, 60_000, frozen);
    const two = new PostgresCallerLimiter(settings, db, 60_000, frozen);
    try {
      for (let i = 0; i < 3; i++) expect((await one.consume(key, key)).allowed).toBe(true);
      await one.flush();
      for (let i = 0; i < 5; i++) expect((await two.consume(key, key)).allowed).toBe(true);
      await two.flush();
      // Nothing pending in the first process: its flush still reads the shared count (8).
      await one.flush();
      const verdicts = [];
      for (let i = 0; i < 3; i++) verdicts.push((await one.consume(key, key)).allowed);
      expect(verdicts).toEqual([true, true, false]);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe("per-caller limits on PostgreSQL: exact past half the limit", () => {
  it("two processes that never flush, one caller alternating between them: exactly the limit is served", async () => {
    const t = await startTestApp();
    apps.push(t);
    const db = t.app.database.handle();
    const settings = { perMinute: 10, workspacePerMinute: 100 };
    const key = `test-${randomBytes(4).toString("hex")}`;
    // One clock for both processes, stopped: the counts must not land in two minute windows.
    const now = Date.now();
    const frozen = () => now;
    // No flush in this test's time: only the counting past half the limit shares the counts.
    const pair = [new PostgresCallerLimiter(settings, db, 60_000, frozen), new PostgresCallerLimiter(settings, db, 60_000, frozen)];
    try {
      let allowed = 0;
      for (let i = 0; i < 16; i++) if ((await pair[i % 2].consume(key, key)).allowed) allowed += 1;
      expect(allowed).toBe(10);
    } finally {
      for (const limiter of pair) await limiter.close();
    }
  });
});

describe("per-caller limits on Redis (REDIS_URL)", () => {
  it("40 quick requests over a limit of 30 get 429 with Retry-After while another token is served", { timeout: 60_000 }, async () => {
    const prefix = `acrm-test:${randomBytes(6).toString("hex")}`;
    const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: "30", REDIS_URL, REDIS_KEY_PREFIX: prefix });
    apps.push(t);
    await fortyOverThirty(t);
    // Nothing counted in PostgreSQL: the windows live in Redis (and expire there).
    const rows = await t.app.database.handle().select().from(rateLimits).where(like(rateLimits.key, "caller:%"));
    expect(rows).toEqual([]);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.some((k) => k.includes("caller:token:"))).toBe(true);
      for (const k of keys) expect(await redis.pttl(k)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it("shares the count between two processes through Redis", async () => {
    const prefix = `acrm-test:${randomBytes(6).toString("hex")}`;
    const env = { RATE_LIMIT_PER_MINUTE: "30", REDIS_URL, REDIS_KEY_PREFIX: prefix };
    const a = await startTestApp(env);
    apps.push(a);
    const token = await mint(a, "marketing@acme.test");
    for (let i = 0; i < 20; i++) await a.gql(`{ me { id } }`, {}, { token: await a.login("marketing@acme.test") });
    expect((await a.gql(READ, {}, { token })).status).toBe(200);
    // Another app (another process, another database) with the same Redis prefix sees the same keys.
    const { RedisCallerLimiter } = await import("../../src/http/rate-limit.js");
    const limiter = new RedisCallerLimiter({ perMinute: 3, workspacePerMinute: 30 }, REDIS_URL, prefix);
    try {
      const verdicts = [];
      for (let i = 0; i < 4; i++) verdicts.push((await limiter.consume("shared", "w")).allowed);
      expect(verdicts).toEqual([true, true, true, false]);
      const other = new RedisCallerLimiter({ perMinute: 3, workspacePerMinute: 30 }, REDIS_URL, prefix);
      try {
        expect((await other.consume("shared", "w")).allowed).toBe(false);
      } finally {
        await other.close();
      }
    } finally {
      await limiter.close();
    }
  });
});
