// Found by review, fixed: a consent is bound to the contact row, not to the address it was given for. Another
// role, under another purpose, can change the address; the consent then covers an address
// whose owner never consented (Art. 7(1): the controller must demonstrate consent).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db } from "../helpers/fixtures.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("review: consent follows a changed email address", () => {
  it("after a sales rep changes Hugo's email under sales_pipeline, marketing does not email the new address on Hugo's consent", async () => {
    const sales = await t.login("sales@acme.test");
    const mkt = await t.login("marketing@acme.test");
    const [hugo] = await db(t).select({ id: contacts.id }).from(contacts).where(eq(contacts.email, "hugo.durand@vandelay.test"));
    const upd = await t.gql(
      `mutation($id: ID!) { updateContact(id: $id, input: { email: "someone.else@competitor.test" }) { id email } }`,
      { id: hugo.id },
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(upd.errors).toBeUndefined();
    const res = await t.gql(
      `{ contacts(filter: { email: "someone.else@competitor.test" }) { totalCount nodes { email consents { purpose state } } } }`,
      {},
      { token: mkt, purpose: "marketing_email" },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.contacts.totalCount, "the new address is reachable under marketing_email on the old address's consent").toBe(0);
  });
});
