// The "Done when": on a fresh production-mode database, workspace:create, then
// acceptInvitation, then sign-in works; again with the same name and email, a fresh token only
// while the owner has not accepted.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, workspaces } from "../../src/db/schema/index.js";
import { createWorkspace } from "../../src/modules/people/workspace-create.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ NODE_ENV: "production", SEED_DEMO: "false", SIGNING_SECRET: "x".repeat(40) });
});
afterAll(() => t.close());

const ACCEPT = `mutation($t: String!, $p: String!, $n: String) { acceptInvitation(token: $t, password: $p, name: $n) { token user { role email } } }`;
const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token user { role } } }`;

describe("workspace:create in production mode", () => {
  it("creates the workspace; the owner accepts the token, then signs in; a rerun issues no token once they have", async () => {
    const db = t.app.database.handle();
    const made = await createWorkspace(db, t.app.policies, { name: "Initech", ownerEmail: "boss@initech.test" });
    expect(made.outcome).toBe("created");
    if (made.outcome === "exists") throw new Error("unreachable");
    expect(made.invitation.token).toMatch(/^acri_/);

    const again = await createWorkspace(db, t.app.policies, { name: "Initech", ownerEmail: "boss@initech.test" });
    expect(again.outcome).toBe("reissued");
    if (again.outcome === "exists") throw new Error("unreachable");
    expect(again.workspaceId).toBe(made.workspaceId);
    // The first token was withdrawn by the fresh one.
    expect((await t.gql(ACCEPT, { t: made.invitation.token, p: "initech boss passphrase", n: "Bill" })).errors?.[0].extensions.code).toBe("BAD_USER_INPUT");

    const accepted = await t.gql(ACCEPT, { t: again.invitation.token, p: "initech boss passphrase", n: "Bill Lumbergh" });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!.acceptInvitation.user.role).toBe("owner");
    const login = await t.gql(LOGIN, { e: "boss@initech.test", p: "initech boss passphrase" });
    expect(login.data!.login.user.role).toBe("owner");
    const invite = await t.gql(
      `mutation { inviteUser(input: { email: "peter@initech.test", role: "sales_rep" }) { token } }`,
      {},
      { token: login.data!.login.token },
    );
    expect(invite.data!.inviteUser.token).toMatch(/^acri_/);

    const third = await createWorkspace(db, t.app.policies, { name: "Initech", ownerEmail: "boss@initech.test" });
    expect(third).toEqual({ outcome: "exists", workspaceId: made.workspaceId });
    expect(await db.select().from(workspaces).where(eq(workspaces.name, "Initech"))).toHaveLength(1);
    const logged = await db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.workspaceId, made.workspaceId));
    expect(logged.map((l) => l.action)).toEqual(expect.arrayContaining(["create_workspace", "invite_owner", "reissue_owner_invitation", "accept_invitation"]));
  });

  it("refuses another email for an existing name, and bad input", async () => {
    const db = t.app.database.handle();
    await createWorkspace(db, t.app.policies, { name: "Hooli", ownerEmail: "gavin@hooli.test" });
    await expect(createWorkspace(db, t.app.policies, { name: "Hooli", ownerEmail: "richard@hooli.test" })).rejects.toMatchObject({ code: "bad_input" });
    await expect(createWorkspace(db, t.app.policies, { name: "", ownerEmail: "a@b.test" })).rejects.toMatchObject({ code: "bad_input" });
    await expect(createWorkspace(db, t.app.policies, { name: "X", ownerEmail: "not-an-email" })).rejects.toMatchObject({ code: "bad_input" });
  });
});

describe("npm run workspace:create", () => {
  it("prints a token and never a password, on its own database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-create-"));
    try {
      const run = (args: string[]) =>
        promisify(execFile)("node", ["--import", "tsx", "src/bin/workspace-create.ts", ...args], {
          env: { ...process.env, DATABASE_URL: "", DATA_DIR: dir, NODE_ENV: "production", SIGNING_SECRET: "y".repeat(40), SEED_DEMO: "false" },
        });
      const out = await run(["--name", "Umbrella", "--owner-email", "alice@umbrella.test"]);
      expect(out.stdout).toMatch(/Created workspace "Umbrella"/);
      expect(out.stdout).toMatch(/^acri_[A-Za-z0-9_-]{43}$/m);
      const rerun = await run(["--name", "Umbrella", "--owner-email", "alice@umbrella.test"]);
      expect(rerun.stdout).toMatch(/exists/);
      await expect(run(["--name", "Umbrella"])).rejects.toMatchObject({ code: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
