import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN_LIMITS } from "../../src/auth/throttle.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: "5" });
});
afterAll(() => t.close());

describe("rate limits (kept in the database, shared by every API process)", () => {
  it("answers a session over RATE_LIMIT_PER_MINUTE with 429 RATE_LIMITED and Retry-After", async () => {
    const token = await t.login("sales@acme.test");
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await t.gql(`{ me { id } }`, {}, { token });
      statuses.push(last.status);
    }
    // The minute may roll over mid-loop; at least one request must have been refused.
    expect(statuses).toContain(429);
    const refused = await t.gql(`{ me { id } }`, {}, { token });
    if (refused.status === 429) {
      expect(refused.errors![0].extensions.code).toBe("RATE_LIMITED");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      expect(refused.data ?? null).toBeNull();
    }
    // Still one statement for sign-in and counting together.
    expect(last!.queries).toBe(1);
  });

  it("throttles sign-in per account before checking the password", async () => {
    const attempt = () => t.gql(`mutation { login(email: "dpo@acme.test", password: "wrong-password") { token } }`);
    const codes: string[] = [];
    for (let i = 0; i <= LOGIN_LIMITS.perEmail; i++) codes.push((await attempt()).errors![0].extensions.code);
    expect(codes.slice(0, LOGIN_LIMITS.perEmail).every((c) => c === "UNAUTHENTICATED")).toBe(true);
    const refused = await attempt();
    expect(refused.status).toBe(429);
    expect(refused.errors![0].extensions.code).toBe("RATE_LIMITED");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // Even the right password waits for the window: the limit is checked first.
    const right = await t.gql(`mutation { login(email: "dpo@acme.test", password: "alpha-demo") { token } }`);
    expect(right.errors![0].extensions.code).toBe("RATE_LIMITED");
    // Another account from the same address is not affected.
    const other = await t.gql(`mutation { login(email: "auditor@acme.test", password: "alpha-demo") { token } }`);
    expect(other.data!.login.token).toMatch(/^acrs_/);
  });

  it("counts only failures against an account: signing in successfully many times is never throttled", async () => {
    for (let i = 0; i < LOGIN_LIMITS.perEmail + 3; i++) {
      const res = await t.gql(`mutation { login(email: "support@acme.test", password: "alpha-demo") { token } }`);
      expect(res.errors, `attempt ${i + 1}`).toBeUndefined();
    }
  });
});
