import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, workspaces } from "../../src/db/schema/index.js";
import { purgeDate } from "../../src/modules/workspaces/workspace.retention.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

const FIELDS = "id name subscriptionStatus cancelledAt cancelledBy purgeAfter";
const CANCEL = `mutation { cancelWorkspace { ${FIELDS} } }`;
const REACTIVATE = `mutation { reactivateWorkspace { ${FIELDS} } }`;

let t: TestApp;
let acme: string;
let globex: string;

const row = async (id: string) => (await db(t).select().from(workspaces).where(eq(workspaces.id, id)))[0];

beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  globex = await workspaceId(t, "Globex");
});
afterAll(() => t.close());

describe("cancelWorkspace / reactivateWorkspace", () => {
  it("every role but the owner is FORBIDDEN, with the rule, and nothing changes", async () => {
    for (const email of ["dpo@acme.test", "auditor@acme.test", "sales@acme.test", "marketing@acme.test", "support@acme.test"]) {
      const token = await t.login(email);
      for (const mutation of [CANCEL, REACTIVATE]) {
        const res = await t.gql(mutation, {}, { token });
        expect(res.errors?.[0].extensions.code, `${email}: ${mutation}`).toBe("FORBIDDEN");
        expect(res.errors?.[0].extensions.rule).toBe("default.deny");
      }
    }
    expect((await row(acme)).subscriptionStatus).toBe("active");
    const denials = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, acme), eq(auditLog.subject, "Workspace"), eq(auditLog.decision, "deny")));
    expect(denials.length).toBeGreaterThanOrEqual(10);
  });

  it("needs a sign-in", async () => {
    const res = await t.gql(CANCEL);
    expect(res.errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
  });

  it("the owner cancels: CANCELLED, cancelledAt now, purgeAfter = cancelledAt + 6 months, logged", async () => {
    const before = Date.now();
    const res = await t.gql<{ cancelWorkspace: Record<string, string> }>(CANCEL, {}, { token: await t.login("owner@acme.test") });
    expect(res.errors).toBeUndefined();
    const ws = res.data!.cancelWorkspace;
    expect(ws.id).toBe(acme);
    expect(ws.subscriptionStatus).toBe("CANCELLED");
    expect(ws.cancelledBy).toBe("OWNER");
    const cancelledAt = new Date(ws.cancelledAt);
    expect(cancelledAt.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(cancelledAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(ws.purgeAfter).toBe(purgeDate(cancelledAt, 6).toISOString());
    const expected = new Date(cancelledAt);
    expected.setUTCMonth(expected.getUTCMonth() + 6);
    // Today is no month end, so the plain calendar answer holds.
    if (cancelledAt.getUTCDate() <= 28) expect(ws.purgeAfter).toBe(expected.toISOString());

    const stored = await row(acme);
    expect(stored.subscriptionStatus).toBe("cancelled");
    expect(stored.cancelledAt?.toISOString()).toBe(ws.cancelledAt);
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, acme), eq(auditLog.action, "cancel_workspace")));
    expect(entry).toMatchObject({ decision: "allow", rule: "owner.manage_all", subject: "Workspace", subjectId: acme });
    expect(entry.detail).toMatchObject({ from: "active", to: "cancelled", purgeAfter: ws.purgeAfter });
  });

  it("members see the cancellation and the purge date on their workspace", async () => {
    const res = await t.gql<{ me: { workspace: Record<string, string> } }>(
      `{ me { workspace { ${FIELDS} } } }`,
      {},
      { token: await t.login("sales@acme.test") },
    );
    expect(res.data?.me.workspace.subscriptionStatus).toBe("CANCELLED");
    expect(res.data?.me.workspace.purgeAfter).toBeTruthy();
  });

  it("cancelling twice is BAD_USER_INPUT and keeps the first cancellation date (the clock never restarts)", async () => {
    const first = (await row(acme)).cancelledAt;
    const res = await t.gql(CANCEL, {}, { token: await t.login("owner@acme.test") });
    expect(res.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0].extensions.field).toBe("subscriptionStatus");
    expect((await row(acme)).cancelledAt).toEqual(first);
  });

  it("Globex's owner cancelling changes Globex only, never Acme", async () => {
    const acmeBefore = await row(acme);
    const res = await t.gql<{ cancelWorkspace: { id: string } }>(CANCEL, {}, { token: await t.login("owner@globex.test") });
    expect(res.data?.cancelWorkspace.id).toBe(globex);
    expect(await row(acme)).toEqual(acmeBefore);
    const back = await t.gql<{ reactivateWorkspace: { id: string } }>(REACTIVATE, {}, { token: await t.login("owner@globex.test") });
    expect(back.data?.reactivateWorkspace.id).toBe(globex);
    expect(await row(acme)).toEqual(acmeBefore);
    expect((await row(globex)).subscriptionStatus).toBe("active");
  });

  it("the owner reactivates before the purge date: ACTIVE, cancelledAt and purgeAfter cleared, logged", async () => {
    const res = await t.gql<{ reactivateWorkspace: Record<string, string | null> }>(REACTIVATE, {}, { token: await t.login("owner@acme.test") });
    expect(res.errors).toBeUndefined();
    expect(res.data?.reactivateWorkspace).toMatchObject({ subscriptionStatus: "ACTIVE", cancelledAt: null, cancelledBy: null, purgeAfter: null });
    expect(await row(acme)).toMatchObject({ subscriptionStatus: "active", cancelledAt: null, cancelledBy: null });
    const entries = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, acme), eq(auditLog.action, "reactivate_workspace")));
    expect(entries).toHaveLength(1);
  });

  it("reactivating a workspace that is not cancelled is BAD_USER_INPUT", async () => {
    const res = await t.gql(REACTIVATE, {}, { token: await t.login("owner@acme.test") });
    expect(res.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("past the purge date (not yet purged) reactivation is refused and nothing changes", async () => {
    const longAgo = new Date(Date.now() - 200 * 24 * 3600_000);
    await db(t).update(workspaces).set({ subscriptionStatus: "cancelled", cancelledAt: longAgo }).where(eq(workspaces.id, acme));
    const res = await t.gql(REACTIVATE, {}, { token: await t.login("owner@acme.test") });
    expect(res.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0].message).toMatch(/retention period ended/);
    expect(await row(acme)).toMatchObject({ subscriptionStatus: "cancelled", cancelledAt: longAgo });
  });
});
