// The global look-ups (#12 item 7): sign-in and tokens find their workspace in user_logins and
// credential_lookups, which now carry the rule "one account per email" and keep in step with the
// tenant rows; a stale look-up row grants nothing.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addLogin } from "../../src/auth/lookups.js";
import { tokenDigest } from "../../src/auth/tokens.js";
import { credentialLookups, userLogins } from "../../src/db/schema/index.js";
import { createWorkspace } from "../../src/modules/people/workspace-create.js";
import { tenantTables } from "../../src/modules/workspaces/workspace.repository.js";
import { DEMO_PASSWORD, startTestApp, type TestApp } from "../helpers/app.js";
import { db, userId, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let acme: string;
let globex: string;
beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  globex = await workspaceId(t, "Globex");
});
afterAll(() => t.close());

const ME = `{ me { id email } }`;
const INVITE = `mutation($e: EmailAddress!) { inviteUser(input: { email: $e, role: "sales_rep", name: "New Person" }) { token } }`;
const ACCEPT = `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token user { email } } }`;
const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`;

const sessionRows = (token: string) =>
  db(t)
    .select()
    .from(credentialLookups)
    .where(and(eq(credentialLookups.kind, "session"), eq(credentialLookups.key, tokenDigest(token))));

describe("one account per email, across workspaces", () => {
  it("accepting an invitation or creating a workspace for an email that has an account elsewhere is refused as before", async () => {
    const globexOwner = await t.login("owner@globex.test");
    // The invitation is issued (no probe of other workspaces' accounts); accepting it is refused.
    const res = await t.gql(INVITE, { e: "Owner@Acme.test" }, { token: globexOwner });
    expect(res.errors).toBeUndefined();
    const accepted = await t.gql(ACCEPT, { t: res.data!.inviteUser.token, p: "a long enough passphrase" });
    expect(accepted.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    await expect(createWorkspace(db(t), t.app.policies, { name: "Fresh Co", ownerEmail: "owner@acme.test" })).rejects.toMatchObject({
      code: "bad_input",
      details: { field: "--owner-email" },
    });
  });

  it("two pending invitations for one email: the second acceptance is refused, and the key refuses a direct second login", async () => {
    const email = "twice@invited.test";
    const fromAcme = await t.gql(INVITE, { e: email }, { token: await t.login("owner@acme.test") });
    const fromGlobex = await t.gql(INVITE, { e: email }, { token: await t.login("owner@globex.test") });
    const first = await t.gql(ACCEPT, { t: fromGlobex.data!.inviteUser.token, p: "a long enough passphrase" });
    expect(first.errors).toBeUndefined();
    const second = await t.gql(ACCEPT, { t: fromAcme.data!.inviteUser.token, p: "a long enough passphrase" });
    expect(second.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const [login] = await db(t).select().from(userLogins).where(eq(userLogins.emailLower, email));
    expect(login.workspaceId).toBe(globex);
    // Even past the service's check, the look-up's key holds the rule (the old unique index did).
    await expect(addLogin(db(t), { email: email.toUpperCase(), workspaceId: acme, userId: await userId(t, "owner@acme.test") })).rejects.toThrow();
    // The accepted invitation's token is no longer looked up.
    expect(
      await db(t)
        .select()
        .from(credentialLookups)
        .where(eq(credentialLookups.key, tokenDigest(fromGlobex.data!.inviteUser.token))),
    ).toEqual([]);
  });
});

describe("credential look-ups", () => {
  it("a session's look-up row exists while it does, and goes at sign-out", async () => {
    const token = await t.login("sales@acme.test");
    expect(await sessionRows(token)).toMatchObject([{ workspaceId: acme }]);
    expect((await t.gql(`mutation { logout }`, {}, { token })).errors).toBeUndefined();
    expect(await sessionRows(token)).toEqual([]);
    expect((await t.gql(ME, {}, { token })).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
  });

  it("a look-up row naming the wrong workspace grants nothing: the tenant row decides", async () => {
    const token = await t.login("marketing@acme.test");
    expect((await t.gql(ME, {}, { token })).data!.me.email).toBe("marketing@acme.test");
    await db(t)
      .update(credentialLookups)
      .set({ workspaceId: globex })
      .where(and(eq(credentialLookups.kind, "session"), eq(credentialLookups.key, tokenDigest(token))));
    expect((await t.gql(ME, {}, { token })).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    // A login row pointing elsewhere does not sign anyone in either.
    await db(t).update(userLogins).set({ workspaceId: globex }).where(eq(userLogins.emailLower, "marketing@acme.test"));
    expect((await t.gql(LOGIN, { e: "marketing@acme.test", p: DEMO_PASSWORD })).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    await db(t).update(userLogins).set({ workspaceId: acme }).where(eq(userLogins.emailLower, "marketing@acme.test"));
    expect((await t.gql(LOGIN, { e: "marketing@acme.test", p: DEMO_PASSWORD })).errors).toBeUndefined();
  });

  it("closing an account frees its email", async () => {
    const token = await t.login("support@acme.test");
    const closed = await t.gql(`mutation($p: String!) { closeMyAccount(password: $p) }`, { p: DEMO_PASSWORD }, { token });
    expect(closed.errors).toBeUndefined();
    expect(await db(t).select().from(userLogins).where(eq(userLogins.emailLower, "support@acme.test"))).toEqual([]);
  });

  it("a workspace purge deletes its look-up rows with its other account data", () => {
    const purged = tenantTables().deleted.map((d) => d.name);
    expect(purged).toEqual(expect.arrayContaining(["user_logins", "credential_lookups"]));
  });
});
