import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as resetPassword } from "../../src/bin/user-reset-password.js";
import { main as createWorkspace } from "../../src/bin/workspace-create.js";
import { auditLog, passwordResets } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { runInProcess } from "../helpers/cli.js";
import { userId, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const db = () => t.app.database.handle();
const RESET = `mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }`;
const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token user { email role } } }`;
const ACCEPT = `mutation($t: String!, $p: String!, $n: String) { acceptInvitation(token: $t, password: $p, name: $n) { token } }`;

describe("npm run user:reset-password", () => {
  it("issues a one-time token as the system; resetPassword sets the password, the old one and the token stop working", async () => {
    const run = await runInProcess(resetPassword, ["--workspace", "Acme", "--email", "OWNER@acme.test"], t);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const issued = JSON.parse(run.stdout) as { token: string; userId: string; workspaceId: string; expiresAt: string };
    expect(issued.token).toMatch(/^acrp_/);
    expect(issued.userId).toBe(await userId(t, "owner@acme.test"));
    expect(issued.workspaceId).toBe(await workspaceId(t, "Acme"));
    const [stored] = await db().select().from(passwordResets).where(eq(passwordResets.userId, issued.userId));
    expect(stored.tokenHash).not.toContain(issued.token);
    expect(stored.issuedById).toBeNull();

    const before = await t.gql(LOGIN, { e: "owner@acme.test", p: "alpha-demo" });
    const oldSession = before.data!.login.token as string;
    const reset = await t.gql(RESET, { t: issued.token, p: "a brand new owner passphrase" });
    expect(reset.errors).toBeUndefined();
    expect(reset.data!.resetPassword).toBe(true);
    const signedIn = await t.gql(LOGIN, { e: "owner@acme.test", p: "a brand new owner passphrase" });
    expect(signedIn.data!.login.user.role).toBe("owner");
    expect((await t.gql(LOGIN, { e: "owner@acme.test", p: "alpha-demo" })).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    expect((await t.gql(`{ me { id } }`, {}, { token: oldSession })).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    expect((await t.gql(RESET, { t: issued.token, p: "yet another owner passphrase" })).errors?.[0].extensions.code).toBe("BAD_USER_INPUT");

    const [entry] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "issue_password_reset"), eq(auditLog.subjectId, issued.userId)));
    expect(entry).toMatchObject({ actorRole: "system", actorId: null, workspaceId: issued.workspaceId });
    expect(entry.detail).toEqual({ source: "npm run user:reset-password" });
  });

  it("finds the workspace by id too, for a workspace made with workspace:create", async () => {
    const created = await runInProcess(createWorkspace, ["--name", "Initech", "--owner-email", "boss@initech.test"], t);
    expect(created.code).toBe(0);
    const invitation = created.stdout.split("\n").find((l) => l.startsWith("acri_")) as string;
    expect((await t.gql(ACCEPT, { t: invitation, p: "initech first passphrase", n: "Bill Lumbergh" })).errors).toBeUndefined();
    const id = /\(id ([0-9a-f-]{36})\)/.exec(created.stdout)![1];
    const run = await runInProcess(resetPassword, ["--workspace", id, "--email", "boss@initech.test"], t);
    expect(run.code).toBe(0);
    const { token } = JSON.parse(run.stdout) as { token: string };
    expect((await t.gql(RESET, { t: token, p: "initech second passphrase" })).data!.resetPassword).toBe(true);
    expect((await t.gql(LOGIN, { e: "boss@initech.test", p: "initech second passphrase" })).data!.login.user.role).toBe("owner");
  });

  it("exits 2 with one line for an unknown workspace, a user of another workspace, or missing arguments", async () => {
    const unknown = await runInProcess(resetPassword, ["--workspace", "Nowhere", "--email", "owner@acme.test"], t);
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr).toMatch(/^user:reset-password: --workspace: no workspace has the name or id "Nowhere"\n$/);
    const elsewhere = await runInProcess(resetPassword, ["--workspace", "Globex", "--email", "owner@acme.test"], t);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain("--email: no user of workspace");
    const missing = await runInProcess(resetPassword, ["--workspace", "Acme"], t);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--workspace and --email are required");
    const help = await runInProcess(resetPassword, ["--help"], t);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toContain("Usage: npm run user:reset-password");
  });
});
