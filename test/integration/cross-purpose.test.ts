import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail } from "../helpers/fixtures.js";

let t: TestApp;

const contactId = (email: string) => contactIdByEmail(t, email);

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("review: a withdrawn SMS consent still lets marketing read the SMS campaign records under marketing_email", () => {
  it("after Alice withdraws marketing_sms, her marketing_sms interactions are not readable under marketing_email", async () => {
    const mkt = await t.login("marketing@acme.test");
    const alice = await contactId("alice.martin@initech.test");
    const w = await t.gql(
      `mutation($id: ID!) { withdrawConsent(contactId: $id, purpose: "marketing_sms") { id } }`,
      { id: alice },
      { token: mkt, purpose: "marketing_sms" },
    );
    expect(w.errors).toBeUndefined();
    // Under marketing_sms she is gone, as she should be.
    const sms = await t.gql(
      `query($id: ID!) { interactions(filter: { contactId: $id }) { totalCount } }`,
      { id: alice },
      { token: mkt, purpose: "marketing_sms" },
    );
    expect(sms.data?.interactions.totalCount ?? 0).toBe(0);
    // Under marketing_email the records made for marketing_sms (the purpose she withdrew) are still served.
    const email = await t.gql(
      `query($id: ID!) { interactions(filter: { contactId: $id }) { nodes { purpose kind subject body } } }`,
      { id: alice },
      { token: mkt, purpose: "marketing_email" },
    );
    expect(email.errors).toBeUndefined();
    const leaked = email.data!.interactions.nodes.filter((n: { purpose: string }) => n.purpose === "marketing_sms");
    expect(leaked).toEqual([]);
  });
});

describe("review: an objection or a restriction is escaped by re-creating the person", () => {
  it("a sales rep cannot open a sales_pipeline deal for Gabrielle (objected) by adding her again", async () => {
    const sales = await t.login("sales@acme.test");
    // Gabrielle is hidden under sales_pipeline (objection, Art. 21).
    const hidden = await t.gql(
      `{ contacts(filter: { email: "gabrielle.petit@vandelay.test" }) { totalCount } }`,
      {},
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(hidden.data!.contacts.totalCount).toBe(0);
    const created = await t.gql(
      `mutation { createContact(input: { firstName: "Gabrielle", lastName: "Petit", email: "gabrielle.petit@vandelay.test", position: "CEO" }) { id } }`,
      {},
      { token: sales, purpose: "sales_pipeline" },
    );
    let dealOpened = false;
    if (!created.errors) {
      const deal = await t.gql(
        `mutation($c: ID!) { createDeal(input: { title: "Vandelay upsell", contactId: $c }) { id contact { email } } }`,
        { c: created.data!.createContact.id },
        { token: sales, purpose: "sales_pipeline" },
      );
      dealOpened = deal.errors === undefined;
    }
    expect(dealOpened, "a deal was opened for a person who objected to sales_pipeline").toBe(false);
  });

  it("a sales rep cannot process Felix (restricted, Art. 18) under sales_pipeline by adding him again", async () => {
    const sales = await t.login("sales@acme.test");
    const created = await t.gql(
      `mutation { createContact(input: { firstName: "Felix", lastName: "Richard", email: "FELIX.RICHARD@hooli.test" }) { id email } }`,
      {},
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(created.errors?.[0]?.extensions.code, "a restricted person was re-created and is processed again").toBeDefined();
  });
});
