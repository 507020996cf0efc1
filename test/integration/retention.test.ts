// Retention as policy (issue 10): policies/retention.yaml's periods applied by the retention job.
// A dry run reports without deleting; the real run deletes exactly what is due, keeps what a
// legal hold covers (and says so), audits the counts, and resumes once the hold is released.
import { randomUUID } from "node:crypto";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditLog,
  consentEvents,
  contactPrivacyEvents,
  contacts,
  interactions,
  legalHolds,
  privacyRequests,
  rateLimits,
  sessions,
  usageEvents,
  workspaces,
} from "../../src/db/schema/index.js";
import { runRetention, type RetentionReport } from "../../src/modules/retention/retention.service.js";
import { main as retentionMain } from "../../src/bin/retention.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { runInProcess } from "../helpers/cli.js";
import { db, userId, workspaceId } from "../helpers/fixtures.js";

const DAY = 86_400_000;
const YEAR = 365 * DAY;

let t: TestApp;
let acme: string;
const ago = (ms: number) => new Date(Date.now() - ms);

// Fixtures, by what should happen to them.
const gone = { due: randomUUID(), held: randomUUID(), recent: randomUUID() };
let living: string;
let withdrawnLong: string;
let withdrawnRecently: string;
let heldHoldId: string;
const ids = { dueMarketing: [] as string[], keptMarketing: [] as string[], oldNote: "", newNote: "", supportNote: "" };
let liveSession: string;
let expiredSession: string;

async function contact(firstName: string): Promise<string> {
  const [row] = await db(t).insert(contacts).values({ workspaceId: acme, firstName, lastName: "Retention" }).returning({ id: contacts.id });
  return row.id;
}

function consent(contactId: string, state: "granted" | "withdrawn", at: Date) {
  return { workspaceId: acme, contactId, purpose: "marketing_email", channel: "email", state, source: "form", createdAt: at };
}

async function note(contactId: string, purpose: string, at: Date): Promise<string> {
  const [row] = await db(t)
    .insert(interactions)
    .values({
      workspaceId: acme,
      contactId,
      kind: purpose === "marketing_email" ? "email" : "note",
      purpose,
      subject: "x",
      occurredAt: at,
      createdAt: at,
      updatedAt: at,
    })
    .returning({ id: interactions.id });
  return row.id;
}

const count = async (table: PgTable, where: SQL | undefined) => Number((await db(t).select({ n: sql<number>`count(*)` }).from(table).where(where))[0].n);

beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  const d = db(t);
  // Ledgers of people no longer in the CRM: six years old (due), six years old but held, four years old (kept).
  await d
    .insert(consentEvents)
    .values([
      { ...consent(gone.due, "granted", ago(7 * YEAR)) },
      { ...consent(gone.due, "withdrawn", ago(6 * YEAR)) },
      { ...consent(gone.held, "granted", ago(6 * YEAR)) },
      { ...consent(gone.recent, "granted", ago(4 * YEAR)) },
    ]);
  await d.insert(contactPrivacyEvents).values([
    { workspaceId: acme, contactId: gone.due, kind: "objected", purpose: "analytics", createdAt: ago(6 * YEAR) },
    { workspaceId: acme, contactId: gone.recent, kind: "objected", purpose: "analytics", createdAt: ago(6 * YEAR) },
  ]);
  const [hold] = await d
    .insert(legalHolds)
    .values({ workspaceId: acme, contactId: gone.held, reason: "Proof needed in a pending claim" })
    .returning({ id: legalHolds.id });
  heldHoldId = hold.id;
  // A person still in the CRM keeps their old proof.
  living = await contact("Living");
  await d.insert(consentEvents).values(consent(living, "granted", ago(6 * YEAR)));
  // Marketing messages: consent withdrawn 40 days ago (due after the 30-day grace), 10 days ago (kept).
  withdrawnLong = await contact("WithdrawnLong");
  withdrawnRecently = await contact("WithdrawnRecently");
  await d
    .insert(consentEvents)
    .values([
      consent(withdrawnLong, "granted", ago(100 * DAY)),
      consent(withdrawnLong, "withdrawn", ago(40 * DAY)),
      consent(withdrawnRecently, "granted", ago(100 * DAY)),
      consent(withdrawnRecently, "withdrawn", ago(10 * DAY)),
    ]);
  ids.dueMarketing.push(await note(withdrawnLong, "marketing_email", ago(90 * DAY)), await note(withdrawnLong, "marketing_email", ago(60 * DAY)));
  ids.supportNote = await note(withdrawnLong, "customer_support", ago(60 * DAY));
  ids.keptMarketing.push(await note(withdrawnRecently, "marketing_email", ago(60 * DAY)));
  // Notes kept for legal compliance: six years old (due), one year old (kept).
  ids.oldNote = await note(living, "legal_compliance", ago(6 * YEAR));
  ids.newNote = await note(living, "legal_compliance", ago(YEAR));
  // Sessions and rate-limit windows.
  const owner = await userId(t, "owner@acme.test");
  const [live, expired] = await d
    .insert(sessions)
    .values([
      { workspaceId: acme, userId: owner, tokenHash: `live-${randomUUID()}`, expiresAt: new Date(Date.now() + DAY) },
      { workspaceId: acme, userId: owner, tokenHash: `expired-${randomUUID()}`, expiresAt: ago(DAY) },
    ])
    .returning({ id: sessions.id });
  liveSession = live.id;
  expiredSession = expired.id;
  await d.insert(rateLimits).values([
    { key: "retention-test:old", windowStart: ago(3 * DAY) },
    { key: "retention-test:new", windowStart: ago(60_000) },
  ]);
});
afterAll(() => t.close());

function sweepOf(report: RetentionReport, entry: string, data: RegExp) {
  const found = report.entries.find((e) => e.id === entry)?.sweeps.find((s) => data.test(s.data));
  if (!found) throw new Error(`no sweep ${data} in ${entry}`);
  return found;
}

