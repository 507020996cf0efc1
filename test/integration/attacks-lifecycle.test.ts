// Reviewers' attacks on the lifecycle and rights surfaces (legal holds, usage events, breaches,
// policy versions, privacy requests, subscriptions): each test is a finding's repro or a probe
// that the surface holds.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { companies, contacts, deals, interactions, legalHolds, stripeEvents, usageEvents, workspaces } from "../../src/db/schema/index.js";
import { purgeDueWorkspaces, purgeWorkspace } from "../../src/modules/workspaces/workspace.purge.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, userId, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;

const PLACE = `mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id } }`;
const RELEASE = `mutation($id: ID!) { releaseLegalHold(id: $id, reason: "Review cleanup") { id } }`;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("a legal hold survives deletes that would only unlink what it holds", () => {
  it("deleting the company of a held contact is refused (legal_hold), and the contact keeps its company", async () => {
    const owner = await t.login("owner@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const company = (await t.gql(`mutation { createCompany(input: { name: "Employer Of Held" }) { id } }`, {}, { token: owner })).data!.createCompany.id;
    const contact = (
      await t.gql(
        `mutation($c: ID!) { createContact(input: { firstName: "Held", lastName: "Employee", companyId: $c }) { id } }`,
        { c: company },
        { token: owner },
      )
    ).data!.createContact.id;
    const hold = (await t.gql(PLACE, { input: { contactId: contact, reason: "Dispute with this employee" } }, { token: dpo })).data!.placeLegalHold.id;

    const refused = await t.gql(`mutation($id: ID!) { deleteCompany(id: $id) }`, { id: company }, { token: owner });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "legal_hold" });
    expect(refused.errors?.[0].message).not.toContain("Dispute");
    const [row] = await db(t).select({ companyId: contacts.companyId }).from(contacts).where(eq(contacts.id, contact));
    expect(row.companyId).toBe(company);
    expect(await db(t).select().from(companies).where(eq(companies.id, company))).toHaveLength(1);

    await t.gql(RELEASE, { id: hold }, { token: dpo });
    expect((await t.gql(`mutation($id: ID!) { deleteCompany(id: $id) }`, { id: company }, { token: owner })).data?.deleteCompany).toBe(true);
  });

  it("deleting a deal that a held contact's interaction belongs to is refused, and the interaction keeps its deal", async () => {
    const owner = await t.login("owner@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const contact = (await t.gql(`mutation { createContact(input: { firstName: "Held", lastName: "Caller" }) { id } }`, {}, { token: owner })).data!
      .createContact.id;
    const dealRes = await t.gql(`mutation { createDeal(input: { title: "Deal with no person" }) { id } }`, {}, { token: owner, purpose: "sales_pipeline" });
    expect(dealRes.errors).toBeUndefined();
    const deal = dealRes.data!.createDeal.id;
    const [note] = await db(t)
      .insert(interactions)
      .values({
        workspaceId: (await db(t).select().from(contacts).where(eq(contacts.id, contact)))[0].workspaceId,
        contactId: contact,
        dealId: deal,
        kind: "note",
        purpose: "sales_pipeline",
        subject: "Call",
      })
      .returning();
    const hold = (await t.gql(PLACE, { input: { contactId: contact, reason: "Dispute about this call" } }, { token: dpo })).data!.placeLegalHold.id;

    const refused = await t.gql(`mutation($id: ID!) { deleteDeal(id: $id) }`, { id: deal }, { token: owner, purpose: "sales_pipeline" });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "legal_hold" });
    const [kept] = await db(t).select({ dealId: interactions.dealId }).from(interactions).where(eq(interactions.id, note.id));
    expect(kept.dealId).toBe(deal);
    expect(await db(t).select().from(deals).where(eq(deals.id, deal))).toHaveLength(1);

    await t.gql(RELEASE, { id: hold }, { token: dpo });
    expect((await t.gql(`mutation($id: ID!) { deleteDeal(id: $id) }`, { id: deal }, { token: owner, purpose: "sales_pipeline" })).data?.deleteDeal).toBe(true);
  });
});

