// Retention of what the rights machinery itself keeps (issue 9): privacy events delivered to
// recipients go 30 days after delivery, dead-lettered ones 90 days after the last attempt, and
// the erasure journal drops lines older than the backup retention window (BACKUP_RETENTION_DAYS
// + a week) - a restore can only bring back data from backups that still exist - while replay
// after a compaction still erases everyone erased within the window.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, contacts, outboxEvents, webhookAttempts, webhookDeliveries } from "../../src/db/schema/index.js";
import { CursorCodec } from "../../src/modules/common/cursor.js";
import { systemScope } from "../../src/modules/common/scope.js";
import { compactJournal, ErasureJournal } from "../../src/modules/erasure/erasure.journal.js";
import { erasureService } from "../../src/modules/erasure/erasure.service.js";
import { JOURNAL_MARGIN_DAYS, journalCutoff, runRetention, type RetentionReport } from "../../src/modules/retention/retention.service.js";
import { deliverDue } from "../../src/modules/webhooks/outbox.service.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, workspaceId } from "../helpers/fixtures.js";

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), "alpha-retention-rights-"));
const journalPath = join(dir, "erasure-journal.ndjson");
let t: TestApp;
let receiver: Server;
let url: string;
let status = 200;

const sweepOf = (report: RetentionReport, id: string) => report.entries.find((e) => e.id === id)!.sweeps[0];
const retention = (now: Date, extra: { dryRun?: boolean; backupRetentionDays?: number } = {}) =>
  runRetention(db(t), t.app.policies, {
    now,
    dryRun: extra.dryRun ?? false,
    batchSize: 100,
    erasureJournalPath: journalPath,
    backupRetentionDays: extra.backupRetentionDays,
  });

beforeAll(async () => {
  t = await startTestApp({ ERASURE_JOURNAL_PATH: journalPath, OUTBOX_INTERVAL_SECONDS: "0" });
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(status).end());
  });
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await t?.close();
  await new Promise((done) => receiver.close(done));
});

describe("policies/retention.yaml", () => {
  it("declares the three entries with their periods, and the server started with a sweep for each", () => {
    const periods = Object.fromEntries([...t.app.policies.retention.values()].map((r) => [r.id, r.period]));
    expect(periods).toMatchObject({ delivered_webhook_events: "P30D", dead_lettered_webhook_events: "P90D", erasure_journal_backup_window: "P42D" });
  });
});

