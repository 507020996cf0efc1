// Policy versions (issue #10, part 6): customers publish their notices, Alpha publishes the
// platform's; a material change reaches every user once (computed, no row per user), an
// acknowledgement clears it for that user only, and consent proof records the notice in force.
import "reflect-metadata";
import { and, count, desc, eq, isNull, not, arrayContains } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, consentEvents, contacts, policyVersions, users } from "../../src/db/schema/index.js";
import { addLogin } from "../../src/auth/lookups.js";
import { PLATFORM_WORKSPACE_ID } from "../../src/db/tenancy.js";
import { CursorCodec } from "../../src/modules/common/cursor.js";
import { systemScope } from "../../src/modules/common/scope.js";
import { policyVersionService } from "../../src/modules/policy-versions/policy-version.service.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let acme: string;
let globex: string;
const tokens: Record<string, string> = {};
const ACME_USERS = ["owner", "dpo", "auditor", "sales", "marketing", "support"];

const PUBLISH = `mutation($input: PolicyVersionInput!) { publishPolicyVersion(input: $input) { id version summary material publishedAt scope } }`;
const LIST = `{ policyVersions { version scope material } }`;
const NOTICES = `{ me { policyNotices { version summary publishedAt } } }`;
const ACK = `mutation($v: String!) { acknowledgePolicy(version: $v) }`;
const GRANT = `mutation($id: ID!, $s: String!, $proof: ConsentProofInput) {
  grantConsent(contactId: $id, purpose: "marketing_email", source: $s, proof: $proof) { id } }`;

const publish = (who: string, input: Record<string, unknown>) => t.gql(PUBLISH, { input }, { token: tokens[who] });
const versionsOf = async (who?: string) =>
  ((await t.gql(LIST, {}, who ? { token: tokens[who] } : {})).data!.policyVersions as Array<{ version: string; scope: string }>).map(
    (v) => `${v.scope}:${v.version}`,
  );
const noticesOf = async (who: string) =>
  ((await t.gql(NOTICES, {}, { token: tokens[who] })).data!.me.policyNotices as Array<{ version: string }>).map((n) => n.version);

function expectCode(res: GqlResult, code: string, field?: string): void {
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({ code, ...(field ? { field } : {}) });
}

async function versionCount(): Promise<number> {
  return Number((await db(t).select({ n: count() }).from(policyVersions))[0].n);
}

function platform(version: string, material: boolean) {
  const scope = systemScope(
    { db: db(t), policies: t.app.policies, cursors: new CursorCodec(t.app.signingSecret), settings: { sessionTtlHours: 1 } },
    "",
    "legal_compliance",
  );
  return policyVersionService.publishPlatform(scope, { version, summary: `Platform ${version}`, material });
}

/** The notice version the ledger recorded for the newest grant to a contact. */
async function recordedNotice(contactId: string): Promise<string | null> {
  const [row] = await db(t)
    .select({ v: consentEvents.noticeVersion })
    .from(consentEvents)
    .where(eq(consentEvents.contactId, contactId))
    .orderBy(desc(consentEvents.createdAt))
    .limit(1);
  return row.v;
}

async function unconsented(ws: string, n: number): Promise<string[]> {
  const rows = await db(t)
    .select({ id: contacts.id })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, ws),
        not(arrayContains(contacts.consentedPurposes, ["marketing_email"])),
        eq(contacts.processingRestricted, false),
        isNull(contacts.erasedAt),
      ),
    )
    .limit(n);
  return rows.map((r) => r.id);
}

const FORM_PROOF = { subjectIp: "192.0.2.10", subjectUserAgent: "Mozilla/5.0 test" };

beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  globex = await workspaceId(t, "Globex");
  for (const who of ACME_USERS) tokens[who] = await t.login(`${who}@acme.test`);
  tokens.globex = await t.login("owner@globex.test");
});

afterAll(() => t?.close());

