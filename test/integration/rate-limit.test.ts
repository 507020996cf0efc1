import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beginSignIn, delaySeconds, SIGN_IN_THROTTLE, signInKeys } from "../../src/auth/throttle.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { awayFromMinuteEnd } from "../helpers/minute.js";

const ANONYMOUS_PER_MINUTE = 40;

let t: TestApp;
beforeAll(async () => {
  // TRUST_PROXY lets each test speak from its own client address (X-Forwarded-For).
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: "5", RATE_LIMIT_ANONYMOUS_PER_MINUTE: String(ANONYMOUS_PER_MINUTE), TRUST_PROXY: "true" });
});
afterAll(() => t.close());

const signIn = (email: string, password: string, address: string) =>
  t.gql<{ login: { token: string } }>(
    `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`,
    { e: email, p: password },
    { headers: { "x-forwarded-for": address } },
  );

/** Counts failures as the login mutation does, without paying for argon2 each time. */
async function failSignIns(email: (i: number) => string, address: (i: number) => string, count: number): Promise<void> {
  const db = t.app.database.handle();
  for (let i = 0; i < count; i++) {
    const attempt = await beginSignIn(db, signInKeys(email(i), address(i)));
    expect(attempt).toHaveProperty("at");
  }
}

function expectRateLimited(res: GqlResult): void {
  expect(res.status).toBe(429);
  expect(res.errors![0].extensions.code).toBe("RATE_LIMITED");
  expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
  expect(res.data ?? null).toBeNull();
}

describe("rate limits (kept in the database, shared by every API process)", () => {
  it("answers a session over RATE_LIMIT_PER_MINUTE with 429 RATE_LIMITED and Retry-After", { timeout: 60_000 }, async () => {
    const token = await t.login("sales@acme.test");
    // A window rolling over between the 2nd and the 6th request would leave none refused.
    await awayFromMinuteEnd();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof t.gql>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await t.gql(`{ me { id } }`, {}, { token });
      statuses.push(last.status);
    }
    expect(statuses).toContain(429);
    const refused = await t.gql(`{ me { id } }`, {}, { token });
    if (refused.status === 429) expectRateLimited(refused);
    // Sign-in and counting together: the token's workspace (credential_lookups), then the
    // session in it with the count (two statements since #12 item 7, for Citus routing).
    expect(last!.queries).toBe(2);
  });

  it("counts requests without a session per client address per minute, a bad token included", { timeout: 60_000 }, async () => {
    const clients: Record<string, string>[] = [
      { "x-forwarded-for": "192.0.2.10" },
      { "x-forwarded-for": "192.0.2.11", authorization: "Bearer acrs_not-a-token" },
    ];
    for (const headers of clients) {
      const results: GqlResult[] = [];
      // A window rolling over between the 3rd and the 40th request would leave none refused.
      await awayFromMinuteEnd();
      for (let i = 0; i <= ANONYMOUS_PER_MINUTE + 2; i++) results.push(await t.gql(`{ processingPurposes { id } }`, {}, { headers }));
      const refused = results.filter((r) => r.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expectRateLimited(refused[0]);
    }
    // Another address is not affected.
    const other = await t.gql(`{ processingPurposes { id } }`, {}, { headers: { "x-forwarded-for": "192.0.2.12" } });
    expect(other.errors).toBeUndefined();
  });
});

describe("sign-in throttle: growing delays, never a lockout", () => {
  it("lets the owner sign in from another address after 12 failed sign-ins from one address", async () => {
    const results: GqlResult[] = [];
    for (let i = 0; i < 12; i++) results.push(await signIn("dpo@acme.test", "wrong-password", "203.0.113.7"));
    const codes = results.map((r) => r.errors![0].extensions.code);
    // The free failures run the password check; then the address must wait (429 before argon2).
    expect(codes.slice(0, SIGN_IN_THROTTLE.pair.free + 1)).toEqual(Array(SIGN_IN_THROTTLE.pair.free + 1).fill("UNAUTHENTICATED"));
    expect(codes).toContain("RATE_LIMITED");
    for (const r of results.filter((r) => r.status === 429)) expectRateLimited(r);

    const owner = await signIn("dpo@acme.test", "alpha-demo", "198.51.100.20");
    expect(owner.errors).toBeUndefined();
    expect(owner.data!.login.token).toMatch(/^acrs_/);
    // Another account from the attacking address is not slowed by this pair either.
    const other = await signIn("auditor@acme.test", "alpha-demo", "203.0.113.7");
    expect(other.data!.login.token).toMatch(/^acrs_/);
  });

  it("slows an address that fails against many accounts, and only that address", async () => {
    await failSignIns(
      (i) => `nobody-${i}@example.test`,
      () => "192.0.2.50",
      SIGN_IN_THROTTLE.address.free + 1,
    );
    expectRateLimited(await signIn("marketing@acme.test", "alpha-demo", "192.0.2.50"));
    const elsewhere = await signIn("marketing@acme.test", "alpha-demo", "192.0.2.51");
    expect(elsewhere.data!.login.token).toMatch(/^acrs_/);
  });

  it("over the per-account ceiling only slows: the first attempt from an address always runs", async () => {
    await failSignIns(
      () => "owner@globex.test",
      (i) => `10.9.${Math.floor(i / 250)}.${i % 250}`,
      SIGN_IN_THROTTLE.account.ceiling + 1,
    );
    // The owner, from an address of their own, signs in at once.
    const owner = await signIn("owner@globex.test", "alpha-demo", "198.51.100.30");
    expect(owner.data!.login.token).toMatch(/^acrs_/);
    // A new address gets one attempt, then waits: no free failures while the account is attacked.
    // Sent together: one after the other, the second could come after the 1 s wait on a loaded
    // machine (the first runs argon2 in between).
    const both = await Promise.all([1, 2].map(() => signIn("owner@globex.test", "wrong-password", "198.51.100.31")));
    expect(both.map((r) => r.errors![0].extensions.code).sort()).toEqual(["RATE_LIMITED", "UNAUTHENTICATED"]);
    expectRateLimited(both.find((r) => r.status === 429)!);
  });

  it("counts only failures against an account: signing in successfully many times is never throttled", async () => {
    for (let i = 0; i < SIGN_IN_THROTTLE.pair.free + 3; i++) {
      const res = await signIn("support@acme.test", "alpha-demo", "198.51.100.40");
      expect(res.errors, `attempt ${i + 1}`).toBeUndefined();
    }
  });

  it("lets parallel attempts within the free failures all run", async () => {
    const db = t.app.database.handle();
    const keys = signInKeys("nobody@parallel.test", "192.0.2.60");
    const attempts = await Promise.all(Array.from({ length: SIGN_IN_THROTTLE.pair.free }, () => beginSignIn(db, keys)));
    for (const attempt of attempts) expect(attempt).toHaveProperty("at");
    expect(await beginSignIn(db, keys)).toHaveProperty("at");
    expect(await beginSignIn(db, keys)).toHaveProperty("retryAfter");
  });

  it("doubles the delay after each failure past the free ones, up to the cap", () => {
    const rule = SIGN_IN_THROTTLE.pair;
    const delays = Array.from({ length: rule.free + 14 }, (_, n) => delaySeconds(n, rule));
    expect(delays.slice(0, rule.free + 1).every((d) => d === 0)).toBe(true);
    expect(delays.slice(rule.free + 1, rule.free + 5)).toEqual([1, 2, 4, 8]);
    expect(Math.max(...delays)).toBe(rule.capSeconds);
  });
});