describe("outbox events", () => {
  let delivered: string;
  let dead: string;
  let pending: string;

  async function withdrawal(email: string): Promise<string> {
    const id = await contactIdByEmail(t, email);
    const res = await t.gql(
      `mutation($c: ID!) { withdrawConsent(contactId: $c, purpose: "marketing_email") { id } }`,
      { c: id },
      { token: await t.login("owner@acme.test") },
    );
    expect(res.errors).toBeUndefined();
    const [event] = await db(t).select().from(outboxEvents).where(eq(outboxEvents.contactId, id));
    return event.id;
  }

  beforeAll(async () => {
    const owner = await t.login("owner@acme.test");
    const hook = await t.gql(
      `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`,
      { input: { url, events: ["CONSENT_WITHDRAWN"] } },
      { token: owner },
    );
    expect(hook.errors).toBeUndefined();
    delivered = await withdrawal("bruno.bernard@initech.test");
    expect((await deliverDue(db(t), new Date())).delivered).toBe(1);
    status = 500;
    dead = await withdrawal("hugo.durand@vandelay.test");
    expect((await deliverDue(db(t), new Date())).failed).toBe(1);
    // Eight failed attempts make a delivery dead; the backoff is not what is tested here.
    await db(t).update(webhookDeliveries).set({ state: "dead", deadAt: new Date() }).where(eq(webhookDeliveries.eventId, dead));
    pending = await withdrawal("jules.moreau@example.test");
    status = 200;
  });

  const present = async () =>
    (
      await db(t)
        .select({ id: outboxEvents.id })
        .from(outboxEvents)
        .where(inArray(outboxEvents.id, [delivered, dead, pending]))
    )
      .map((e) => e.id)
      .sort();

  it("keeps a delivered event 30 days after its delivery and a dead-lettered one 90 days after its last attempt; a pending one is never due", async () => {
    const at = (days: number) => new Date(Date.now() + days * DAY);
    const early = await retention(at(29));
    expect(sweepOf(early, "delivered_webhook_events").deleted).toBe(0);
    expect(await present()).toEqual([delivered, dead, pending].sort());

    const dry = await retention(at(31), { dryRun: true });
    expect(sweepOf(dry, "delivered_webhook_events")).toMatchObject({ due: 1, deleted: 0 });
    expect(await present()).toHaveLength(3);

    const month = await retention(at(31));
    expect(sweepOf(month, "delivered_webhook_events")).toMatchObject({ due: 1, deleted: 1 });
    expect(sweepOf(month, "dead_lettered_webhook_events").deleted).toBe(0);
    expect(await present()).toEqual([dead, pending].sort());
    // Its deliveries and delivery log went with it.
    expect(await db(t).select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, delivered))).toEqual([]);

    const quarter = await retention(at(91));
    expect(sweepOf(quarter, "dead_lettered_webhook_events")).toMatchObject({ due: 1, deleted: 1 });
    expect(await present()).toEqual([pending]);
    const attempts = await db(t).select({ id: webhookAttempts.id }).from(webhookAttempts);
    expect(attempts).toEqual([]);

    const later = await retention(at(400));
    expect(sweepOf(later, "delivered_webhook_events").due + sweepOf(later, "dead_lettered_webhook_events").due).toBe(0);
    expect(await present()).toEqual([pending]);
    const logged = await db(t).select().from(auditLog).where(eq(auditLog.rule, "retention.delivered_webhook_events"));
    expect(logged.length).toBeGreaterThan(0);
  });
});

