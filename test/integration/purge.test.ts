import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.js";
import { auditLog, consentEvents, contactPrivacyEvents, contacts, users, workspacePurges, workspaces } from "../../src/db/schema/index.js";
import { purgeDueWorkspaces, purgeWorkspace } from "../../src/modules/workspaces/workspace.purge.js";
import { DEMO_PASSWORD, startTestApp, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

// The clock is the `now` passed to the purge; cancellations are set relative to it.
const NOW = new Date("2027-03-15T12:00:00.000Z");
const monthsBefore = (months: number) => {
  const at = new Date(NOW);
  at.setUTCMonth(at.getUTCMonth() - months);
  return at;
};

let t: TestApp;
let d: Db;
let acme: string;
let globex: string;

const cancel = (id: string, cancelledAt: Date) => d.update(workspaces).set({ subscriptionStatus: "cancelled", cancelledAt }).where(eq(workspaces.id, id));
const rows = async (table: typeof users | typeof contacts | typeof consentEvents | typeof contactPrivacyEvents, id: string) =>
  (await d.select({ n: count() }).from(table).where(eq(table.workspaceId, id)))[0].n;

beforeAll(async () => {
  t = await startTestApp();
  d = db(t);
  acme = await workspaceId(t, "Acme");
  globex = await workspaceId(t, "Globex");
  // Sign-ins leave sessions: they are account data too.
  await t.login("owner@acme.test");
  await t.login("sales@acme.test");
  await cancel(acme, monthsBefore(7));
  await cancel(globex, monthsBefore(5));
});
afterAll(() => t.close());

describe("purgeDueWorkspaces", () => {
  let dryCounts: Record<string, number>;

  it("a dry run deletes nothing and reports what would go", async () => {
    const before = { users: await rows(users, acme), contacts: await rows(contacts, acme) };
    const reports = await purgeDueWorkspaces(d, { policies: t.app.policies, now: NOW, months: 6, dryRun: true, excludeWorkspaceIds: [] });
    expect(reports.map((r) => r.workspaceId)).toEqual([acme]);
    const [report] = reports;
    expect(report).toMatchObject({ cancelledAt: monthsBefore(7), dryRun: true });
    expect(report.purgeAfter).toEqual(new Date("2027-02-15T12:00:00.000Z"));
    expect(report.counts).toMatchObject({ users: before.users, contacts: before.contacts });
    expect(report.counts.sessions).toBeGreaterThanOrEqual(2);
    for (const table of ["companies", "deals", "interactions"]) expect(report.counts[table], table).toBeGreaterThan(0);
    dryCounts = report.counts;
    expect(await rows(users, acme)).toBe(before.users);
    expect(await rows(contacts, acme)).toBe(before.contacts);
    expect((await d.select().from(workspaces).where(eq(workspaces.id, acme)))[0].subscriptionStatus).toBe("cancelled");
    expect(await d.select().from(workspacePurges)).toHaveLength(0);
  });

  it("an excluded workspace (a legal hold) is left alone", async () => {
    const reports = await purgeDueWorkspaces(d, { policies: t.app.policies, now: NOW, months: 6, dryRun: true, excludeWorkspaceIds: [acme] });
    expect(reports).toEqual([]);
  });

  it("purgeWorkspace refuses a workspace that is not due (cancelled 5 months ago): BAD_USER_INPUT, nothing changes", async () => {
    await expect(purgeWorkspace(d, globex, NOW, { policies: t.app.policies, months: 6 })).rejects.toMatchObject({ code: "bad_input" });
    expect(await rows(users, globex)).toBeGreaterThan(0);
  });

  it("purges the workspace cancelled 7 months ago, not the one cancelled 5 months ago", async () => {
    const ledgers = { consent: await rows(consentEvents, acme), privacy: await rows(contactPrivacyEvents, acme) };
    expect(ledgers.consent).toBeGreaterThan(0);
    const globexUsers = await rows(users, globex);
    const reports = await purgeDueWorkspaces(d, { policies: t.app.policies, now: NOW, months: 6, dryRun: false, excludeWorkspaceIds: [] });
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report.workspaceId).toBe(acme);
    expect(report.dryRun).toBe(false);
    expect(report.counts).toEqual(dryCounts);
    // Proof kept on its own clock (retention.yaml legal_limitation_period), and legal holds, which must outlive what they hold.
    expect(report.retained).toEqual({
      consent_events: ledgers.consent,
      contact_privacy_events: ledgers.privacy,
      legal_holds: 0,
      privacy_request_answers: 0,
      privacy_requests: 0,
    });

    // Everything tenant-scoped is gone.
    expect(await rows(users, acme)).toBe(0);
    expect(await rows(contacts, acme)).toBe(0);
    // The ledgers stay, for their own retention (the proof of consent), against the tombstone.
    expect(await rows(consentEvents, acme)).toBe(ledgers.consent);
    expect(await rows(contactPrivacyEvents, acme)).toBe(ledgers.privacy);
    const [tomb] = await d.select().from(workspaces).where(eq(workspaces.id, acme));
    expect(tomb).toMatchObject({ subscriptionStatus: "purged", purgedAt: NOW, name: "(purged)", stripeCustomerId: null, cancelledAt: monthsBefore(7) });

    // The deletion is recorded, without personal data, and in the decision log.
    const [purge] = await d.select().from(workspacePurges).where(eq(workspacePurges.workspaceId, acme));
    expect(purge).toMatchObject({ cancelledAt: monthsBefore(7), purgeAfter: report.purgeAfter, retentionMonths: 6, purgedAt: NOW, counts: dryCounts });
    const [entry] = await d.select().from(auditLog).where(eq(auditLog.action, "purge_workspace"));
    expect(entry).toMatchObject({ workspaceId: acme, subjectId: acme, decision: "allow", actorRole: "system", actorId: null });

    // Globex (cancelled 5 months ago) is untouched.
    expect(await rows(users, globex)).toBe(globexUsers);
    expect((await d.select().from(workspaces).where(eq(workspaces.id, globex)))[0].subscriptionStatus).toBe("cancelled");
  });

  it("a second run finds nothing; a purged workspace cannot be purged again", async () => {
    expect(await purgeDueWorkspaces(d, { policies: t.app.policies, now: NOW, months: 6, dryRun: false, excludeWorkspaceIds: [] })).toEqual([]);
    await expect(purgeWorkspace(d, acme, NOW, { policies: t.app.policies, months: 6 })).rejects.toMatchObject({ code: "bad_input" });
  });

  it("after the purge no Acme user can sign in, and Globex still can", async () => {
    for (const email of ["owner@acme.test", "sales@acme.test", "dpo@acme.test"]) {
      const res = await t.gql(`mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: email, p: DEMO_PASSWORD });
      expect(res.errors?.[0].extensions.code, email).toBe("UNAUTHENTICATED");
    }
    // Sessions made before the purge are gone with it.
    const old = await t.login("owner@acme.test").catch((error: Error) => error);
    expect(old).toBeTypeOf("string");
    const me = await t.gql(`{ me { id } }`, {}, { token: old as string });
    expect(me.errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    const globexLogin = await t.gql(`mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`, {
      e: "owner@globex.test",
      p: DEMO_PASSWORD,
    });
    expect(globexLogin.data?.login).toBeTruthy();
  });

  it("a purged workspace cannot be brought back: the CHECK refuses any other status while purged_at is set", async () => {
    const [tomb] = await d.select().from(workspaces).where(eq(workspaces.id, acme));
    expect(tomb.subscriptionStatus).toBe("purged");
    // The CHECK ties the status to purged_at: no half-purged row.
    await expect(d.update(workspaces).set({ subscriptionStatus: "active" }).where(eq(workspaces.id, acme))).rejects.toThrow();
  });
});