describe("the retention job", () => {
  it("a dry run reports what is due, and what a hold keeps, and deletes nothing", async () => {
    const before = await count(consentEvents, sql`true`);
    const report = await runRetention(db(t), t.app.policies, { now: new Date(), dryRun: true, batchSize: 2 });
    expect(report.dryRun).toBe(true);
    const ledger = sweepOf(report, "legal_limitation_period", /consent ledger/);
    expect(ledger).toMatchObject({ due: 3, held: 1, deleted: 0 });
    expect(sweepOf(report, "legal_limitation_period", /restriction/)).toMatchObject({ due: 1, held: 0, deleted: 0 });
    expect(sweepOf(report, "legal_limitation_period", /legal_compliance/)).toMatchObject({ due: 1, deleted: 0 });
    expect(sweepOf(report, "until_consent_withdrawn", /withdrawn/)).toMatchObject({ due: 2, deleted: 0 });
    expect(sweepOf(report, "expired_sessions", /sessions/).due).toBeGreaterThanOrEqual(1);
    expect(sweepOf(report, "rate_limit_windows", /rate-limit/).due).toBeGreaterThanOrEqual(1);
    const entry = report.entries.find((e) => e.id === "usage_logs_12_months")!;
    expect(entry).toMatchObject({ trigger: "recorded", period: "P12M" });
    expect(await count(consentEvents, sql`true`)).toBe(before);
    expect(await count(sessions, eq(sessions.id, expiredSession))).toBe(1);
  });

  it("the real run deletes exactly what is due, in batches, except what is held, and audits the counts", async () => {
    const report = await runRetention(db(t), t.app.policies, { now: new Date(), dryRun: false, batchSize: 2 });
    expect(sweepOf(report, "legal_limitation_period", /consent ledger/)).toMatchObject({ due: 3, held: 1, deleted: 2 });
    expect(await count(consentEvents, eq(consentEvents.contactId, gone.due))).toBe(0);
    expect(await count(contactPrivacyEvents, eq(contactPrivacyEvents.contactId, gone.due))).toBe(0);
    expect(await count(consentEvents, eq(consentEvents.contactId, gone.held))).toBe(1);
    expect(await count(consentEvents, eq(consentEvents.contactId, gone.recent))).toBe(1);
    expect(await count(contactPrivacyEvents, eq(contactPrivacyEvents.contactId, gone.recent))).toBe(1);
    expect(await count(consentEvents, eq(consentEvents.contactId, living))).toBe(1);
    expect(await count(interactions, inArray(interactions.id, ids.dueMarketing))).toBe(0);
    expect(await count(interactions, inArray(interactions.id, [...ids.keptMarketing, ids.supportNote, ids.newNote]))).toBe(3);
    expect(await count(interactions, eq(interactions.id, ids.oldNote))).toBe(0);
    expect(await count(sessions, eq(sessions.id, expiredSession))).toBe(0);
    expect(await count(sessions, eq(sessions.id, liveSession))).toBe(1);
    expect(await count(rateLimits, eq(rateLimits.key, "retention-test:old"))).toBe(0);
    expect(await count(rateLimits, eq(rateLimits.key, "retention-test:new"))).toBe(1);
    const audited = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "retention_delete"), eq(auditLog.workspaceId, acme), eq(auditLog.subject, "ConsentEvent")));
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actorId: null, actorRole: "system", rule: "retention.legal_limitation_period" });
    expect(audited[0].detail).toMatchObject({ deleted: 2, held: 1, period: "P5Y" });
    // The entry carries counts, never the rows' contents.
    expect(JSON.stringify(audited[0])).not.toContain(gone.due);
  });

  it("a run with nothing due deletes nothing more; a released hold lets the next run delete", async () => {
    const quiet = await runRetention(db(t), t.app.policies, { now: new Date(), dryRun: false, batchSize: 100 });
    expect(sweepOf(quiet, "legal_limitation_period", /consent ledger/)).toMatchObject({ due: 1, held: 1, deleted: 0 });
    await db(t).update(legalHolds).set({ releasedAt: new Date(), releaseReason: "Claim settled" }).where(eq(legalHolds.id, heldHoldId));
    const resumed = await runRetention(db(t), t.app.policies, { now: new Date(), dryRun: false, batchSize: 100 });
    expect(sweepOf(resumed, "legal_limitation_period", /consent ledger/)).toMatchObject({ due: 1, held: 0, deleted: 1 });
    expect(await count(consentEvents, eq(consentEvents.contactId, gone.held))).toBe(0);
  });

  it("the clock is the `now` it is given: the four-year-old proof is due three years later", async () => {
    const later = new Date(Date.now() + 3 * YEAR);
    const report = await runRetention(db(t), t.app.policies, { now: later, dryRun: true, batchSize: 100 });
    expect(sweepOf(report, "legal_limitation_period", /consent ledger/).due).toBe(1);
    expect(report.entries.find((e) => e.id === "legal_limitation_period")!.cutoff).toBe(
      new Date(later.getTime()).toISOString().replace(/^(\d{4})/, (y) => String(Number(y) - 5)),
    );
  });

  it("only one run at a time: a second run while one holds the advisory lock does nothing", async () => {
    const [a, b] = await Promise.all([t.app.retention.runOnce(), t.app.retention.runOnce()]);
    expect([a, b].filter((r) => r === undefined)).toHaveLength(1);
    expect(await t.app.retention.runOnce()).toBeDefined();
  });
});

