// Issue 8 item 4: a tamper-evident audit log. Every entry is hash-chained to the previous one
// of its workspace; editing, deleting or inserting a row directly in SQL (as an attacker with
// database access would, through the append-only trigger's maintenance switch) makes
// verifyAuditLog and `npm run audit:verify` name that row.
import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEntry, type AuditValues, truncateAuditBefore, verifyAuditChain, verifyAuditChains } from "../../src/authz/audit-chain.js";
import { type Db, openPglite } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";
import { auditLog } from "../../src/db/schema/index.js";
import { PLATFORM_WORKSPACE_ID } from "../../src/db/tenancy.js";
import { DEMO_PASSWORD, startTestApp, type TestApp } from "../helpers/app.js";
import { db, userId, workspaceId } from "../helpers/fixtures.js";

const LEGAL = "legal_compliance";
const VERIFY = `{ verifyAuditLog { ok entries brokenAt checkedFrom reason lastHash } }`;
const LOG = `query($f: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id actorId actorRole action subject subjectId purpose decision reason detail createdAt }
  }
}`;

let t: TestApp;
let acme: string;
let globex: string;
const tokens: Record<string, string> = {};

function entry(workspace: string | null, over: Partial<AuditValues> = {}): AuditValues {
  return {
    workspaceId: workspace,
    actorId: null,
    actorRole: null,
    action: "test",
    subject: "AuditEntry",
    subjectId: null,
    purpose: null,
    decision: "allow",
    rule: null,
    reason: "written by the test",
    detail: { b: 1, a: [true, "x"] },
    policyDigest: null,
    ...over,
  };
}