describe("erasure journal compaction", () => {
  it("journalCutoff: the entry's period or BACKUP_RETENTION_DAYS + the margin, whichever keeps lines longer", () => {
    const now = new Date("2026-12-01T00:00:00Z");
    const entry = new Date(now.getTime() - 42 * DAY);
    expect(journalCutoff(entry, now, 35).toISOString()).toBe(entry.toISOString());
    expect(journalCutoff(entry, now, 90).getTime()).toBe(now.getTime() - (90 + JOURNAL_MARGIN_DAYS) * DAY);
    expect(journalCutoff(entry, now, 1).toISOString()).toBe(entry.toISOString());
  });

  it("never drops a line at or after the cutoff, always drops those before, keeps unreadable lines, and a dry run changes nothing", () => {
    const path = join(dir, "property.ndjson");
    const journal = new ErasureJournal(path, "x".repeat(32));
    const before = new Date("2026-10-20T12:00:00Z");
    const ws = randomUUID();
    const ages = [-1, 0, 1, 999, 86_400_000, 41 * DAY, 43 * DAY, 400 * DAY];
    for (const offset of ages) journal.append(journal.entryFor(ws, randomUUID(), "p@x.test", null, new Date(before.getTime() + offset)));
    for (const offset of ages) journal.append(journal.entryFor(ws, randomUUID(), null, "+33600000000", new Date(before.getTime() - offset)));
    writeFileSync(path, `${readFileSync(path, "utf8")}{"torn line\n`);
    const text = readFileSync(path, "utf8");
    expect(compactJournal(path, before, true)).toEqual({ kept: 9, dropped: 7, unreadable: 1 });
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(journal.compact(before)).toEqual({ kept: 9, dropped: 7, unreadable: 1 });
    const { entries, unreadable } = journal.read();
    expect(unreadable).toBe(1);
    expect(entries).toHaveLength(9);
    for (const e of entries) expect(Date.parse(e.erasedAt)).toBeGreaterThanOrEqual(before.getTime());
    expect(existsSync(`${path}.compacting`)).toBe(false);
  });

  it("a compaction a crash interrupted is read by replay and finished by the next one", () => {
    const path = join(dir, "crash.ndjson");
    const journal = new ErasureJournal(path, "x".repeat(32));
    const ws = randomUUID();
    const old = journal.entryFor(ws, randomUUID(), "old@x.test", null, new Date("2020-01-01T00:00:00Z"));
    const recent = journal.entryFor(ws, randomUUID(), "new@x.test", null, new Date());
    writeFileSync(`${path}.compacting`, `${JSON.stringify(old)}\n${JSON.stringify(recent)}\n`);
    const fresh = journal.entryFor(ws, randomUUID(), "fresh@x.test", null, new Date());
    journal.append(fresh);
    expect(
      journal
        .read()
        .entries.map((e) => e.contactId)
        .sort(),
    ).toEqual([old.contactId, recent.contactId, fresh.contactId].sort());
    expect(journal.compact(new Date("2025-01-01T00:00:00Z"))).toMatchObject({ kept: 1, dropped: 1 });
    expect(
      journal
        .read()
        .entries.map((e) => e.contactId)
        .sort(),
    ).toEqual([recent.contactId, fresh.contactId].sort());
    expect(existsSync(`${path}.compacting`)).toBe(false);
  });

  it("the retention run drops the lines older than the window, keeps the rest, and replay still erases a person erased within it", async () => {
    const acme = await workspaceId(t, "Acme");
    const journal = t.app.erasureJournal;
    const now = new Date();
    const line = (days: number) => journal.entryFor(acme, randomUUID(), `${days}@old.test`, null, new Date(now.getTime() - days * DAY));
    for (const days of [60, 43]) journal.append(line(days));
    const within = line(41);
    journal.append(within);

    // The person erased now, and a "backup" of their row taken before.
    const dpo = await t.login("dpo@acme.test");
    const emma = await contactIdByEmail(t, "emma.robert@hooli.test");
    const [backup] = await db(t).select().from(contacts).where(eq(contacts.id, emma));
    const erased = await t.gql(`mutation($id: ID!) { eraseContact(contactId: $id) { contactId } }`, { id: emma }, { token: dpo });
    expect(erased.errors).toBeUndefined();

    const report = await retention(now);
    expect(sweepOf(report, "erasure_journal_backup_window")).toMatchObject({ due: 2, deleted: 2 });
    const left = journal.read().entries;
    expect(left.map((e) => e.contactId)).toEqual(expect.arrayContaining([within.contactId, emma]));
    expect(left.some((e) => e.emailHash === journal.hash("email", "60@old.test") || e.emailHash === journal.hash("email", "43@old.test"))).toBe(false);
    const [logged] = await db(t).select().from(auditLog).where(eq(auditLog.rule, "retention.erasure_journal_backup_window"));
    expect(logged.detail).toMatchObject({ deleted: 2 });

    // A longer backup window keeps even the 41-day line past the file's own period.
    const longer = await retention(new Date(now.getTime() + 5 * DAY), { backupRetentionDays: 60 });
    expect(sweepOf(longer, "erasure_journal_backup_window").deleted).toBe(0);
    expect(journal.read().entries.map((e) => e.contactId)).toContain(within.contactId);

    // Restore the backup: the person comes back, and the compacted journal erases them again.
    await db(t)
      .update(contacts)
      .set({ ...backup, erasedAt: null })
      .where(eq(contacts.id, emma));
    const deps = { db: db(t), policies: t.app.policies, cursors: new CursorCodec(t.app.signingSecret), settings: t.config, erasureJournal: journal };
    const replay = await erasureService.replay(journal, (ws) => systemScope(deps, ws, "legal_compliance"));
    expect(replay.erased).toEqual([{ workspaceId: acme, contactId: emma, matchedBy: "id" }]);
    const [after] = await db(t).select().from(contacts).where(eq(contacts.id, emma));
    expect(after).toMatchObject({ email: null, firstName: "", lastName: "" });
    expect(after.erasedAt).not.toBeNull();
  });
});