describe("before any version is published", () => {
  it("lists nothing, shows no notice, and a form grant still needs its notice version", async () => {
    expect(await versionsOf()).toEqual([]);
    expect(await noticesOf("sales")).toEqual([]);
    const [id] = await unconsented(acme, 1);
    expectCode(await t.gql(GRANT, { id, s: "form", proof: FORM_PROOF }, { token: tokens.owner }), "BAD_USER_INPUT", "proof.noticeVersion");
  });
});

describe("publishing", () => {
  it("lets the DPO and the owner publish their workspace's notice, logged in the decision log", async () => {
    const res = await publish("dpo", { version: "acme-1", summary: "Acme's first notice", material: true });
    expect(res.errors).toBeUndefined();
    expect(res.data!.publishPolicyVersion).toMatchObject({ version: "acme-1", material: true, scope: "WORKSPACE" });
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subject, "PolicyVersion"), eq(auditLog.subjectId, res.data!.publishPolicyVersion.id)));
    expect(entry).toMatchObject({ action: "create", decision: "allow", workspaceId: acme });
    expect((await publish("owner", { version: "acme-1.1", summary: "Typo fixes" })).data!.publishPolicyVersion.material).toBe(false);
  });

  it("refuses a version its scope already has, changing nothing; another workspace may reuse the label", async () => {
    const before = await versionCount();
    expectCode(await publish("owner", { version: "acme-1", summary: "again" }), "BAD_USER_INPUT", "input.version");
    expectCode(await publish("dpo", { version: "  ", summary: "blank" }), "BAD_USER_INPUT", "input.version");
    expect(await versionCount()).toBe(before);
    expect((await publish("globex", { version: "acme-1", summary: "Globex's own label" })).errors).toBeUndefined();
  });

  it.each(["auditor", "sales", "marketing", "support"])("%s is FORBIDDEN to publish", async (who) => {
    const before = await versionCount();
    expectCode(await publish(who, { version: `by-${who}`, summary: "no", material: true }), "FORBIDDEN");
    expect(await versionCount()).toBe(before);
  });

  it("publishes platform versions as the system principal; a duplicate is refused", async () => {
    expect((await platform("2026-12", true)).scope).toBe("platform");
    await expect(platform("2026-12", false)).rejects.toMatchObject({ code: "bad_input", details: { field: "input.version" } });
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subject, "PolicyVersion"), eq(auditLog.workspaceId, PLATFORM_WORKSPACE_ID)));
    expect(entry).toMatchObject({ actorRole: "system", actorId: null });
  });
});

describe("policyVersions (public)", () => {
  it("lists platform versions without sign-in, and the own workspace's besides when signed in, newest first", async () => {
    expect(await versionsOf()).toEqual(["PLATFORM:2026-12"]);
    expect(await versionsOf("sales")).toEqual(["PLATFORM:2026-12", "WORKSPACE:acme-1.1", "WORKSPACE:acme-1"]);
    expect(await versionsOf("globex")).toEqual(["PLATFORM:2026-12", "WORKSPACE:acme-1"]);
    const globexLabels = (await t.gql(`{ policyVersions { summary } }`, {}, { token: tokens.globex })).data!.policyVersions.map(
      (v: { summary: string }) => v.summary,
    );
    expect(globexLabels).not.toContain("Acme's first notice");
  });
});