describe("the purge of a cancelled workspace re-checks legal holds under its lock", () => {
  // The retention job lists held workspaces first and purges the others one by one: a hold
  // placed after that list was read must still stop the purge of its workspace.
  const NOW = new Date("2027-03-15T12:00:00.000Z");

  it("a workspace held after the list of held workspaces was read is not purged (stale exclusion list), nor by purgeWorkspace", async () => {
    const d = db(t);
    const acme = await workspaceId(t, "Acme");
    const [contact] = await d.select({ id: contacts.id }).from(contacts).where(eq(contacts.workspaceId, acme)).limit(1);
    const before = (await d.select({ id: contacts.id }).from(contacts).where(eq(contacts.workspaceId, acme))).length;
    await d
      .update(workspaces)
      .set({ subscriptionStatus: "cancelled", cancelledAt: new Date("2026-08-01T00:00:00.000Z") })
      .where(eq(workspaces.id, acme));
    const [hold] = await d.insert(legalHolds).values({ workspaceId: acme, contactId: contact.id, reason: "Placed while the job runs" }).returning();
    try {
      const reports = await purgeDueWorkspaces(d, { policies: t.app.policies, now: NOW, months: 6, dryRun: false, excludeWorkspaceIds: [] });
      expect(reports.map((r) => r.workspaceId)).not.toContain(acme);
      await expect(purgeWorkspace(d, acme, NOW, { policies: t.app.policies, months: 6 })).rejects.toMatchObject({ code: "forbidden" });
      expect((await d.select({ id: contacts.id }).from(contacts).where(eq(contacts.workspaceId, acme))).length).toBe(before);
      expect((await d.select().from(workspaces).where(eq(workspaces.id, acme)))[0].subscriptionStatus).toBe("cancelled");
    } finally {
      await d.update(legalHolds).set({ releasedAt: new Date() }).where(eq(legalHolds.id, hold.id));
      await d
        .update(workspaces)
        .set({ subscriptionStatus: "active", cancelledAt: null })
        .where(eq(workspaces.id, acme))
        .catch(() => undefined); // purged (the bug): the CHECK keeps it purged
    }
  });
});

describe("recordUsage cannot be used to fill the usage log", () => {
  it("accepts at most 60 reported events per user per minute, aliases included; then RATE_LIMITED, and nothing more is stored", async () => {
    const token = await t.login("support@acme.test");
    const me = await userId(t, "support@acme.test");
    const fields = Array.from({ length: 15 }, (_, i) => `r${i}: recordUsage(input: { kind: FEATURE, name: "flood.f${i}" })`).join("\n");
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await t.gql(`mutation { ${fields} }`, {}, { token }));
    expect(results.slice(0, 4).every((r) => r.errors === undefined)).toBe(true);
    const last = results[4];
    // The first refused field stops the mutation (its fields are non-null and run in order).
    expect(last.errors?.[0].extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: 60 });
    expect(last.data ?? null).toBeNull();
    const stored = await db(t)
      .select({ id: usageEvents.id })
      .from(usageEvents)
      .where(and(eq(usageEvents.userId, me), inArray(usageEvents.kind, ["page_view", "feature"])));
    expect(stored).toHaveLength(60);
  });
});

describe("the Stripe webhook refuses a replayed delivery", () => {
  const SECRET = "whsec_review_0123456789abcdefghijkl";
  let s: TestApp;
  beforeAll(async () => {
    s = await startTestApp({ STRIPE_WEBHOOK_SECRET: SECRET });
  });
  afterAll(() => s.close());

  it("a genuine signature older than five minutes is 400 and changes nothing; the same body signed now is applied once", async () => {
    const acme = await workspaceId(s, "Acme");
    await db(s).update(workspaces).set({ stripeCustomerId: "cus_Review0001" }).where(eq(workspaces.id, acme));
    const payload = JSON.stringify({
      id: "evt_review_old",
      object: "event",
      type: "customer.subscription.deleted",
      created: Math.floor(Date.now() / 1000) - 600,
      data: { object: { id: "sub_r", object: "subscription", customer: "cus_Review0001", status: "canceled" } },
    });
    const send = (timestamp: number) =>
      s.app.server.inject({
        method: "POST",
        url: "/webhooks/stripe",
        headers: { "content-type": "application/json", "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp }) },
        payload,
      });
    const old = await send(Math.floor(Date.now() / 1000) - 600);
    expect(old.statusCode).toBe(400);
    expect((await db(s).select().from(workspaces).where(eq(workspaces.id, acme)))[0].subscriptionStatus).toBe("active");
    expect(await db(s).select().from(stripeEvents)).toHaveLength(0);
    expect((await send(Math.floor(Date.now() / 1000))).json()).toMatchObject({ outcome: "applied" });
    expect((await send(Math.floor(Date.now() / 1000))).json()).toMatchObject({ outcome: "replay" });
  });
});
