// Issue #8's "Done when", walked in order on ONE fresh production-mode database (no demo data),
// with the command-line tools run in-process. Each line is also tested on its own elsewhere
// (README "Workspaces and people" lists where); this file proves they hold together.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as auditVerify } from "../../src/bin/audit-verify.js";
import { main as createWorkspace } from "../../src/bin/workspace-create.js";
import { apiTokens, auditLog } from "../../src/db/schema/index.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { runInProcess } from "../helpers/cli.js";
import { awayFromMinuteEnd } from "../helpers/minute.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ NODE_ENV: "production", SEED_DEMO: "false", SIGNING_SECRET: "z".repeat(40), RATE_LIMIT_PER_MINUTE: "30" });
});
afterAll(() => t.close());

const db = () => t.app.database.handle();
const ACCEPT = `mutation($t: String!, $p: String!, $n: String) { acceptInvitation(token: $t, password: $p, name: $n) { token user { id role } } }`;
const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token user { id role } } }`;
const INVITE = `mutation($i: InviteUserInput!) { inviteUser(input: $i) { token } }`;
const MINT = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }`;
const CONTACTS = `{ contacts(first: 5) { nodes { id lastName } } }`;
const OWNER_PW = "initial owner passphrase";
const REP_PW = "sales rep passphrase one";

const state: { workspaceId?: string; owner?: string; repId?: string; rep?: string } = {};
const code = (r: GqlResult) => r.errors?.[0]?.extensions.code;

async function mint(as: string, scopes: string[]) {
  return t.gql<{ createApiToken: { token: string; apiToken: { id: string } } }>(MINT, { i: { name: "partner", scopes } }, { token: as });
}

