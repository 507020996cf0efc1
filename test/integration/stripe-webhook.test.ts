import { and, eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, stripeEvents, workspaces } from "../../src/db/schema/index.js";
import { runRetention } from "../../src/modules/retention/retention.service.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

const SECRET = "whsec_test_0123456789abcdefghijklmnop";
const ACME_CUSTOMER = "cus_AcmeTest0001";

let t: TestApp;
let acme: string;
let seq = 0;

function event(type: string, object: Record<string, unknown>, created = Math.floor(Date.now() / 1000)) {
  seq += 1;
  return { id: `evt_test_${seq}`, object: "event", type, created, livemode: false, data: { object: { id: "sub_1", object: "subscription", ...object } } };
}

function post(app: TestApp, body: object | string, opts: { secret?: string; signature?: string | null } = {}) {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const signature = opts.signature === undefined ? Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET }) : opts.signature;
  if (signature !== null) headers["stripe-signature"] = signature;
  return app.app.server.inject({ method: "POST", url: "/webhooks/stripe", headers, payload });
}

const acmeRow = async () => (await db(t).select().from(workspaces).where(eq(workspaces.id, acme)))[0];

beforeAll(async () => {
  t = await startTestApp({ STRIPE_WEBHOOK_SECRET: SECRET });
  acme = await workspaceId(t, "Acme");
  await db(t).update(workspaces).set({ stripeCustomerId: ACME_CUSTOMER }).where(eq(workspaces.id, acme));
});
afterAll(() => t.close());

