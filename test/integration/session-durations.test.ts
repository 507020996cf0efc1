import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions, usageEvents } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

// A session that ends before it expires gives its LOGIN usage event a duration, like logout
// and the retention sweep of expired sessions do (the usage log says how long each sign-in lasted).
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const db = () => t.app.database.handle();
const PASSWORD = "session duration passphrase";
const INVITE = `mutation($i: InviteUserInput!) { inviteUser(input: $i) { token } }`;
const ACCEPT = `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p, name: "Dee Ration") { token user { id } } }`;
const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`;

interface Person {
  userId: string;
  email: string;
  /** Two sessions, the first from acceptInvitation, each signed in an hour ago. */
  tokens: [string, string];
  sessionIds: [string, string];
}

/** A new user with two sessions whose sign-ins are backdated by an hour. */
async function person(email: string): Promise<Person> {
  const owner = await t.login("owner@acme.test");
  const invitation = (await t.gql(INVITE, { i: { email, role: "sales_rep", name: "Dee Ration" } }, { token: owner })).data!.inviteUser.token as string;
  const accepted = (await t.gql(ACCEPT, { t: invitation, p: PASSWORD })).data!.acceptInvitation;
  const second = (await t.gql(LOGIN, { e: email, p: PASSWORD })).data!.login.token as string;
  const rows = await db().select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, accepted.user.id)).orderBy(sessions.createdAt);
  expect(rows).toHaveLength(2);
  await db().update(usageEvents).set({ occurredAt: sql`now() - interval '1 hour'` }).where(eq(usageEvents.userId, accepted.user.id));
  return { userId: accepted.user.id, email, tokens: [accepted.token, second], sessionIds: [rows[0].id, rows[1].id] };
}

async function duration(sessionId: string): Promise<number | null> {
  const [login] = await db()
    .select({ seconds: usageEvents.durationSeconds })
    .from(usageEvents)
    .where(and(eq(usageEvents.sessionId, sessionId), eq(usageEvents.kind, "login")));
  return login.seconds;
}

function aboutAnHour(seconds: number | null) {
  expect(seconds).toBeGreaterThanOrEqual(3600);
  expect(seconds).toBeLessThan(3700);
}

describe("a session ended early fills in its sign-in's duration", () => {
  it("deactivateUser", async () => {
    const p = await person("ended.deactivated@acme.test");
    const res = await t.gql(`mutation($u: ID!) { deactivateUser(userId: $u) { id } }`, { u: p.userId }, { token: await t.login("owner@acme.test") });
    expect(res.errors).toBeUndefined();
    for (const id of p.sessionIds) aboutAnHour(await duration(id));
  });

  it("resetPassword", async () => {
    const p = await person("ended.reset@acme.test");
    const issued = await t.gql(`mutation($u: ID!) { issuePasswordReset(userId: $u) }`, { u: p.userId }, { token: await t.login("owner@acme.test") });
    const res = await t.gql(`mutation($t: String!) { resetPassword(token: $t, newPassword: "a fresh reset passphrase") }`, {
      t: issued.data!.issuePasswordReset,
    });
    expect(res.data).toEqual({ resetPassword: true });
    for (const id of p.sessionIds) aboutAnHour(await duration(id));
  });

  it("changePassword: the other sessions get a duration, the current one stays open", async () => {
    const p = await person("ended.changed@acme.test");
    const res = await t.gql(
      `mutation($c: String!) { changePassword(currentPassword: $c, newPassword: "a changed passphrase here") }`,
      { c: PASSWORD },
      { token: p.tokens[1] },
    );
    expect(res.data).toEqual({ changePassword: true });
    aboutAnHour(await duration(p.sessionIds[0]));
    expect(await duration(p.sessionIds[1])).toBeNull();
  });

  it("closeMyAccount (the sign-ins stay in the usage log)", async () => {
    const p = await person("ended.closed@acme.test");
    const res = await t.gql(`mutation($p: String!) { closeMyAccount(password: $p) }`, { p: PASSWORD }, { token: p.tokens[0] });
    expect(res.errors).toBeUndefined();
    for (const id of p.sessionIds) aboutAnHour(await duration(id));
  });

  it("revokeSession ends only that one", async () => {
    const p = await person("ended.revoked@acme.test");
    const res = await t.gql(`mutation($id: ID!) { revokeSession(id: $id) }`, { id: p.sessionIds[0] }, { token: p.tokens[1] });
    expect(res.data).toEqual({ revokeSession: true });
    aboutAnHour(await duration(p.sessionIds[0]));
    expect(await duration(p.sessionIds[1])).toBeNull();
  });

  it("a session already past its expiry (not yet swept) ends at its expiry, not now", async () => {
    const p = await person("ended.lapsed@acme.test");
    await db().update(sessions).set({ expiresAt: sql`now() - interval '30 minutes'` }).where(eq(sessions.id, p.sessionIds[0]));
    const res = await t.gql(`mutation($u: ID!) { deactivateUser(userId: $u) { id } }`, { u: p.userId }, { token: await t.login("owner@acme.test") });
    expect(res.errors).toBeUndefined();
    const lapsed = await duration(p.sessionIds[0]);
    expect(lapsed).toBeGreaterThanOrEqual(1800);
    expect(lapsed).toBeLessThan(1900);
    aboutAnHour(await duration(p.sessionIds[1]));
  });
});