describe("issue #8, Done when", () => {
  it("on a fresh production-mode database, workspace:create then sign-in works", async () => {
    const run = await runInProcess(createWorkspace, ["--name", "Acme", "--owner-email", "boss@acme.example"], t);
    expect(run.code).toBe(0);
    state.workspaceId = /\(id ([0-9a-f-]{36})\)/.exec(run.stdout)![1];
    const invitation = run.stdout.split("\n").find((l) => l.startsWith("acri_"))!;
    expect((await t.gql(ACCEPT, { t: invitation, p: OWNER_PW, n: "Bea Boss" })).errors).toBeUndefined();
    const signedIn = await t.gql(LOGIN, { e: "boss@acme.example", p: OWNER_PW });
    expect(signedIn.data!.login.user.role).toBe("owner");
    state.owner = signedIn.data!.login.token;
    const contact = await t.gql(`mutation { createContact(input: { firstName: "Ada", lastName: "Customer" }) { id } }`, {}, { token: state.owner });
    expect(contact.errors).toBeUndefined();
  });

  it("an invited user signs in with the role they were given and loses access when deactivated", async () => {
    const inv = await t.gql(INVITE, { i: { email: "rep@acme.example", role: "sales_rep", name: "Rory Rep" } }, { token: state.owner });
    expect((await t.gql(ACCEPT, { t: inv.data!.inviteUser.token, p: REP_PW })).errors).toBeUndefined();
    const signedIn = await t.gql(LOGIN, { e: "rep@acme.example", p: REP_PW });
    expect(signedIn.data!.login.user.role).toBe("sales_rep");
    state.rep = signedIn.data!.login.token;
    state.repId = signedIn.data!.login.user.id;
    expect((await t.gql(CONTACTS, {}, { token: state.rep })).errors).toBeUndefined();
    // A second invited user is deactivated: their session and sign-in stop at once.
    const inv2 = await t.gql(INVITE, { i: { email: "leaver@acme.example", role: "support", name: "Lee Ver" } }, { token: state.owner });
    const leaver = (await t.gql(ACCEPT, { t: inv2.data!.inviteUser.token, p: REP_PW })).data!.acceptInvitation;
    expect(leaver.user.role).toBe("support");
    expect((await t.gql(CONTACTS, {}, { token: leaver.token })).errors).toBeUndefined();
    expect((await t.gql(`mutation($u: ID!) { deactivateUser(userId: $u) { id } }`, { u: leaver.user.id }, { token: state.owner })).errors).toBeUndefined();
    expect(code(await t.gql(CONTACTS, {}, { token: leaver.token }))).toBe("UNAUTHENTICATED");
    expect(code(await t.gql(LOGIN, { e: "leaver@acme.example", p: REP_PW }))).toBe("UNAUTHENTICATED");
  });

  it("a token with contacts:read reads contacts and is refused writes and deals", async () => {
    const { token } = (await mint(state.rep!, ["contacts:read"])).data!.createApiToken;
    const read = await t.gql(CONTACTS, {}, { token });
    expect(read.data!.contacts.nodes.map((n: { lastName: string }) => n.lastName)).toContain("Customer");
    const write = await t.gql(`mutation { createContact(input: { firstName: "No", lastName: "Write" }) { id } }`, {}, { token });
    expect(write.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "token.scopes" });
    expect(code(await t.gql(`{ deals(first: 1) { nodes { id } } }`, {}, { token }))).toBe("FORBIDDEN");
  });

  it("a sales rep cannot mint a token wider than its role", async () => {
    const wide = await mint(state.rep!, ["contacts:read", "audit_entries:read"]);
    expect(wide.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "token.within_role" });
  });

  it("a revoked, expired or mistyped token is UNAUTHENTICATED", async () => {
    const revoked = (await mint(state.rep!, ["contacts:read"])).data!.createApiToken;
    expect((await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: revoked.apiToken.id }, { token: state.rep })).errors).toBeUndefined();
    expect(code(await t.gql(CONTACTS, {}, { token: revoked.token }))).toBe("UNAUTHENTICATED");
    const expired = (await mint(state.rep!, ["contacts:read"])).data!.createApiToken;
    await db()
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, expired.apiToken.id));
    expect(code(await t.gql(CONTACTS, {}, { token: expired.token }))).toBe("UNAUTHENTICATED");
    const good = (await mint(state.rep!, ["contacts:read"])).data!.createApiToken.token;
    const typo = `${good.slice(0, 20)}${good[20] === "a" ? "b" : "a"}${good.slice(21)}`;
    expect(code(await t.gql(CONTACTS, {}, { token: typo }))).toBe("UNAUTHENTICATED");
  });

  it("40 quick requests over a limit of 30 get 429 with Retry-After while another token is served", { timeout: 60_000 }, async () => {
    const busy = (await mint(state.owner!, ["contacts:read"])).data!.createApiToken.token;
    const calm = (await mint(state.owner!, ["contacts:read"])).data!.createApiToken.token;
    const statuses: GqlResult[] = [];
    // A window rolling over between the 10th and the 30th request would leave none refused.
    await awayFromMinuteEnd();
    for (let i = 0; i < 40; i++) statuses.push(await t.gql(CONTACTS, {}, { token: busy }));
    const refused = statuses.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(Number(refused[0].headers["retry-after"])).toBeGreaterThan(0);
    expect(code(refused[0])).toBe("RATE_LIMITED");
    const other = await t.gql(CONTACTS, {}, { token: calm });
    expect(other.status).toBe(200);
    expect(other.errors).toBeUndefined();
  });

  it("a failed sign-in to an Acme account shows in Acme's audit log", async () => {
    expect(code(await t.gql(LOGIN, { e: "rep@acme.example", p: "not the password at all" }))).toBe("UNAUTHENTICATED");
    const log = await t.gql(
      `query($f: AuditLogFilter) { auditLog(first: 5, filter: $f) { nodes { action subjectId decision } } }`,
      { f: { action: "login", outcome: "DENY" } },
      { token: state.owner, purpose: "legal_compliance" },
    );
    expect(log.errors).toBeUndefined();
    expect(log.data!.auditLog.nodes).toContainEqual({ action: "login", subjectId: state.repId, decision: "DENY" });
  });

  it("editing one audit row in SQL makes audit:verify fail at that row", async () => {
    const ok = await runInProcess(auditVerify, ["--workspace", state.workspaceId!], t);
    expect(ok.code).toBe(0);
    const [row] = await db()
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, state.workspaceId!), eq(auditLog.action, "invite_user")))
      .limit(1);
    await db().transaction(async (tx) => {
      await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'on', true)`);
      await tx.execute(sql`update audit_log set reason = 'edited' where seq = ${row.seq}`);
    });
    const broken = await runInProcess(auditVerify, ["--workspace", state.workspaceId!], t);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout).chains[0]).toMatchObject({ ok: false, brokenAt: row.seq });
    expect(broken.stderr).toContain(`broken at entry ${row.seq}`);
  });
});
