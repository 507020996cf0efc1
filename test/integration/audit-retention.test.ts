import { and, asc, eq, gte, lt } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChains } from "../../src/authz/audit-chain.js";
import { auditLog, legalHolds } from "../../src/db/schema/index.js";
import { runRetention } from "../../src/modules/retention/retention.service.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

// policies/retention.yaml audit_log_6_years: the retention job removes audit entries six years
// after they were recorded through truncateAuditBefore, so each chain keeps a checkpoint and
// audit:verify still passes.
let t: TestApp;
let acme: string;
let globex: string;
beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  globex = await workspaceId(t, "Globex");
});
afterAll(() => t.close());

const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`;
const sixYearsAfter = (at: Date) => {
  const later = new Date(at);
  later.setUTCFullYear(later.getUTCFullYear() + 6);
  return later;
};
const entriesOf = (ws: string) => db(t).select().from(auditLog).where(eq(auditLog.workspaceId, ws)).orderBy(asc(auditLog.seq));
const entry = (report: Awaited<ReturnType<typeof runRetention>>) => report.entries.find((e) => e.id === "audit_log_6_years")!;

describe("retention audit_log_6_years", () => {
  it("removes entries older than six years, writes a checkpoint per chain, verification passes; a held workspace keeps its entries", async () => {
    // Old entries (a failed and a good sign-in in each workspace), then a boundary, then newer ones.
    for (const e of ["owner@acme.test", "owner@globex.test"]) {
      await t.gql(LOGIN, { e, p: "wrong password here" });
      await t.gql(LOGIN, { e, p: "alpha-demo" });
    }
    await new Promise((r) => setTimeout(r, 30));
    const boundary = new Date();
    await new Promise((r) => setTimeout(r, 30));
    await t.gql(LOGIN, { e: "owner@acme.test", p: "wrong password again" });
    const acmeBefore = await entriesOf(acme);
    const old = acmeBefore.filter((r) => r.createdAt < boundary);
    const recent = acmeBefore.filter((r) => r.createdAt >= boundary);
    expect(old.length).toBeGreaterThanOrEqual(2);
    expect(recent.length).toBeGreaterThanOrEqual(1);
    await db(t).insert(legalHolds).values({ workspaceId: globex, reason: "litigation" });
    const globexBefore = await entriesOf(globex);
    const now = sixYearsAfter(boundary);

    const dry = entry(await runRetention(db(t), t.app.policies, { now, dryRun: true, batchSize: 100 }));
    expect(dry.period).toBe("P6Y");
    expect(dry.cutoff).toBe(boundary.toISOString());
    expect(dry.sweeps[0].deleted).toBe(0);
    expect(dry.sweeps[0].held).toBe(globexBefore.filter((r) => r.createdAt < boundary).length);
    expect(await entriesOf(acme)).toHaveLength(acmeBefore.length);

    const run = entry(await runRetention(db(t), t.app.policies, { now, dryRun: false, batchSize: 100 }));
    expect(run.sweeps[0].byWorkspace[acme]).toEqual({ deleted: old.length, held: 0 });
    expect(run.sweeps[0].byWorkspace[globex]).toMatchObject({ deleted: 0 });

    // Old Acme entries are gone, the newer ones stay; a checkpoint holds the last removed hash.
    expect(
      await db(t)
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, acme), lt(auditLog.createdAt, boundary))),
    ).toHaveLength(0);
    const kept = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, acme), gte(auditLog.createdAt, boundary)));
    expect(kept.map((r) => r.seq)).toEqual(expect.arrayContaining(recent.map((r) => r.seq)));
    const [checkpoint] = kept.filter((r) => r.action === "audit_checkpoint");
    expect(checkpoint.detail).toEqual({ removedThroughSeq: old.at(-1)!.seq, lastRemovedHash: old.at(-1)!.hash, removed: old.length });
    expect(checkpoint.reason).toContain("audit_log_6_years");
    // The held workspace's entries are all there.
    const globexAfter = await entriesOf(globex);
    expect(globexAfter.slice(0, globexBefore.length).map((r) => r.seq)).toEqual(globexBefore.map((r) => r.seq));

    const verified = await verifyAuditChains(db(t));
    expect(verified.ok).toBe(true);
    expect(verified.chains.find((c) => c.workspaceId === acme)).toMatchObject({ ok: true });

    // A second run finds nothing more to remove and the chain still verifies.
    const again = entry(await runRetention(db(t), t.app.policies, { now, dryRun: false, batchSize: 100 }));
    expect(again.sweeps[0].byWorkspace[acme]).toBeUndefined();
    expect((await verifyAuditChains(db(t))).ok).toBe(true);
  });
});