/** As an attacker with database access: through the append-only trigger's maintenance switch. */
function tamper(d: Db, statement: ReturnType<typeof sql>) {
  return d.transaction(async (tx) => {
    await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'on', true)`);
    await tx.execute(statement);
  });
}

const verify = async (who: string) => (await t.gql(VERIFY, {}, { token: tokens[who], purpose: LEGAL })).data!.verifyAuditLog;

async function newestSeq(workspace: string): Promise<number[]> {
  const rows = await db(t).select({ seq: auditLog.seq }).from(auditLog).where(eq(auditLog.workspaceId, workspace)).orderBy(desc(auditLog.seq)).limit(5);
  return rows.map((r) => r.seq);
}

beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  globex = await workspaceId(t, "Globex");
  for (const who of [
    "owner@acme.test",
    "dpo@acme.test",
    "auditor@acme.test",
    "sales@acme.test",
    "marketing@acme.test",
    "support@acme.test",
    "owner@globex.test",
  ]) {
    tokens[who] = await t.login(who);
  }
}, 120_000);
afterAll(() => t?.close());

describe("recording", () => {
  it("records sign-ins, successful ones under the user and failed ones in the account's workspace", async () => {
    const res = await t.gql(`mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`, {
      e: "owner@acme.test",
      p: "wrong-password",
    });
    expect(res.errors![0].extensions.code).toBe("UNAUTHENTICATED");
    const ownerId = await userId(t, "owner@acme.test");
    const denied = await t.gql(LOG, { f: { action: "login", outcome: "DENY" } }, { token: tokens["dpo@acme.test"], purpose: LEGAL });
    expect(denied.errors).toBeUndefined();
    const failed = denied.data!.auditLog.nodes;
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0]).toMatchObject({ subject: "User", subjectId: ownerId, actorId: null, decision: "DENY" });
    expect(JSON.stringify(failed)).not.toContain("wrong-password");
    expect(JSON.stringify(failed)).not.toContain("owner@acme.test");
    // Globex never sees Acme's failed sign-in.
    const other = await t.gql(LOG, { f: { action: "login", outcome: "DENY" } }, { token: tokens["owner@globex.test"], purpose: LEGAL });
    expect(other.data!.auditLog.nodes.filter((n: { subjectId: string }) => n.subjectId === ownerId)).toEqual([]);

    const allowed = await t.gql(LOG, { f: { action: "login", outcome: "ALLOW", actorId: ownerId } }, { token: tokens["dpo@acme.test"], purpose: LEGAL });
    expect(allowed.data!.auditLog.nodes[0]).toMatchObject({ actorId: ownerId, actorRole: "owner", subjectId: ownerId, decision: "ALLOW" });
  });

  it("a failed sign-in to an unknown email goes to the chain of no workspace", async () => {
    const before = await db(t).select().from(auditLog).where(eq(auditLog.workspaceId, PLATFORM_WORKSPACE_ID));
    await t.gql(`mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: "nobody@nowhere.test", p: DEMO_PASSWORD });
    const after = await db(t).select().from(auditLog).where(eq(auditLog.workspaceId, PLATFORM_WORKSPACE_ID));
    expect(after.length).toBe(before.length + 1);
    expect(JSON.stringify(after)).not.toContain("nobody@nowhere.test");
    expect((await verifyAuditChain(db(t), null)).ok).toBe(true);
  });

  it("records every CRUD write with the names of the fields, never their values", async () => {
    const owner = tokens["owner@acme.test"];
    const created = await t.gql(
      `mutation { createContact(input: { firstName: "Zelda", lastName: "Secretvalue", email: "zelda.secret@example.test", phone: "+33612345678" }) { id } }`,
      {},
      { token: owner },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createContact.id;
    expect(
      (await t.gql(`mutation($id: ID!) { updateContact(id: $id, input: { position: "Chief Hidden Officer" }) { id } }`, { id }, { token: owner })).errors,
    ).toBeUndefined();
    const company = await t.gql(`mutation { createCompany(input: { name: "Audited Corp" }) { id } }`, {}, { token: owner });
    expect(company.errors).toBeUndefined();
    expect((await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id }, { token: owner })).data?.deleteContact).toBe(true);

    const res = await t.gql(LOG, { f: { subject: "Contact", subjectId: id } }, { token: tokens["auditor@acme.test"], purpose: LEGAL });
    expect(res.errors).toBeUndefined();
    const log = res.data!.auditLog.nodes.map((n: Record<string, unknown>) => ({ action: n.action, detail: n.detail, decision: n.decision }));
    // deleteContact is an erasure (no person disappears without a report): logged as `erase` with its counts.
    expect(log).toEqual([
      { action: "erase", detail: expect.objectContaining({ via: "deleteContact", interactionsDeleted: 0 }), decision: "ALLOW" },
      { action: "update", detail: { fields: ["position"] }, decision: "ALLOW" },
      { action: "create", detail: { fields: ["email", "firstName", "lastName", "phone"] }, decision: "ALLOW" },
    ]);
    const all = JSON.stringify(res.data);
    for (const value of ["Zelda", "Secretvalue", "zelda.secret", "612345678", "Hidden"]) expect(all).not.toContain(value);
    const companyLog = await t.gql(LOG, { f: { subject: "Company", action: "create" } }, { token: tokens["dpo@acme.test"], purpose: LEGAL });
    expect(companyLog.data!.auditLog.nodes[0]).toMatchObject({ subjectId: company.data!.createCompany.id, detail: { fields: ["name"] } });
    expect((await verify("owner@acme.test")).ok).toBe(true);
  });

  it("a refused write is logged as a denial and writes no allow entry", async () => {
    const before = (await t.gql(LOG, { f: { subject: "Contact", outcome: "ALLOW" } }, { token: tokens["owner@acme.test"], purpose: LEGAL })).data!.auditLog
      .totalCount;
    const res = await t.gql(`mutation { createContact(input: { firstName: "No", lastName: "Way" }) { id } }`, {}, { token: tokens["auditor@acme.test"] });
    expect(res.errors![0].extensions.code).toBe("FORBIDDEN");
    const after = (await t.gql(LOG, { f: { subject: "Contact", outcome: "ALLOW" } }, { token: tokens["owner@acme.test"], purpose: LEGAL })).data!.auditLog
      .totalCount;
    expect(after).toBe(before);
  });
});

