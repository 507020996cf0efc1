// Review: attacks that were tried and HELD (these tests pass; they document the attempts).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deals, users } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db } from "../helpers/fixtures.js";

let t: TestApp;

const contactId = (email: string) => contactIdByEmail(t, email);

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("review: held", () => {
  it("auditor cannot probe masked emails through search, email filter or sort", async () => {
    const aud = await t.login("auditor@acme.test");
    const s = await t.gql(
      `{ a: contacts(filter: { search: "initech.test" }) { totalCount } b: contacts(filter: { email: "alice.martin@initech.test" }) { totalCount } }`,
      {},
      { token: aud },
    );
    expect(s.errors).toBeUndefined();
    expect(s.data!.a.totalCount).toBe(0);
    expect(s.data!.b.totalCount).toBe(0);
  });

  it("marketing cannot probe phone numbers or a hidden person's email", async () => {
    const mkt = await t.login("marketing@acme.test");
    const s = await t.gql(
      `{ a: contacts(filter: { search: "+3361" }) { totalCount } b: contacts(filter: { email: "karim.simon@initech.test" }) { totalCount } }`,
      {},
      { token: mkt },
    );
    expect(s.data!.a.totalCount).toBe(0);
    expect(s.data!.b.totalCount).toBe(0);
  });

  it("another workspace's cursor, ids and explainAccess answer nothing", async () => {
    const acme = await t.login("owner@acme.test");
    const globex = await t.login("owner@globex.test");
    const page = await t.gql(`{ contacts(first: 1) { pageInfo { endCursor } } }`, {}, { token: acme });
    const cursor = page.data!.contacts.pageInfo.endCursor;
    const r = await t.gql(`query($c: String) { contacts(first: 1, after: $c) { nodes { id } } }`, { c: cursor }, { token: globex });
    expect(r.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    const alice = await contactId("alice.martin@initech.test");
    const e = await t.gql(
      `query($id: ID) { explainAccess(action: "read", subject: "Contact", id: $id, purpose: "legal_compliance") { allowed rule chain { check detail } } }`,
      { id: alice },
      { token: globex, purpose: "security" },
    );
    expect(e.data!.explainAccess.rule).toBe("tenant.not_found");
    const w = await t.gql(`mutation($id: ID!) { withdrawConsent(contactId: $id, purpose: "marketing_email") { id } }`, { id: alice }, { token: globex });
    expect(w.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    const h = await t.gql(`query($id: ID!) { consentHistory(contactId: $id) { id } }`, { id: alice }, { token: globex, purpose: "legal_compliance" });
    expect(h.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
  });

  it("self.profile shows only one's own profile: a colleague through Deal.owner stays hidden under sales_pipeline", async () => {
    const sales = await t.login("sales@acme.test");
    const owner = await t.login("owner@acme.test");
    const r = await t.gql(`{ me { email phone } deals(first: 50) { nodes { owner { id email } } } }`, {}, { token: owner, purpose: "sales_pipeline" });
    expect(r.data!.me.email).toBe("owner@acme.test");
    // The seeded deals belong to the sales rep: the owner does not see that colleague under sales_pipeline.
    expect(r.data!.deals.nodes.every((n: { owner: unknown }) => n.owner === null)).toBe(true);
    const s = await t.gql(`{ me { email } deals(first: 50) { nodes { owner { email } } } }`, {}, { token: sales, purpose: "sales_pipeline" });
    expect(s.data!.me.email).toBe("sales@acme.test");
  });

  it("a user whose role is 'system' gets nothing (roleFits)", async () => {
    await db(t).update(users).set({ role: "system" }).where(eq(users.email, "support@acme.test"));
    const tok = await t.login("support@acme.test").catch(() => "");
    if (tok) {
      const r = await t.gql(`{ contacts { totalCount } }`, {}, { token: tok });
      expect(r.data?.contacts ?? null).toBeNull();
    }
    await db(t).update(users).set({ role: "support" }).where(eq(users.email, "support@acme.test"));
  });

  it("updateDeal cannot re-point a deal to a person who objected (Gabrielle) under sales_pipeline", async () => {
    const sales = await t.login("sales@acme.test");
    const gab = await contactId("gabrielle.petit@vandelay.test");
    const karim = await contactId("karim.simon@initech.test");
    const d = await t.gql(
      `mutation($c: ID!) { createDeal(input: { title: "Repoint", contactId: $c }) { id } }`,
      { c: karim },
      { token: sales, purpose: "sales_pipeline" },
    );
    const r = await t.gql(
      `mutation($id: ID!, $c: ID!) { updateDeal(id: $id, input: { contactId: $c }) { id } }`,
      { id: d.data!.createDeal.id, c: gab },
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(r.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    const [row] = await db(t).select({ c: deals.contactId }).from(deals).where(eq(deals.id, d.data!.createDeal.id));
    expect(row.c).toBe(karim);
  });
});