describe("POST /webhooks/stripe", () => {
  it("a bad signature is 400 and changes nothing", async () => {
    const before = await acmeRow();
    const deleted = event("customer.subscription.deleted", { customer: ACME_CUSTOMER, status: "canceled" });
    for (const res of [
      await post(t, deleted, { secret: "whsec_someone_else_0123456789" }),
      await post(t, deleted, { signature: null }),
      await post(t, deleted, { signature: "t=1,v1=deadbeef" }),
    ]) {
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].extensions.code).toBe("BAD_REQUEST");
    }
    // A body changed after signing.
    const payload = JSON.stringify(deleted);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    const tampered = await post(t, payload.replace(ACME_CUSTOMER, "cus_other"), { signature });
    expect(tampered.statusCode).toBe(400);
    expect(await acmeRow()).toEqual(before);
    expect(await db(t).select().from(stripeEvents)).toHaveLength(0);
  });

  it("customer.subscription.deleted cancels the workspace, cancelled_at = the event's time, logged", async () => {
    const created = Math.floor(Date.now() / 1000) - 120;
    const deleted = event("customer.subscription.deleted", { customer: ACME_CUSTOMER, status: "canceled" }, created);
    const res = await post(t, deleted);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true, outcome: "applied" });
    expect(await acmeRow()).toMatchObject({ subscriptionStatus: "cancelled", cancelledAt: new Date(created * 1000) });
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, acme), eq(auditLog.action, "stripe_subscription_event")));
    expect(entry).toMatchObject({ decision: "allow", rule: "system.workspaces.subscription", purpose: "billing", actorId: null, actorRole: "system" });
    expect(entry.detail).toMatchObject({ eventId: deleted.id, from: "active", to: "cancelled" });

    // A replay of the same event id changes nothing, even once the state moved on.
    await db(t).update(workspaces).set({ subscriptionStatus: "active", cancelledAt: null }).where(eq(workspaces.id, acme));
    const replay = await post(t, deleted);
    expect(replay.statusCode).toBe(200);
    expect(replay.json().outcome).toBe("replay");
    expect(await acmeRow()).toMatchObject({ subscriptionStatus: "active", cancelledAt: null });
    expect(await db(t).select().from(stripeEvents).where(eq(stripeEvents.id, deleted.id))).toHaveLength(1);
  });

  it("customer.subscription.updated maps Stripe's status (past_due, trialing, active, canceled)", async () => {
    for (const [status, ours] of [
      ["past_due", "past_due"],
      ["trialing", "trialing"],
      ["active", "active"],
    ] as const) {
      const res = await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status }));
      expect(res.json().outcome).toBe("applied");
      expect((await acmeRow()).subscriptionStatus).toBe(ours);
    }
    const unknownStatus = await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "incomplete" }));
    expect(unknownStatus.json().outcome).toBe("unhandled");
    expect((await acmeRow()).subscriptionStatus).toBe("active");

    const created = Math.floor(Date.now() / 1000) - 60;
    const canceled = await post(t, event("customer.subscription.created", { customer: { id: ACME_CUSTOMER }, status: "canceled" }, created));
    expect(canceled.json().outcome).toBe("applied");
    expect(await acmeRow()).toMatchObject({ subscriptionStatus: "cancelled", cancelledAt: new Date(created * 1000) });
  });

  it("a later cancellation event keeps the earlier cancellation date; an event older than it is stale", async () => {
    const first = (await acmeRow()).cancelledAt!;
    const later = await post(t, event("customer.subscription.deleted", { customer: ACME_CUSTOMER }, Math.floor(first.getTime() / 1000) + 30));
    expect(later.json().outcome).toBe("unchanged");
    const stale = await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "active" }, Math.floor(first.getTime() / 1000) - 30));
    expect(stale.json().outcome).toBe("stale");
    expect(await acmeRow()).toMatchObject({ subscriptionStatus: "cancelled", cancelledAt: first });
    const reactivated = await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "active" }));
    expect(reactivated.json().outcome).toBe("applied");
    expect(await acmeRow()).toMatchObject({ subscriptionStatus: "active", cancelledAt: null });
  });

  it("after customer.subscription.deleted the owner cannot reactivate in the app (the purge clock keeps running); Stripe can", async () => {
    const owner = await t.login("owner@acme.test");
    await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "active" }));
    const deleted = await post(t, event("customer.subscription.deleted", { customer: ACME_CUSTOMER }));
    expect(deleted.json().outcome).toBe("applied");
    const cancelled = await acmeRow();
    expect(cancelled).toMatchObject({ subscriptionStatus: "cancelled", cancelledBy: "stripe" });
    const seen = await t.gql(`{ me { workspace { subscriptionStatus cancelledBy } } }`, {}, { token: owner });
    expect(seen.data!.me.workspace).toEqual({ subscriptionStatus: "CANCELLED", cancelledBy: "STRIPE" });

    const res = await t.gql(`mutation { reactivateWorkspace { id } }`, {}, { token: owner });
    expect(res.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0].message).toMatch(/cancelled at Stripe.*subscribe again/);
    expect(await acmeRow()).toMatchObject({ subscriptionStatus: "cancelled", cancelledAt: cancelled.cancelledAt, cancelledBy: "stripe" });

    // A new subscription at Stripe brings it back.
    expect((await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "active" }))).json().outcome).toBe("applied");
    expect(await acmeRow()).toMatchObject({ subscriptionStatus: "active", cancelledAt: null, cancelledBy: null });
  });

  it("an owner's cancellation that Stripe then deletes becomes Stripe's (same clock), and the owner can no longer undo it", async () => {
    const owner = await t.login("owner@acme.test");
    const mine = await t.gql(`mutation { cancelWorkspace { cancelledBy cancelledAt } }`, {}, { token: owner });
    expect(mine.data!.cancelWorkspace.cancelledBy).toBe("OWNER");
    const res = await post(t, event("customer.subscription.deleted", { customer: ACME_CUSTOMER }, Math.floor(Date.now() / 1000) + 60));
    expect(res.json().outcome).toBe("applied");
    expect(await acmeRow()).toMatchObject({
      subscriptionStatus: "cancelled",
      cancelledBy: "stripe",
      cancelledAt: new Date(mine.data!.cancelWorkspace.cancelledAt),
    });
    expect((await t.gql(`mutation { reactivateWorkspace { id } }`, {}, { token: owner })).errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "active" }, Math.floor(Date.now() / 1000) + 120));
    expect((await acmeRow()).subscriptionStatus).toBe("active");
  });

  it("two deliveries of one event at once: one applies, the other is a replay", async () => {
    const pastDue = event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "past_due" });
    const outcomes = await Promise.all([post(t, pastDue), post(t, pastDue)]);
    expect(outcomes.map((r) => r.json().outcome).sort()).toEqual(["applied", "replay"]);
    const logged = await db(t).select().from(auditLog).where(eq(auditLog.action, "stripe_subscription_event"));
    expect(logged.filter((e) => (e.detail as { eventId?: string }).eventId === pastDue.id)).toHaveLength(1);
    await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "active" }));
  });

  it("a signed body that is not an event is 400", async () => {
    const res = await post(t, "null");
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("an unknown customer is acknowledged (200) and ignored", async () => {
    // Ordered: two reads without ORDER BY need not return the rows in the same order.
    const all = () => db(t).select().from(workspaces).orderBy(workspaces.id);
    const before = await all();
    const res = await post(t, event("customer.subscription.deleted", { customer: "cus_nobody" }));
    expect(res.statusCode).toBe(200);
    expect(res.json().outcome).toBe("unknown_customer");
    expect(await all()).toEqual(before);
  });

  it("other event types are acknowledged and ignored", async () => {
    const res = await post(t, event("invoice.paid", { customer: ACME_CUSTOMER }));
    expect(res.statusCode).toBe(200);
    expect(res.json().outcome).toBe("unhandled");
  });

  it("event ids are forgotten after 30 days (policies/retention.yaml stripe_event_ids), not before", async () => {
    const held = (await db(t).select().from(stripeEvents)).length;
    expect(held).toBeGreaterThan(0);
    const forgotten = async (days: number) => {
      // A dry run: a real one this far ahead would also end the sessions the next tests use.
      const report = await runRetention(db(t), t.app.policies, { now: new Date(Date.now() + days * 24 * 3600_000), dryRun: true, batchSize: 100 });
      return report.entries.find((e) => e.id === "stripe_event_ids")!.sweeps[0].due;
    };
    expect(await forgotten(29)).toBe(0);
    expect(await forgotten(31)).toBe(held);
  });

  it("a purged workspace is ignored", async () => {
    await db(t)
      .update(workspaces)
      .set({ subscriptionStatus: "purged", purgedAt: new Date(), cancelledAt: new Date(Date.now() - 1000) })
      .where(eq(workspaces.id, acme));
    const res = await post(t, event("customer.subscription.updated", { customer: ACME_CUSTOMER, status: "active" }));
    expect(res.json().outcome).toBe("purged");
    expect((await acmeRow()).subscriptionStatus).toBe("purged");
  });
});

describe("POST /webhooks/stripe without STRIPE_WEBHOOK_SECRET", () => {
  it("answers 503 SERVICE_UNAVAILABLE in the GraphQL error shape, never a 500", async () => {
    const bare = await startTestApp();
    try {
      const res = await post(bare, event("customer.subscription.deleted", { customer: ACME_CUSTOMER }));
      expect(res.statusCode).toBe(503);
      expect(res.json().errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await bare.close();
    }
  });
});