describe("filters", () => {
  it("filter by actor, action, subject, outcome and time, keeping the keyset pagination", async () => {
    const sales = await userId(t, "sales@acme.test");
    await t.gql(`mutation { createCompany(input: { name: "Sales Co 1" }) { id } }`, {}, { token: tokens["sales@acme.test"] });
    await t.gql(`mutation { createCompany(input: { name: "Sales Co 2" }) { id } }`, {}, { token: tokens["sales@acme.test"] });
    const f = { actorId: sales, action: "create", subject: "Company", outcome: "ALLOW" };
    const page1 = await t.gql(LOG, { f, first: 1 }, { token: tokens["owner@acme.test"], purpose: LEGAL });
    expect(page1.errors).toBeUndefined();
    expect(page1.data!.auditLog.totalCount).toBe(2);
    expect(page1.data!.auditLog.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.gql(LOG, { f, first: 1, after: page1.data!.auditLog.pageInfo.endCursor }, { token: tokens["owner@acme.test"], purpose: LEGAL });
    expect(page2.data!.auditLog.nodes).toHaveLength(1);
    expect(Number(page2.data!.auditLog.nodes[0].id)).toBeLessThan(Number(page1.data!.auditLog.nodes[0].id));
    expect(page2.data!.auditLog.pageInfo.hasNextPage).toBe(false);

    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await t.gql(LOG, { f: { ...f, after: future } }, { token: tokens["owner@acme.test"], purpose: LEGAL });
    expect(none.data!.auditLog.totalCount).toBe(0);
    const past = await t.gql(LOG, { f: { ...f, before: future, after: "2020-01-01T00:00:00Z" } }, { token: tokens["owner@acme.test"], purpose: LEGAL });
    expect(past.data!.auditLog.totalCount).toBe(2);
  });

  it("refuses a malformed actor id and an empty time range with a coded error", async () => {
    const bad = await t.gql(LOG, { f: { actorId: "nope" } }, { token: tokens["owner@acme.test"], purpose: LEGAL });
    expect(bad.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    const range = await t.gql(
      LOG,
      { f: { after: "2026-01-02T00:00:00Z", before: "2026-01-01T00:00:00Z" } },
      { token: tokens["owner@acme.test"], purpose: LEGAL },
    );
    expect(range.errors![0].extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("verifyAuditLog", () => {
  it("owner, dpo and auditor verify their own workspace's chain", async () => {
    for (const who of ["owner@acme.test", "dpo@acme.test", "auditor@acme.test", "owner@globex.test"]) {
      const res = await t.gql(VERIFY, {}, { token: tokens[who], purpose: LEGAL });
      expect(res.errors, who).toBeUndefined();
      expect(res.data!.verifyAuditLog).toMatchObject({ ok: true, brokenAt: null, reason: null });
      expect(res.data!.verifyAuditLog.entries).toBeGreaterThan(0);
    }
    expect((await verify("owner@acme.test")).entries).not.toBe((await verify("owner@globex.test")).entries);
  });

  it("sales, marketing and support are refused", async () => {
    for (const who of ["sales@acme.test", "marketing@acme.test", "support@acme.test"]) {
      const res = await t.gql(VERIFY, {}, { token: tokens[who] });
      expect(res.errors?.[0].extensions.code, who).toBe("FORBIDDEN");
      expect(res.data?.verifyAuditLog ?? null).toBeNull();
    }
    expect((await t.gql(VERIFY, {})).errors![0].extensions.code).toBe("UNAUTHENTICATED");
  });

  it("editing one row in SQL breaks the chain at that row, and restoring it mends it", async () => {
    const d = db(t);
    const [, target] = await newestSeq(acme);
    const [original] = await d.select().from(auditLog).where(eq(auditLog.seq, target));
    await tamper(d, sql`update audit_log set reason = 'nothing to see' where seq = ${target}`);
    const res = await verify("dpo@acme.test");
    expect(res).toMatchObject({ ok: false, brokenAt: String(target) });
    expect(res.reason).toContain("changed");
    const cli = await verifyAuditChains(d);
    expect(cli.ok).toBe(false);
    expect(cli.chains.find((c) => c.workspaceId === acme)).toMatchObject({ ok: false, brokenAt: target });
    expect(cli.chains.find((c) => c.workspaceId === globex)).toMatchObject({ ok: true });
    // Globex's chain is not Acme's: it still verifies.
    expect((await verify("owner@globex.test")).ok).toBe(true);
    await tamper(d, sql`update audit_log set reason = ${original.reason} where seq = ${target}`);
    expect((await verify("dpo@acme.test")).ok).toBe(true);
  });

  it("a deleted row breaks the chain at the entry after it", async () => {
    const d = db(t);
    const [newest, target] = await newestSeq(acme);
    const [original] = await d.select().from(auditLog).where(eq(auditLog.seq, target));
    await tamper(d, sql`delete from audit_log where seq = ${target}`);
    const res = await verify("auditor@acme.test");
    expect(res).toMatchObject({ ok: false, brokenAt: String(newest) });
    expect(res.reason).toContain("deleted");
    await d.transaction(async (tx) => {
      await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'on', true)`);
      await tx.insert(auditLog).values(original);
    });
    expect((await verify("auditor@acme.test")).ok).toBe(true);
  });

  it("a row inserted in SQL breaks the chain at that row", async () => {
    const d = db(t);
    const [head] = await d.select().from(auditLog).where(eq(auditLog.workspaceId, acme)).orderBy(desc(auditLog.seq)).limit(1);
    // A forged entry that even carries the right prev_hash, but no valid hash.
    const [forged] = await d
      .insert(auditLog)
      .values({ ...entry(acme), workspaceId: acme, prevHash: head.hash, hash: "0".repeat(64) })
      .returning({ seq: auditLog.seq });
    const res = await verify("owner@acme.test");
    expect(res).toMatchObject({ ok: false, brokenAt: String(forged.seq) });
    const [noHash] = await d
      .insert(auditLog)
      .values({ ...entry(globex), workspaceId: globex })
      .returning({ seq: auditLog.seq });
    expect(await verifyAuditChain(d, globex)).toMatchObject({ ok: false, brokenAt: noHash.seq });
    await tamper(d, sql`delete from audit_log where seq in (${forged.seq}, ${noHash.seq})`);
    expect((await verify("owner@acme.test")).ok).toBe(true);
    expect((await verify("owner@globex.test")).ok).toBe(true);
  });

  it("concurrent appends keep one valid chain per workspace", async () => {
    const d = db(t);
    const before = (await verifyAuditChain(d, acme)).entries;
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => appendAuditEntry(d, entry(i % 3 === 0 ? null : i % 3 === 1 ? acme : globex, { subjectId: String(i) }))),
    );
    const chains = await verifyAuditChains(d);
    expect(chains.ok, JSON.stringify(chains.chains.filter((c) => !c.ok))).toBe(true);
    expect((await verifyAuditChain(d, acme)).entries).toBe(before + 8);
    // Each entry's prev_hash is the hash of the one before it, so no two share a predecessor.
    const rows = await d.select({ prev: auditLog.prevHash }).from(auditLog).where(eq(auditLog.workspaceId, acme));
    const prevs = rows.map((r) => r.prev).filter((p) => p !== null);
    expect(new Set(prevs).size).toBe(prevs.length);
  });
});

describe("checkpoints", () => {
  it("truncateAuditBefore removes old entries, writes a checkpoint, and verification starts there", async () => {
    const d = db(t);
    const rows = await d.select().from(auditLog).where(eq(auditLog.workspaceId, globex)).orderBy(asc(auditLog.seq));
    expect(rows.length).toBeGreaterThan(3);
    const cut = rows[2].seq;
    const { removed, checkpoint } = await truncateAuditBefore(d, globex, cut);
    expect(removed).toBe(2);
    expect(checkpoint).toEqual({ removedThroughSeq: rows[1].seq, lastRemovedHash: rows[1].hash, removed: 2 });
    const res = await verify("owner@globex.test");
    expect(res).toMatchObject({ ok: true, checkedFrom: String(cut) });
    const [cp] = await d
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, globex), eq(auditLog.action, "audit_checkpoint")));
    expect(cp.detail).toEqual(checkpoint);
    // Removing more old entries by hand (not through a checkpoint) is caught at the new first entry.
    await tamper(d, sql`delete from audit_log where seq = ${cut}`);
    const broken = await verify("owner@globex.test");
    expect(broken).toMatchObject({ ok: false, brokenAt: String(rows[3].seq) });
    expect(broken.reason).toContain("checkpoint");
    // Acme's chain is untouched.
    expect((await verify("owner@acme.test")).ok).toBe(true);
  });
});

describe("npm run audit:verify", () => {
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/bin/audit-verify.ts", ...args], {
      encoding: "utf8",
      env: { ...process.env, LOG_LEVEL: "silent", DATABASE_URL: "", ...env },
      timeout: 90_000,
    });

  it("exits 2 on a bad workspace id", () => {
    const res = run(["--workspace", "nope"], { DATA_DIR: "memory://" });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("--workspace");
  });

  it("exits 0 on an intact log and 1 naming the changed entry", async () => {
    const dir = mkdtempSync(join(tmpdir(), "audit-verify-"));
    try {
      const database = await openPglite(dir);
      await migrate(database);
      const d = database.handle();
      const ws = "00000000-0000-4000-8000-000000000001";
      for (let i = 0; i < 3; i++) await appendAuditEntry(d, entry(ws, { subjectId: String(i) }));
      await appendAuditEntry(d, entry(null));
      const [middle] = await d
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, ws), eq(auditLog.subjectId, "1")));
      await database.close();
      const ok = run([], { DATA_DIR: dir });
      expect(ok.status, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });

      const again = await openPglite(dir);
      await tamper(again.handle(), sql`update audit_log set detail = '{"a": 2}' where seq = ${middle.seq}`);
      await again.close();
      const broken = run(["--workspace", ws], { DATA_DIR: dir });
      expect(broken.status).toBe(1);
      expect(JSON.parse(broken.stdout).chains[0]).toMatchObject({ ok: false, brokenAt: middle.seq });
      expect(broken.stderr).toContain(`broken at entry ${middle.seq}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