describe("usage logs: twelve months (privacy policy sections 2.2 and 8)", () => {
  const MONTH = 30 * DAY;
  const events = { acmeOld: [] as string[], acmeRecent: "", globexHeld: "" };
  let globexHold: string;

  beforeAll(async () => {
    const d = db(t);
    const globex = await workspaceId(t, "Globex");
    const sam = await userId(t, "sales@acme.test");
    const hank = await userId(t, "owner@globex.test");
    const rows = await d
      .insert(usageEvents)
      .values([
        { workspaceId: acme, userId: sam, kind: "page_view", occurredAt: ago(13 * MONTH), detail: { path: "/contacts" } },
        { workspaceId: acme, userId: sam, kind: "login", occurredAt: ago(14 * MONTH), durationSeconds: 600 },
        { workspaceId: acme, userId: sam, kind: "feature", occurredAt: ago(11 * MONTH), detail: { feature: "contacts.export" } },
        { workspaceId: globex, userId: hank, kind: "page_view", occurredAt: ago(13 * MONTH), detail: { path: "/deals" } },
      ])
      .returning({ id: usageEvents.id });
    events.acmeOld = [rows[0].id, rows[1].id];
    events.acmeRecent = rows[2].id;
    events.globexHeld = rows[3].id;
    const [hold] = await d.insert(legalHolds).values({ workspaceId: globex, reason: "Authority investigation of Globex" }).returning({ id: legalHolds.id });
    globexHold = hold.id;
  });

  it("the dry run lists the events thirteen months old without deleting; the real run deletes exactly those, except under a hold", async () => {
    const dry = await runRetention(db(t), t.app.policies, { now: new Date(), dryRun: true, batchSize: 1 });
    expect(sweepOf(dry, "usage_logs_12_months", /usage events/)).toMatchObject({ due: 3, held: 1, deleted: 0 });
    expect(await count(usageEvents, inArray(usageEvents.id, [...events.acmeOld, events.acmeRecent, events.globexHeld]))).toBe(4);

    const real = await runRetention(db(t), t.app.policies, { now: new Date(), dryRun: false, batchSize: 1 });
    expect(sweepOf(real, "usage_logs_12_months", /usage events/)).toMatchObject({ due: 3, held: 1, deleted: 2 });
    expect(await count(usageEvents, inArray(usageEvents.id, events.acmeOld))).toBe(0);
    expect(await count(usageEvents, eq(usageEvents.id, events.acmeRecent))).toBe(1);
    expect(await count(usageEvents, eq(usageEvents.id, events.globexHeld))).toBe(1);

    await db(t).update(legalHolds).set({ releasedAt: new Date(), releaseReason: "Investigation closed" }).where(eq(legalHolds.id, globexHold));
    const resumed = await runRetention(db(t), t.app.policies, { now: new Date(), dryRun: false, batchSize: 10 });
    expect(sweepOf(resumed, "usage_logs_12_months", /usage events/)).toMatchObject({ due: 1, held: 0, deleted: 1 });
    expect(await count(usageEvents, eq(usageEvents.id, events.globexHeld))).toBe(0);
  });
});

describe("processingPurposes shows each purpose's retention in full", () => {
  it("from policies/retention.yaml", async () => {
    const res = await t.gql(`{ processingPurposes { id retention retentionPeriod { id period trigger name } } }`);
    const analytics = res.data!.processingPurposes.find((p: { id: string }) => p.id === "analytics");
    expect(analytics).toMatchObject({
      retention: "usage_logs_12_months",
      retentionPeriod: { id: "usage_logs_12_months", period: "P12M", trigger: "RECORDED" },
    });
  });
});

