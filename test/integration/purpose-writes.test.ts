// Writes are processing too: a create passes the request purpose's gates and data categories
// field by field, a record carries the purpose it serves, and no purpose header routes around
// an objection, a restriction or a missing consent (issue: purpose-bound writes).
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentEvents, contacts, deals, interactions } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db } from "../helpers/fixtures.js";

let t: TestApp;
let owner: string;
const ALL_PURPOSES = [
  "service_provision",
  "sales_pipeline",
  "customer_support",
  "marketing_email",
  "marketing_sms",
  "analytics",
  "billing",
  "security",
  "legal_compliance",
];

const contactId = (email: string) => contactIdByEmail(t, email);

const CREATE_INTERACTION = `mutation($input: CreateInteractionInput!) { createInteraction(input: $input) { id purpose kind } }`;
const CREATE_DEAL = `mutation($input: CreateDealInput!) { createDeal(input: $input) { id } }`;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login("owner@acme.test");
});
afterAll(() => t.close());

describe("purpose-bound writes", () => {
  it("never lets the owner log an email to a restricted person, under any purpose", async () => {
    const felix = await contactId("felix.richard@hooli.test");
    for (const purpose of ALL_PURPOSES) {
      const res = await t.gql(CREATE_INTERACTION, { input: { contactId: felix, kind: "EMAIL", subject: "Our spring offer" } }, { token: owner, purpose });
      expect(res.errors?.[0]?.extensions.code, purpose).toMatch(/FORBIDDEN|NOT_FOUND/);
    }
    const logged = await db(t)
      .select()
      .from(interactions)
      .where(and(eq(interactions.contactId, felix), eq(interactions.subject, "Our spring offer")));
    expect(logged).toEqual([]);
  });

  it("documents how a restricted person was answered with a note under legal_compliance, and nothing else", async () => {
    const felix = await contactId("felix.richard@hooli.test");
    const note = await t.gql(
      CREATE_INTERACTION,
      { input: { contactId: felix, kind: "NOTE", subject: "Told by phone that the restriction is recorded" } },
      { token: owner, purpose: "legal_compliance" },
    );
    expect(note.errors).toBeUndefined();
    expect(note.data!.createInteraction).toMatchObject({ purpose: "legal_compliance", kind: "NOTE" });
    const update = await t.gql(
      `mutation($id: ID!) { updateContact(id: $id, input: { position: "x" }) { id } }`,
      { id: felix },
      { token: owner, purpose: "legal_compliance" },
    );
    expect(update.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.writes.legal_compliance" });
  });

  it("gives a person who objected to sales_pipeline no new deal, under any purpose", async () => {
    const gabrielle = await contactId("gabrielle.petit@vandelay.test");
    for (const purpose of ALL_PURPOSES) {
      const res = await t.gql(CREATE_DEAL, { input: { title: "Upsell", contactId: gabrielle } }, { token: owner, purpose });
      expect(res.errors?.[0]?.extensions.code, purpose).toMatch(/FORBIDDEN|NOT_FOUND/);
    }
    expect(
      await db(t)
        .select()
        .from(deals)
        .where(and(eq(deals.contactId, gabrielle), eq(deals.title, "Upsell"))),
    ).toEqual([]);
    // Deals serve sales_pipeline: opened there for someone who did not object.
    const alice = await contactId("alice.martin@initech.test");
    const ok = await t.gql(CREATE_DEAL, { input: { title: "Renewal", contactId: alice } }, { token: owner, purpose: "sales_pipeline" });
    expect(ok.errors).toBeUndefined();
    const elsewhere = await t.gql(CREATE_DEAL, { input: { title: "Renewal", contactId: alice } }, { token: owner, purpose: "service_provision" });
    expect(elsewhere.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.writes.service_provision" });
  });

  it("checks every field a create sets, like an update: no position under customer_support", async () => {
    const create = (input: Record<string, unknown>) =>
      t.gql(
        `mutation($input: CreateContactInput!) { createContact(input: $input) { id firstName } }`,
        { input },
        { token: owner, purpose: "customer_support" },
      );
    const refused = await create({ firstName: "Yvonne", lastName: "Roux", position: "CFO" });
    expect(refused.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.data_category.customer_support", field: "position" });
    const before = await db(t).select().from(contacts).where(eq(contacts.firstName, "Yvonne"));
    expect(before).toEqual([]);
    const created = await create({ firstName: "Yvonne", lastName: "Roux" });
    expect(created.errors).toBeUndefined();
  });

  it("records an interaction under the request's purpose and changes it only under that purpose", async () => {
    const alice = await contactId("alice.martin@initech.test");
    const made = await t.gql(
      CREATE_INTERACTION,
      { input: { contactId: alice, kind: "CALL", subject: "Kick-off" } },
      { token: owner, purpose: "sales_pipeline" },
    );
    expect(made.data!.createInteraction.purpose).toBe("sales_pipeline");
    const id = made.data!.createInteraction.id;
    const update = `mutation($id: ID!) { updateInteraction(id: $id, input: { subject: "Kick-off call" }) { id } }`;
    const elsewhere = await t.gql(update, { id }, { token: owner, purpose: "service_provision" });
    expect(elsewhere.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.record_purpose.service_provision" });
    expect((await t.gql(update, { id }, { token: owner, purpose: "sales_pipeline" })).errors).toBeUndefined();
  });

  it("lets a consent withdrawn while an interaction is being created win", async () => {
    const hugo = await contactId("hugo.durand@vandelay.test");
    const marketing = await t.login("marketing@acme.test");
    // The withdrawal is committed while the create is in flight: the create waits for the
    // person's row and then sees the withdrawal (on PGlite the two simply run one after the other).
    let pending: ReturnType<typeof t.gql> | undefined;
    await db(t).transaction(async (tx) => {
      await tx
        .update(contacts)
        .set({ consentedPurposes: sql`array_remove(${contacts.consentedPurposes}, 'marketing_email')` })
        .where(eq(contacts.id, hugo));
      pending = t.gql(CREATE_INTERACTION, { input: { contactId: hugo, kind: "EMAIL", subject: "Campaign" } }, { token: marketing, purpose: "marketing_email" });
      await new Promise((r) => setTimeout(r, 300));
    });
    const res = await pending!;
    expect(res.errors?.[0]?.extensions.code).toMatch(/FORBIDDEN|NOT_FOUND/);
    expect(
      await db(t)
        .select()
        .from(interactions)
        .where(and(eq(interactions.contactId, hugo), eq(interactions.subject, "Campaign"))),
    ).toEqual([]);
  });
});

describe("re-pointing a record at another person", () => {
  it("lets a restriction of the new person, committed while the deal is being moved, win", async () => {
    const alice = await contactId("alice.martin@initech.test");
    const bruno = await contactId("bruno.bernard@initech.test");
    const made = await t.gql(CREATE_DEAL, { input: { title: "Moved deal", contactId: alice } }, { token: owner, purpose: "sales_pipeline" });
    const deal = made.data!.createDeal.id;
    let pending: ReturnType<typeof t.gql> | undefined;
    await db(t).transaction(async (tx) => {
      await tx.update(contacts).set({ processingRestricted: true }).where(eq(contacts.id, bruno));
      pending = t.gql(
        `mutation($d: ID!, $c: ID!) { updateDeal(id: $d, input: { contactId: $c }) { id } }`,
        { d: deal, c: bruno },
        { token: owner, purpose: "sales_pipeline" },
      );
      await new Promise((r) => setTimeout(r, 300));
    });
    const res = await pending!;
    expect(res.errors?.[0]?.extensions.code).toMatch(/FORBIDDEN|NOT_FOUND/);
    const [row] = await db(t).select().from(deals).where(eq(deals.id, deal));
    expect(row.contactId).toBe(alice);
    await db(t).update(contacts).set({ processingRestricted: false }).where(eq(contacts.id, bruno));
  });
});

describe("purpose limitation for every category and subject", () => {
  it("shows no consent event's IP address or user agent under marketing_email", async () => {
    const marketing = await t.login("marketing@acme.test");
    const alice = await contactId("alice.martin@initech.test");
    await db(t).execute(sql`select 1`);
    const proof = await db(t).select().from(consentEvents).where(eq(consentEvents.contactId, alice));
    expect(proof.length).toBeGreaterThan(0);
    const res = await t.gql(
      `query($id: ID!) { consentHistory(contactId: $id) { purpose state subjectIp subjectUserAgent } }`,
      { id: alice },
      { token: marketing },
    );
    expect(res.data!.consentHistory.length).toBeGreaterThan(0);
    for (const event of res.data!.consentHistory) expect(event).toMatchObject({ subjectIp: null, subjectUserAgent: null });
    expect(res.errors!.map((e) => e.extensions.rule)).toContain("gate.data_category.marketing_email");
    const dpo = await t.login("dpo@acme.test");
    const asDpo = await t.gql(`query($id: ID!) { consentHistory(contactId: $id) { subjectIp } }`, { id: alice }, { token: dpo });
    expect(asDpo.errors).toBeUndefined();
  });

  it("keeps the audit log out of purposes without the audit category", async () => {
    const res = await t.gql(`{ auditLog(first: 1) { totalCount } }`, {}, { token: owner, purpose: "marketing_email" });
    expect(res.errors![0].extensions.code).toBe("FORBIDDEN");
    expect((await t.gql(`{ auditLog(first: 1) { totalCount } }`, {}, { token: owner, purpose: "legal_compliance" })).errors).toBeUndefined();
  });

  it("hides colleagues' names and emails under a purpose that does not process users", async () => {
    // The demo contacts belong to the sales rep: the owner looks at a colleague.
    const query = `{ contacts(first: 50) { nodes { owner { name email } } } }`;
    const pipeline = await t.gql(query, {}, { token: owner, purpose: "sales_pipeline" });
    // Only the owner's own profile (contacts it created above) stays readable.
    const owners = pipeline.data!.contacts.nodes.map((n: { owner: { email: string } | null }) => n.owner?.email ?? null);
    expect(owners.filter((e: string | null) => e !== null && e !== "owner@acme.test")).toEqual([]);
    expect(owners).toContain(null);
    const service = await t.gql(query, {}, { token: owner, purpose: "service_provision" });
    expect(service.data!.contacts.nodes.some((n: { owner: { email: string } | null }) => n.owner?.email)).toBe(true);
  });

  it("lets every user read their own profile, the auditor its own email included", async () => {
    const auditor = await t.login("auditor@acme.test");
    for (const purpose of ["legal_compliance", "security"]) {
      const res = await t.gql(`{ me { email name role lastLoginAt } }`, {}, { token: auditor, purpose });
      expect(res.errors, purpose).toBeUndefined();
      expect(res.data!.me.email).toBe("auditor@acme.test");
    }
    const sales = await t.login("sales@acme.test");
    const me = await t.gql(`{ me { email } }`, {}, { token: sales, purpose: "sales_pipeline" });
    expect(me.data!.me.email).toBe("sales@acme.test");
  });
});
