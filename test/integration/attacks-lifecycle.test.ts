// Reviewers' attacks on the lifecycle and rights surfaces (legal holds, usage events, breaches,
// policy versions, privacy requests, subscriptions): each test is a finding's repro or a probe
// that the surface holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { companies, contacts, deals, interactions } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db } from "../helpers/fixtures.js";

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