describe("npm run retention", () => {
  // In-process (main() on this file's database): spawning tsx three times took most of a minute.
  it("prints the dry-run report as JSON on a database, and refuses bad arguments with exit 2", async () => {
    const dry = await runInProcess(retentionMain, ["--dry-run", "--now", "2030-01-01T00:00:00Z"], t);
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout) as RetentionReport;
    expect(report).toMatchObject({ now: "2030-01-01T00:00:00.000Z", dryRun: true });
    expect(report.entries.map((e) => e.id)).toEqual(expect.arrayContaining(["usage_logs_12_months", "account_lifetime_plus_6_months", "audit_log_6_years"]));
    const bad = await runInProcess(retentionMain, ["--now", "yesterday"], t);
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toContain("--now must be an ISO 8601 time");
    const unknown = await runInProcess(retentionMain, ["--force"], t);
    expect(unknown.code).toBe(2);
    const help = await runInProcess(retentionMain, ["--help"], t);
    expect(help.stdout).toContain("--dry-run");
  });
});

describe("answered privacy requests: five years after their last step", () => {
  it("deletes a request answered six years ago, keeps one answered four years ago and every open one", async () => {
    const d = db(t);
    const person = await contact("Requester");
    const at = (years: number) => ago(years * YEAR);
    const [old, recent, open] = await d
      .insert(privacyRequests)
      .values([
        { workspaceId: acme, contactId: person, type: "access", status: "completed", receivedAt: at(6.1), dueAt: at(6), completedAt: at(6), updatedAt: at(6) },
        { workspaceId: acme, contactId: person, type: "access", status: "completed", receivedAt: at(4.1), dueAt: at(4), completedAt: at(4), updatedAt: at(4) },
        { workspaceId: acme, contactId: person, type: "erasure", status: "received", receivedAt: at(6.1), dueAt: at(6), updatedAt: at(6) },
      ])
      .returning({ id: privacyRequests.id });
    const report = await runRetention(d, t.app.policies, { now: new Date(), dryRun: false, batchSize: 10 });
    expect(sweepOf(report, "legal_limitation_period", /privacy requests/)).toMatchObject({ due: 1, deleted: 1 });
    expect(await count(privacyRequests, eq(privacyRequests.id, old.id))).toBe(0);
    expect(await count(privacyRequests, inArray(privacyRequests.id, [recent.id, open.id]))).toBe(2);
  });
});

describe("cancelled workspaces: purged six months after cancellation, unless held", () => {
  it("a hold on any of the workspace's data keeps it from the purge, and the report says so; released, the next run purges it", async () => {
    const d = db(t);
    const globex = await workspaceId(t, "Globex");
    const sevenMonthsAgo = new Date(Date.now() - 7 * 31 * DAY);
    await d.update(workspaces).set({ subscriptionStatus: "cancelled", cancelledAt: sevenMonthsAgo }).where(eq(workspaces.id, globex));
    const [hold] = await d.insert(legalHolds).values({ workspaceId: globex, contactId: randomUUID(), reason: "Claim about one Globex contact" }).returning();
    const held = await runRetention(d, t.app.policies, { now: new Date(), dryRun: false, batchSize: 100 });
    expect(sweepOf(held, "account_lifetime_plus_6_months", /workspaces/)).toMatchObject({ due: 1, held: 1, deleted: 0 });
    expect((await d.select().from(workspaces).where(eq(workspaces.id, globex)))[0].subscriptionStatus).toBe("cancelled");

    await d.update(legalHolds).set({ releasedAt: new Date() }).where(eq(legalHolds.id, hold.id));
    const dry = await runRetention(d, t.app.policies, { now: new Date(), dryRun: true, batchSize: 100 });
    expect(sweepOf(dry, "account_lifetime_plus_6_months", /workspaces/)).toMatchObject({ due: 1, held: 0, deleted: 0 });
    const purged = await runRetention(d, t.app.policies, { now: new Date(), dryRun: false, batchSize: 100 });
    expect(sweepOf(purged, "account_lifetime_plus_6_months", /workspaces/)).toMatchObject({ due: 1, deleted: 1 });
    expect((await d.select().from(workspaces).where(eq(workspaces.id, globex)))[0].subscriptionStatus).toBe("purged");
    const login = await t.gql(`mutation { login(email: "owner@globex.test", password: "alpha-demo") { token } }`);
    expect(login.errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
  });
});
