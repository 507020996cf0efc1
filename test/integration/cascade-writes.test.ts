// Found by review, fixed: a write allowed under one purpose rewrites or destroys records that serve another
// purpose, through foreign-key cascades (interactions.contact_id ON DELETE CASCADE,
// interactions.deal_id / contacts.company_id ON DELETE SET NULL). The record_purpose gate says
// "an interaction is created, changed and deleted only under the purpose it was recorded for".
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companies, contacts, deals, interactions } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db } from "../helpers/fixtures.js";

let t: TestApp;
let owner: string;

const contactId = (email: string) => contactIdByEmail(t, email);

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login("owner@acme.test");
});
afterAll(() => t.close());

describe("review: cascades escape the record_purpose gate", () => {
  it("deleteInteraction refuses to remove a legal_compliance note under service_provision (the gate holds directly)", async () => {
    const karim = await contactId("karim.simon@initech.test");
    const note = await t.gql(
      `mutation($input: CreateInteractionInput!) { createInteraction(input: $input) { id purpose } }`,
      { input: { contactId: karim, kind: "NOTE", subject: "Answered the access request (Art. 15) on 2026-11-20" } },
      { token: owner, purpose: "legal_compliance" },
    );
    expect(note.errors).toBeUndefined();
    const del = await t.gql(
      `mutation($id: ID!) { deleteInteraction(id: $id) }`,
      { id: note.data!.createInteraction.id },
      { token: owner, purpose: "service_provision" },
    );
    expect(del.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
  });

  it("deleteContact under service_provision must not destroy interactions recorded under legal_compliance and marketing purposes", async () => {
    const alice = await contactId("alice.martin@initech.test");
    const note = await t.gql(
      `mutation($input: CreateInteractionInput!) { createInteraction(input: $input) { id } }`,
      { input: { contactId: alice, kind: "NOTE", subject: "Told the person how their objection was handled" } },
      { token: owner, purpose: "legal_compliance" },
    );
    expect(note.errors).toBeUndefined();
    const before = await db(t).select({ purpose: interactions.purpose }).from(interactions).where(eq(interactions.contactId, alice));
    expect(before.map((r) => r.purpose)).toEqual(expect.arrayContaining(["legal_compliance", "marketing_email", "marketing_sms"]));

    // The owner acts under service_provision: it may not delete any of these records directly.
    const res = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: alice }, { token: owner, purpose: "service_provision" });
    // Either the delete is refused, or the other purposes' records survive it.
    const after = await db(t).select({ purpose: interactions.purpose }).from(interactions).where(eq(interactions.contactId, alice));
    const refused = res.errors !== undefined;
    expect(refused || after.some((r) => r.purpose === "legal_compliance"), "legal_compliance note deleted under service_provision").toBe(true);
  });

  it("deleteDeal under sales_pipeline must not change interactions recorded under customer_support", async () => {
    const chloe = await contactId("chloe.dubois@umbrella.test");
    const [deal] = await db(t).select({ id: deals.id }).from(deals).where(eq(deals.contactId, chloe));
    const [call] = await db(t)
      .select({ id: interactions.id, purpose: interactions.purpose, dealId: interactions.dealId })
      .from(interactions)
      .where(eq(interactions.contactId, chloe));
    expect(call).toMatchObject({ purpose: "customer_support", dealId: deal.id });
    // Changing that interaction's deal under sales_pipeline is refused by record_purpose...
    const direct = await t.gql(
      `mutation($id: ID!) { updateInteraction(id: $id, input: { dealId: null }) { id } }`,
      { id: call.id },
      { token: owner, purpose: "sales_pipeline" },
    );
    expect(direct.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    // ...but deleting the deal under sales_pipeline does the same change.
    const res = await t.gql(`mutation($id: ID!) { deleteDeal(id: $id) }`, { id: deal.id }, { token: owner, purpose: "sales_pipeline" });
    const [afterCall] = await db(t).select({ dealId: interactions.dealId }).from(interactions).where(eq(interactions.id, call.id));
    expect(res.errors !== undefined || afterCall.dealId === deal.id, "customer_support interaction rewritten under sales_pipeline").toBe(true);
  });

  it("deleteCompany under sales_pipeline must not rewrite the record of a restricted person (Felix, Art. 18)", async () => {
    const sales = await t.login("sales@acme.test");
    const felix = await contactId("felix.richard@hooli.test");
    const [hooli] = await db(t).select({ id: companies.id }).from(companies).where(eq(companies.name, "Hooli"));
    const [before] = await db(t).select({ companyId: contacts.companyId, updatedAt: contacts.updatedAt }).from(contacts).where(eq(contacts.id, felix));
    expect(before.companyId).toBe(hooli.id);
    // Felix himself cannot be changed under sales_pipeline (restricted: NOT_FOUND).
    const direct = await t.gql(
      `mutation($id: ID!) { updateContact(id: $id, input: { companyId: null }) { id } }`,
      { id: felix },
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(direct.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    // Deleting his company does the same change to his record.
    const res = await t.gql(`mutation($id: ID!) { deleteCompany(id: $id) }`, { id: hooli.id }, { token: sales, purpose: "sales_pipeline" });
    const [after] = await db(t).select({ companyId: contacts.companyId }).from(contacts).where(eq(contacts.id, felix));
    expect(res.errors !== undefined || after.companyId === hooli.id, "a restricted person's record was changed under sales_pipeline").toBe(true);
  });
});
