import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/passwords.js";
import { SIGN_IN_THROTTLE } from "../../src/auth/throttle.js";
import { users } from "../../src/db/schema/index.js";
import { addLogin } from "../../src/auth/lookups.js";
import { DEMO_PASSWORD, startTestApp, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

/*
 * A stolen session guessing its account's password (600 guesses a minute under the request
 * rate limit, each an argon2 run): changePassword and closeMyAccount check the current
 * password under the sign-in throttle, so after the free failures come growing delays.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function member(email: string): Promise<string> {
  const acme = await workspaceId(t, "Acme");
  const [added] = await db(t)
    .insert(users)
    .values({ workspaceId: acme, email, name: "Guess Target", role: "support", passwordHash: await hashPassword(DEMO_PASSWORD) })
    .returning({ id: users.id });
  // Signs in like any account: through the email's global look-up.
  await addLogin(db(t), { email, workspaceId: acme, userId: added.id });
  return t.login(email);
}

describe("current-password checks are throttled like sign-ins", () => {
  it.each([
    ["changePassword", (i: number) => `currentPassword: "wrong guess ${i}", newPassword: "a brand new passphrase ${i}"`],
    ["closeMyAccount", (i: number) => `password: "wrong guess ${i}"`],
  ])("%s: fifteen guesses get the sign-in throttle's free failures, then RATE_LIMITED without checking", async (field, args) => {
    const token = await member(`guess-${field.toLowerCase()}@acme.test`);
    // Sent together, as an attacker would: each is counted before argon2 runs, so no delay can pass meanwhile.
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => t.gql(`mutation { ${field}(${args(i)}) }`, {}, { token })));
    const seconds = (performance.now() - started) / 1000;
    const codes = answers.map((res) => res.errors?.[0].extensions.code);
    // As a sign-in: the free failures and one more are checked; every other guess waits (1 s,
    // then 2 s, 4 s...). On a loaded machine the guesses can reach the throttle over more than a
    // second, and a delay that has passed lets one more through: after 1 s one, after 3 s two...
    const checked = SIGN_IN_THROTTLE.pair.free + 1;
    const late = Math.floor(Math.log2(seconds + 1));
    const wrong = codes.filter((c) => c === "BAD_USER_INPUT").length;
    expect(wrong).toBeGreaterThanOrEqual(checked);
    expect(wrong, `${seconds.toFixed(1)} s for the 15 guesses`).toBeLessThanOrEqual(checked + late);
    expect(codes.filter((c) => c === "RATE_LIMITED")).toHaveLength(15 - wrong);
  });

  it("the right password still works at once when no guess came before it", async () => {
    const token = await member("guess-none@acme.test");
    const res = await t.gql(`mutation { changePassword(currentPassword: "${DEMO_PASSWORD}", newPassword: "a brand new passphrase") }`, {}, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.changePassword).toBe(true);
  });
});
