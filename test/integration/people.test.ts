import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, invitations, users } from "../../src/db/schema/index.js";
import { DEMO_PASSWORD, startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const db = () => t.app.database.handle();
const GOOD = "correct horse battery staple";

const INVITE = `mutation($i: InviteUserInput!) { inviteUser(input: $i) { id email role expiresAt token } }`;
const ACCEPT = `mutation($t: String!, $p: String!, $n: String) { acceptInvitation(token: $t, password: $p, name: $n) { token user { id role email } } }`;
const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token user { role } } }`;
const ROLE = `mutation($u: ID!, $r: String!) { changeUserRole(userId: $u, role: $r) { id role } }`;
const DEACTIVATE = `mutation($u: ID!) { deactivateUser(userId: $u) { id deactivatedAt } }`;
const RESET_ISSUE = `mutation($u: ID!) { issuePasswordReset(userId: $u) }`;
const RESET = `mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }`;
const CHANGE = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`;
const ME = `{ me { id role } }`;

async function idOf(email: string): Promise<string> {
  const [row] = await db().select({ id: users.id }).from(users).where(eq(users.email, email));
  return row.id;
}

async function invite(email: string, role = "sales_rep", as = "owner@acme.test") {
  const res = await t.gql(INVITE, { i: { email, role, name: "New Person" } }, { token: await t.login(as) });
  expect(res.errors).toBeUndefined();
  return res.data!.inviteUser as { id: string; token: string; role: string; expiresAt: string };
}