describe("material changes reach every user once", () => {
  it("shows each Acme user the material versions (Acme's and the platform's) exactly once", async () => {
    for (const who of ACME_USERS) expect((await noticesOf(who)).sort(), who).toEqual(["2026-12", "acme-1"]);
  });

  it("never shows Globex Acme's notice, but does show the platform's", async () => {
    expect(await noticesOf("globex")).toEqual(["2026-12"]);
  });

  it("clears a notice for the acknowledging user only; a repeat answers true without a second row", async () => {
    expect((await t.gql(ACK, { v: "acme-1" }, { token: tokens.sales })).data!.acknowledgePolicy).toBe(true);
    expect((await t.gql(ACK, { v: "acme-1" }, { token: tokens.sales })).data!.acknowledgePolicy).toBe(true);
    expect(await noticesOf("sales")).toEqual(["2026-12"]);
    expect((await noticesOf("support")).sort()).toEqual(["2026-12", "acme-1"]);
    // Globex's own "acme-1" label is not Acme's: acknowledging it leaves Acme's users alone.
    expect((await t.gql(ACK, { v: "acme-1" }, { token: tokens.globex })).data!.acknowledgePolicy).toBe(true);
    expect((await noticesOf("owner")).sort()).toEqual(["2026-12", "acme-1"]);
  });

  it("refuses to acknowledge an unknown version, or another workspace's", async () => {
    expectCode(await t.gql(ACK, { v: "no-such-version" }, { token: tokens.sales }), "BAD_USER_INPUT", "version");
    expectCode(await t.gql(ACK, { v: "acme-1.1" }, { token: tokens.globex }), "BAD_USER_INPUT", "version");
    expectCode(await t.gql(ACK, { v: "2026-12" }), "UNAUTHENTICATED");
  });

  it("shows notices only on the caller's own profile (null on a colleague's)", async () => {
    const res = await t.gql(
      `{ auditLog(first: 200) { nodes { actorId actor { id policyNotices { version } } } } }`,
      {},
      { token: tokens.owner, purpose: "legal_compliance" },
    );
    expect(res.errors).toBeUndefined();
    const actors = (res.data!.auditLog.nodes as Array<{ actor: { id: string; policyNotices: unknown } | null }>).flatMap((n) => (n.actor ? [n.actor] : []));
    const [owner] = await db(t).select({ id: users.id }).from(users).where(eq(users.email, "owner@acme.test"));
    expect(actors.some((a) => a.id !== owner.id && a.policyNotices === null)).toBe(true);
    expect(actors.filter((a) => a.id === owner.id).every((a) => Array.isArray(a.policyNotices))).toBe(true);
  });

  it("creates no notice for a non-material change", async () => {
    await publish("dpo", { version: "acme-1.2", summary: "Wording", material: false });
    expect(await noticesOf("auditor")).not.toContain("acme-1.2");
  });

  it("shows nothing to an account created after the publication", async () => {
    const [sales] = await db(t).select().from(users).where(eq(users.email, "sales@acme.test"));
    const [newcomer] = await db(t)
      .insert(users)
      .values({ workspaceId: acme, email: "newcomer@acme.test", name: "New Comer", role: "sales_rep", passwordHash: sales.passwordHash })
      .returning({ id: users.id });
    await addLogin(db(t), { email: "newcomer@acme.test", workspaceId: acme, userId: newcomer.id });
    tokens.newcomer = await t.login("newcomer@acme.test");
    expect(await noticesOf("newcomer")).toEqual([]);
  });
});

describe("consent proof records the notice in force", () => {
  it("stores the workspace's newest version when none is given, and keeps one that is given", async () => {
    const [a, b] = await unconsented(acme, 2);
    expect((await t.gql(GRANT, { id: a, s: "form", proof: FORM_PROOF }, { token: tokens.owner })).errors).toBeUndefined();
    expect(await recordedNotice(a)).toBe("acme-1.2");
    expect((await t.gql(GRANT, { id: b, s: "form", proof: { ...FORM_PROOF, noticeVersion: "paper-2019" } }, { token: tokens.owner })).errors).toBeUndefined();
    expect(await recordedNotice(b)).toBe("paper-2019");
  });

  it("falls back to the platform's newest for a workspace without its own, and leaves imports alone", async () => {
    await db(t).delete(policyVersions).where(eq(policyVersions.workspaceId, globex));
    const [g, h] = await unconsented(globex, 2);
    expect((await t.gql(GRANT, { id: g, s: "form", proof: FORM_PROOF }, { token: tokens.globex })).errors).toBeUndefined();
    expect(await recordedNotice(g)).toBe("2026-12");
    const imported = await t.gql(GRANT, { id: h, s: "import", proof: { evidence: "CRM import, consent of 2024-03-01" } }, { token: tokens.globex });
    expect(imported.errors).toBeUndefined();
    expect(await recordedNotice(h)).toBeNull();
  });
});