describe("inviteUser and acceptInvitation", () => {
  it("an owner invites, the invitee accepts, signs in with the role given, and the token works once", async () => {
    const inv = await invite("new.rep@acme.test");
    expect(inv.token).toMatch(/^acri_/);
    expect(new Date(inv.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    const [stored] = await db().select().from(invitations).where(eq(invitations.id, inv.id));
    expect(stored.tokenHash).not.toContain(inv.token);
    expect(stored.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    const accepted = await t.gql(ACCEPT, { t: inv.token, p: GOOD, n: "Nora Rep" });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!.acceptInvitation.user.role).toBe("sales_rep");
    const me = await t.gql(ME, {}, { token: accepted.data!.acceptInvitation.token });
    expect(me.data!.me.role).toBe("sales_rep");

    const again = await t.gql(ACCEPT, { t: inv.token, p: GOOD });
    expect(again.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const login = await t.gql(LOGIN, { e: "new.rep@acme.test", p: GOOD });
    expect(login.data!.login.user.role).toBe("sales_rep");
  });

  it("refuses an expired invitation, and a weak or common password without using the token", async () => {
    const inv = await invite("late@acme.test", "support");
    const short = await t.gql(ACCEPT, { t: inv.token, p: "short-pw" });
    expect(short.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(short.errors?.[0].message).toMatch(/12 characters/);
    const common = await t.gql(ACCEPT, { t: inv.token, p: "password1234" });
    expect(common.errors?.[0].message).toMatch(/common/);
    expect(JSON.stringify(common.errors)).not.toContain("password1234");
    await db()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, inv.id));
    const expired = await t.gql(ACCEPT, { t: inv.token, p: GOOD });
    expect(expired.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await db().select().from(users).where(eq(users.email, "late@acme.test"))).length).toBe(0);
  });

  it("never grants the system role or an unknown role, and refuses an existing account", async () => {
    const token = await t.login("owner@acme.test");
    for (const role of ["system", "emperor"]) {
      const res = await t.gql(INVITE, { i: { email: "x@acme.test", role } }, { token });
      expect(res.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
      const change = await t.gql(ROLE, { u: await idOf("sales@acme.test"), r: role }, { token });
      expect(change.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    }
    // A member of this workspace; another workspace's account is not named (attack-people.test.ts).
    const taken = await t.gql(INVITE, { i: { email: "sales@acme.test", role: "support" } }, { token });
    expect(taken.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await db().select().from(invitations).where(eq(invitations.email, "x@acme.test"))).length).toBe(0);
  });

  it.each(["dpo@acme.test", "auditor@acme.test", "sales@acme.test", "marketing@acme.test", "support@acme.test"])(
    "refuses %s: only an owner invites, changes roles, deactivates and issues resets",
    async (email) => {
      const token = await t.login(email);
      const target = await idOf("support@acme.test");
      for (const [query, vars] of [
        [INVITE, { i: { email: "nobody@acme.test", role: "support" } }],
        [ROLE, { u: target, r: "owner" }],
        [DEACTIVATE, { u: target }],
        [RESET_ISSUE, { u: target }],
      ] as const) {
        const res = await t.gql(query, vars, { token });
        expect(res.errors?.[0].extensions.code, `${email} ${query}`).toBe("FORBIDDEN");
      }
      const [row] = await db().select({ role: users.role, deactivatedAt: users.deactivatedAt }).from(users).where(eq(users.id, target));
      expect(row).toEqual({ role: "support", deactivatedAt: null });
    },
  );
});

describe("changeUserRole and deactivateUser", () => {
  it("changes a role (audited) and the new role applies on the next request", async () => {
    const inv = await invite("promote@acme.test", "support");
    const signedIn = await t.gql(ACCEPT, { t: inv.token, p: GOOD, n: "Pro Mote" });
    const userToken = signedIn.data!.acceptInvitation.token;
    const userId = signedIn.data!.acceptInvitation.user.id;
    const res = await t.gql(ROLE, { u: userId, r: "dpo" }, { token: await t.login("owner@acme.test") });
    expect(res.data!.changeUserRole.role).toBe("dpo");
    expect((await t.gql(ME, {}, { token: userToken })).data!.me.role).toBe("dpo");
    const [entry] = await db().select().from(auditLog).where(sql`${auditLog.action} = 'change_user_role' and ${auditLog.subjectId} = ${userId}`);
    expect(entry.detail).toEqual({ from: "support", to: "dpo" });
  });

  it("deactivation ends the sessions at once and refuses sign-in (audited)", async () => {
    const inv = await invite("leaver@acme.test", "sales_rep");
    const signedIn = await t.gql(ACCEPT, { t: inv.token, p: GOOD, n: "Lee Ver" });
    const userToken = signedIn.data!.acceptInvitation.token;
    const userId = signedIn.data!.acceptInvitation.user.id;
    expect((await t.gql(ME, {}, { token: userToken })).data!.me.id).toBe(userId);
    const res = await t.gql(DEACTIVATE, { u: userId }, { token: await t.login("owner@acme.test") });
    expect(res.data!.deactivateUser.deactivatedAt).toBeTruthy();
    expect((await t.gql(ME, {}, { token: userToken })).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    const login = await t.gql(LOGIN, { e: "leaver@acme.test", p: GOOD });
    expect(login.errors?.[0].message).toBe("invalid email or password");
    const entries = await db().select().from(auditLog).where(sql`${auditLog.action} = 'deactivate_user' and ${auditLog.subjectId} = ${userId}`);
    expect(entries).toHaveLength(1);
  });

  it("the last owner cannot demote or deactivate themself", async () => {
    const token = await t.login("owner@acme.test");
    const self = await idOf("owner@acme.test");
    const demote = await t.gql(ROLE, { u: self, r: "dpo" }, { token });
    expect(demote.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const off = await t.gql(DEACTIVATE, { u: self }, { token });
    expect(off.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await t.gql(ME, {}, { token })).data!.me.role).toBe("owner");
  });

  it("a Globex owner cannot touch Acme's users: NOT_FOUND, nothing changed", async () => {
    const token = await t.login("owner@globex.test");
    const target = await idOf("sales@acme.test");
    for (const [query, vars] of [
      [ROLE, { u: target, r: "owner" }],
      [DEACTIVATE, { u: target }],
      [RESET_ISSUE, { u: target }],
    ] as const) {
      const res = await t.gql(query, vars, { token });
      expect(res.errors?.[0].extensions.code).toBe("NOT_FOUND");
    }
    const [row] = await db().select({ role: users.role, deactivatedAt: users.deactivatedAt }).from(users).where(eq(users.id, target));
    expect(row).toEqual({ role: "sales_rep", deactivatedAt: null });
  });
});

describe("passwords and sessions", () => {
  it("changePassword needs the current password and ends every other session", async () => {
    const inv = await invite("changer@acme.test", "support");
    const first = (await t.gql(ACCEPT, { t: inv.token, p: GOOD, n: "Chan Ger" })).data!.acceptInvitation.token;
    const second = (await t.gql(LOGIN, { e: "changer@acme.test", p: GOOD })).data!.login.token;
    const wrong = await t.gql(CHANGE, { c: "not my password at all", n: "another good passphrase" }, { token: second });
    expect(wrong.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const sessions = await t.gql(`{ mySessions { id current } }`, {}, { token: second });
    expect(sessions.data!.mySessions).toHaveLength(2);
    expect(sessions.data!.mySessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const ok = await t.gql(CHANGE, { c: GOOD, n: "another good passphrase" }, { token: second });
    expect(ok.data!.changePassword).toBe(true);
    expect((await t.gql(ME, {}, { token: first })).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    expect((await t.gql(ME, {}, { token: second })).data!.me).toBeTruthy();
    expect((await t.gql(LOGIN, { e: "changer@acme.test", p: GOOD })).errors?.[0].message).toBe("invalid email or password");
    expect((await t.gql(LOGIN, { e: "changer@acme.test", p: "another good passphrase" })).data!.login.token).toBeTruthy();
  });

  it("lists and revokes only the caller's own sessions", async () => {
    const token = await t.login("support@acme.test");
    const mine = await t.gql(`{ mySessions { id current } }`, {}, { token });
    const other = await t.gql(`{ mySessions { id } }`, {}, { token: await t.login("owner@globex.test") });
    const foreign = await t.gql(`mutation($id: ID!) { revokeSession(id: $id) }`, { id: other.data!.mySessions[0].id }, { token });
    expect(foreign.errors?.[0].extensions.code).toBe("NOT_FOUND");
    const own = mine.data!.mySessions[0].id;
    const revoked = await t.gql(`mutation($id: ID!) { revokeSession(id: $id) }`, { id: own }, { token });
    expect(revoked.data!.revokeSession).toBe(true);
    expect((await t.gql(`{ mySessions { id } }`, {}, { token: await t.login("owner@globex.test") })).data).toBeTruthy();
  });

  it("a reset token works once, within the hour, replaces older ones and ends every session", async () => {
    const owner = await t.login("owner@acme.test");
    const inv = await invite("forgetful@acme.test", "support");
    const session = (await t.gql(ACCEPT, { t: inv.token, p: GOOD, n: "For Getful" })).data!.acceptInvitation;
    const older = (await t.gql(RESET_ISSUE, { u: session.user.id }, { token: owner })).data!.issuePasswordReset as string;
    const token = (await t.gql(RESET_ISSUE, { u: session.user.id }, { token: owner })).data!.issuePasswordReset as string;
    expect(token).toMatch(/^acrp_/);
    expect((await t.gql(RESET, { t: older, p: "a fresh passphrase here" })).errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await t.gql(RESET, { t: token, p: "qwertyuiop" })).errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await t.gql(RESET, { t: token, p: "a fresh passphrase here" })).data!.resetPassword).toBe(true);
    expect((await t.gql(RESET, { t: token, p: "a second passphrase here" })).errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await t.gql(ME, {}, { token: session.token })).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    expect((await t.gql(LOGIN, { e: "forgetful@acme.test", p: "a fresh passphrase here" })).data!.login.token).toBeTruthy();
  });

  it("the demo password still signs in (the seed bypasses the policy)", async () => {
    expect((await t.gql(LOGIN, { e: "dpo@acme.test", p: DEMO_PASSWORD })).data!.login.token).toBeTruthy();
  });
});
