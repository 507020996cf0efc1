// Review 2: attacks on classes the earlier reviews left (nested relations, purpose data
// categories, explainAccess, error texts, fan-out). Each test asserts the SAFE behaviour.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companies, contactPrivacyEvents, contacts } from "../../src/db/schema/index.js";
import type { Db } from "../../src/db/client.js";
import { applyConsent } from "../../src/modules/consent/consent.repository.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, insertPeople, userId, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const companyId = async (name: string) => {
  const [row] = await db(t).select({ id: companies.id }).from(companies).where(eq(companies.name, name));
  return row.id;
};

describe("nested relation lists keep the purpose gates of the top-level lists", () => {
  it("sales_pipeline: a company's people and deals leave out the objecting and the restricted person, counts included", async () => {
    const sales = await t.login("sales@acme.test");
    const q = `query($v: ID!, $h: ID!) {
      v: company(id: $v) { contacts { id } contactsConnection { totalCount nodes { id } } deals { id title } dealsConnection { totalCount } }
      h: company(id: $h) { contacts { id } contactsConnection { totalCount } deals { id title } dealsConnection { totalCount } }
    }`;
    const r = await t.gql(q, { v: await companyId("Vandelay Industries"), h: await companyId("Hooli") }, { token: sales, purpose: "sales_pipeline" });
    expect(r.errors).toBeUndefined();
    const gab = await contactIdByEmail(t, "gabrielle.petit@vandelay.test");
    const felix = await contactIdByEmail(t, "felix.richard@hooli.test");
    const body = JSON.stringify(r.data);
    expect(body).not.toContain(gab);
    expect(body).not.toContain(felix);
    expect(body).not.toContain("Vandelay import deal");
    expect(body).not.toContain("Hooli data review");
    expect(r.data!.v.contactsConnection.totalCount).toBe(1);
    expect(r.data!.v.dealsConnection.totalCount).toBe(0);
    expect(r.data!.h.contactsConnection.totalCount).toBe(2);
    expect(r.data!.h.dealsConnection.totalCount).toBe(1);
  });

  it("customer_support: the restricted person's ticket is not listed, searched, counted or reached through a company", async () => {
    const sup = await t.login("support@acme.test");
    const r = await t.gql(
      `query($h: ID!) { all: interactions(first: 50) { totalCount nodes { subject } } hit: interactions(filter: { search: "correction" }) { totalCount }
         who: contacts(filter: { search: "Felix" }) { totalCount } hooli: company(id: $h) { name } }`,
      { h: await companyId("Hooli") },
      { token: sup, purpose: "customer_support" },
    );
    expect(JSON.stringify(r.data)).not.toContain("Data correction");
    expect(r.data!.hit.totalCount).toBe(0);
    expect(r.data!.who.totalCount).toBe(0);
    expect(r.data!.all.totalCount).toBe(r.data!.all.nodes.length);
  });

  it("a deal's stage filter does not count a restricted person's deal", async () => {
    const sales = await t.login("sales@acme.test");
    const r = await t.gql(
      `{ won: deals(filter: { stage: WON }) { totalCount } lead: deals(filter: { stage: LEAD }) { totalCount } }`,
      {},
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(r.data!.won.totalCount).toBe(0);
    // "Hooli pilot" (Emma) only: Gabrielle's lead is hidden by her objection.
    expect(r.data!.lead.totalCount).toBe(1);
  });
});

describe("a purpose's data categories hold in filters, search and order", () => {
  it("marketing under analytics (usage, network) cannot probe names or emails, nor sort by a name", async () => {
    const mkt = await t.login("marketing@acme.test");
    const as = { token: mkt, purpose: "analytics" };
    const r = await t.gql(
      `{ a: contacts(filter: { search: "Alice" }) { totalCount } b: contacts(filter: { email: "alice.martin@initech.test" }) { totalCount } }`,
      {},
      as,
    );
    expect(r.data!.a.totalCount).toBe(0);
    expect(r.data!.b.totalCount).toBe(0);
    const o = await t.gql(`{ contacts(first: 50, orderBy: { field: LAST_NAME, direction: ASC }) { nodes { id } } }`, {}, as);
    expect(o.data?.contacts ?? null).toBeNull();
    expect(o.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", field: "lastName" });
  });

  it("sales under customer_support (no business_records): deals are not counted nor searched", async () => {
    const sales = await t.login("sales@acme.test");
    const r = await t.gql(
      `{ a: deals { totalCount nodes { title } } b: deals(filter: { search: "Initech" }) { totalCount } }`,
      {},
      { token: sales, purpose: "customer_support" },
    );
    const body = JSON.stringify(r.data ?? null);
    expect(body).not.toContain("Initech");
    expect(r.data?.a?.totalCount ?? 0).toBe(0);
    expect(r.data?.b?.totalCount ?? 0).toBe(0);
  });

  it("auditor cannot search an interaction's masked body or subject", async () => {
    const aud = await t.login("auditor@acme.test");
    const r = await t.gql(
      `{ a: interactions(filter: { search: "discount" }) { totalCount } b: interactions(filter: { search: "Pricing" }) { totalCount } }`,
      {},
      { token: aud },
    );
    expect(r.data!.a.totalCount).toBe(0);
    expect(r.data!.b.totalCount).toBe(0);
  });

  it("support under customer_support cannot read a person's position nested through a company or an interaction", async () => {
    const sup = await t.login("support@acme.test");
    const r = await t.gql(
      `{ interactions(first: 50) { nodes { contact { position } } } contacts(first: 50) { nodes { position company { name } } } }`,
      {},
      {
        token: sup,
        purpose: "customer_support",
      },
    );
    expect(JSON.stringify(r.data)).not.toMatch(/CTO|CFO|Buyer|COO|Engineer|Analyst/);
  });
});

describe("fan-out through nested page sizes", () => {
  beforeAll(async () => {
    await insertPeople(t, await workspaceId(t, "Acme"), 100, { prefix: "Fan" });
  });

  it("a query whose nested pages multiply to millions of rows is refused before it runs", async () => {
    const owner = await t.login("owner@acme.test");
    // 200 people x 20 colleagues x 20 x 20: 1.6 million objects from forty tokens (answered in 7 s before, 100 per level would be 200 million).
    const q = `{ contacts(first: 200) { nodes { company { contacts { company { contacts { company { contacts { id } } } } } } } } }`;
    const r = await t.gql(q, {}, { token: owner });
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0]?.extensions.code).toBe("QUERY_TOO_COMPLEX");
    // A request error: 200 as application/json, 400 as application/graphql-response+json (the contract's table).
    expect(r.status).toBe(200);
    const strict = await t.gql(q, {}, { token: owner, headers: { accept: "application/graphql-response+json" } });
    expect(strict.status).toBe(400);
    expect(strict.errors?.[0]?.extensions.code).toBe("QUERY_TOO_COMPLEX");
  });

  it("page sizes given in variables, fragments and aliases are counted too", async () => {
    const owner = await t.login("owner@acme.test");
    const viaVariables = await t.gql(
      `query($n: Int) { contacts(first: 200) { nodes { company { contacts(first: $n) { company { contacts(first: $n) { id } } } } } } }`,
      { n: 100 },
      { token: owner },
    );
    expect(viaVariables.errors?.[0]?.extensions.code).toBe("QUERY_TOO_COMPLEX");
    // A variable left out takes its declared default, which counts as if it were sent (50 x 100 x
    // 100; with the fields' default of 20 it would be 20,000 and pass).
    const viaDefaults = await t.gql(
      `query($n: Int = 100) { contacts(first: 50) { nodes { company { contacts(first: $n) { company { contacts(first: $n) { id } } } } } } }`,
      {},
      { token: owner },
    );
    expect(viaDefaults.errors?.[0]?.extensions.code).toBe("QUERY_TOO_COMPLEX");
    const viaFragments = await t.gql(
      `fragment P on Contact { company { contacts(first: 100) { id } } }
       { ${Array.from({ length: 15 }, (_, i) => `a${i}: contacts(first: 200) { nodes { ...P } }`).join(" ")} }`,
      {},
      { token: owner },
    );
    expect(viaFragments.errors?.[0]?.extensions.code).toBe("QUERY_TOO_COMPLEX");
  });

  it("a bounded page with its sizes in variables (100 people with 100 deals each) still runs", async () => {
    const owner = await t.login("owner@acme.test");
    const r = await t.gql(`query($n: Int) { contacts(first: $n) { nodes { id deals(first: $n) { id } } } }`, { n: 100 }, { token: owner });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data!.contacts.nodes).toHaveLength(100);
  });
});

describe("fields that do heavy work once per request", () => {
  it("verifyAuditLog asked through 15 aliases reads the chain once, not 15 times", async () => {
    const aud = await t.login("auditor@acme.test");
    const one = await t.gql(`{ verifyAuditLog { ok entries } }`, {}, { token: aud });
    const many = await t.gql(`{ ${Array.from({ length: 15 }, (_, i) => `v${i}: verifyAuditLog { ok entries }`).join(" ")} }`, {}, { token: aud });
    expect(many.errors).toBeUndefined();
    expect(many.data!.v14).toEqual(one.data!.verifyAuditLog);
    expect(many.queries).toBe(one.queries);
  });
});

describe("hidden people stay hidden from other entry points", () => {
  it("a sales rep cannot reach the restricted person (Felix) through usage, consent ledger or unsubscribe links, nor batch requests", async () => {
    const sales = await t.login("sales@acme.test");
    const mkt = await t.login("marketing@acme.test");
    const owner = await userId(t, "owner@acme.test");
    const u = await t.gql(`query($u: ID) { usageEvents(filter: { userId: $u }) { totalCount } }`, { u: owner }, { token: sales });
    expect(u.data!.usageEvents.totalCount).toBe(0);
    const felix = await contactIdByEmail(t, "felix.richard@hooli.test");
    for (const q of [
      `query($id: ID!) { unsubscribeUrl(contactId: $id, purpose: "marketing_email") }`,
      `query($id: ID!) { consentHistory(contactId: $id) { id } }`,
    ]) {
      const r = await t.gql(q, { id: felix }, { token: mkt });
      expect(r.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    }
    const batch = await t.app.server.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json", authorization: `Bearer ${sales}` },
      payload: JSON.stringify([{ query: "{ me { id } }" }, { query: "{ me { id } }" }]),
    });
    expect(batch.statusCode).toBe(400);
  });

  // A new record of a person carries their standing restriction (standingObjections), so
  // createContact answers differently for an email that belongs to a restricted person: a sales
  // rep who cannot see Felix learns that the workspace holds a restricted person with that email.
  // The README keeps this on purpose (any refusal tells it; a record without the restriction
  // would be worse); what the answer may not add is any of the person's data.
  it("createContact with a hidden restricted person's email is refused by the gate, with nothing of the person", async () => {
    const sales = await t.login("sales@acme.test");
    const r = await t.gql(
      `mutation { createContact(input: { firstName: "F", lastName: "R", email: "felix.richard@hooli.test" }) { id firstName } }`,
      {},
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(r.data).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.restriction.sales_pipeline" });
    const felix = await contactIdByEmail(t, "felix.richard@hooli.test");
    expect(JSON.stringify(r.errors)).not.toMatch(new RegExp(`${felix}|Richard|Engineer|Hooli|contests`));
  });
});

describe("colleagues' account data through nested users and the decision log", () => {
  it("the auditor's decision log names no colleague's email (actor, detail, reason), after failed and good sign-ins and an invitation", async () => {
    await t.gql(`mutation { login(email: "sales@acme.test", password: "not-the-password") { token } }`);
    const owner = await t.login("owner@acme.test");
    await t.gql(`mutation { inviteUser(input: { email: "new.hire@acme.test", role: "support", name: "New Hire" }) { id } }`, {}, { token: owner });
    const aud = await t.login("auditor@acme.test");
    for (const purpose of ["legal_compliance", "security"]) {
      const r = await t.gql(
        `{ auditLog(first: 200) { nodes { actor { name email phone lastLoginAt } detail reason subjectId } } }`,
        {},
        { token: aud, purpose },
      );
      expect(r.data!.auditLog.nodes.length).toBeGreaterThan(3);
      const emails = JSON.stringify(r.data).match(/[\w.+-]+@[\w.-]+\.test/g) ?? [];
      expect(emails.filter((e) => e !== "auditor@acme.test")).toEqual([]);
    }
  });

  it("support and sales see no colleague's phone, position or last sign-in through record owners", async () => {
    type Owner = { id: string; [field: string]: unknown } | null;
    const OWNER = "owner { id phone position lastLoginAt deactivatedAt breachNotices { id } policyNotices { version } }";
    const asks = [
      {
        email: "support@acme.test",
        query: `{ me { id } interactions(first: 50) { nodes { ${OWNER} } } contacts(first: 50) { nodes { ${OWNER} } } }`,
        purpose: "customer_support",
      },
      {
        email: "sales@acme.test",
        query: `{ me { id } deals(first: 50) { nodes { ${OWNER} } } companies(first: 50) { nodes { ${OWNER} } } }`,
        purpose: "service_provision",
      },
    ];
    let seen = 0;
    for (const ask of asks) {
      const r = await t.gql(ask.query, {}, { token: await t.login(ask.email), purpose: ask.purpose });
      const { me, ...lists } = r.data!;
      const owners = Object.values(lists as Record<string, { nodes: Array<{ owner: Owner }> }>)
        .flatMap((c) => c.nodes.map((n) => n.owner))
        .filter((o): o is NonNullable<Owner> => o !== null && o.id !== me.id);
      seen += owners.length;
      const hidden = owners.map((o) => [o.phone, o.position, o.lastLoginAt, o.breachNotices, o.policyNotices]);
      expect(hidden, ask.email).toEqual(owners.map(() => [null, null, null, null, null]));
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe("another workspace's webhooks, tokens, sessions and legal holds", () => {
  it("Acme's owner cannot list, disable, revoke or release Globex's by id (NOT_FOUND), and Globex's keep working", async () => {
    const g = await t.login("owner@globex.test");
    const a = await t.login("owner@acme.test");
    const wh = await t.gql(
      `mutation { createWebhook(input: { url: "http://127.0.0.1:9/x", events: [CONSENT_WITHDRAWN] }) { webhook { id } } }`,
      {},
      { token: g },
    );
    const tok = await t.gql(`mutation { createApiToken(input: { name: "g", scopes: ["contacts:read"] }) { token apiToken { id } } }`, {}, { token: g });
    const sess = await t.gql(`{ mySessions { id } }`, {}, { token: g });
    const hold = await t.gql(`mutation { placeLegalHold(input: { reason: "litigation pending" }) { id } }`, {}, { token: g, purpose: "legal_compliance" });
    const tries: Array<[string, Record<string, unknown>, string | undefined]> = [
      [`query($id: ID!) { webhookDeliveries(webhookId: $id) { id } }`, { id: wh.data!.createWebhook.webhook.id }, undefined],
      [`mutation($id: ID!) { disableWebhook(id: $id) { id } }`, { id: wh.data!.createWebhook.webhook.id }, undefined],
      [`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: tok.data!.createApiToken.apiToken.id }, undefined],
      [`mutation($id: ID!) { revokeSession(id: $id) }`, { id: sess.data!.mySessions[0].id }, undefined],
      [`mutation($id: ID!) { releaseLegalHold(id: $id, reason: "not ours to release") { id } }`, { id: hold.data!.placeLegalHold.id }, "legal_compliance"],
    ];
    for (const [query, variables, purpose] of tries) {
      const r = await t.gql(query, variables, { token: a, purpose });
      expect(r.errors?.[0]?.extensions.code, query).toBe("NOT_FOUND");
    }
    expect((await t.gql(`{ me { id } }`, {}, { token: g })).data?.me).toBeTruthy();
    expect((await t.gql(`{ contacts { totalCount } }`, {}, { token: tok.data!.createApiToken.token })).data?.contacts.totalCount).toBeGreaterThan(0);
    const holds = await t.gql(`{ legalHolds { nodes { id releasedAt } } }`, {}, { token: g, purpose: "legal_compliance" });
    expect(holds.data!.legalHolds.nodes).toContainEqual({ id: hold.data!.placeLegalHold.id, releasedAt: null });
  });
});

describe("an objection or a restriction cannot be escaped by moving another record onto the person's email", () => {
  const create = `mutation($e: EmailAddress!) { createContact(input: { firstName: "Gabi", lastName: "Copy", email: $e }) { id } }`;
  const move = `mutation($id: ID!, $e: EmailAddress!) { updateContact(id: $id, input: { email: $e }) { id objections processingRestricted } }`;

  it("updateContact to the email of a person who objected to sales_pipeline carries the objection: the copy is not processed under it", async () => {
    const sales = await t.login("sales@acme.test");
    const as = { token: sales, purpose: "service_provision" };
    const made = await t.gql(create, { e: "gabi.copy@vandelay.test" }, as);
    const id = made.data!.createContact.id;
    const moved = await t.gql(move, { id, e: "gabrielle.petit@vandelay.test" }, as);
    expect(moved.errors).toBeUndefined();
    expect(moved.data!.updateContact.objections).toEqual(["sales_pipeline"]);
    const seen = await t.gql(
      `query($id: ID!) { contacts(filter: { email: "gabrielle.petit@vandelay.test" }) { totalCount } contact(id: $id) { id } }`,
      { id },
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(seen.data?.contacts.totalCount).toBe(0);
    expect(seen.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
  });

  it("the carried objection is in the record's privacy history, as its state is (created as a copy, or moved onto the address)", async () => {
    const sales = await t.login("sales@acme.test");
    const as = { token: sales, purpose: "service_provision" };
    const copy = (await t.gql(create, { e: "gabrielle.petit@vandelay.test" }, as)).data!.createContact.id as string;
    const made = (await t.gql(create, { e: "gabi.moved@vandelay.test" }, as)).data!.createContact.id as string;
    expect((await t.gql(move, { id: made, e: "Gabrielle.Petit@vandelay.test" }, as)).errors).toBeUndefined();
    for (const id of [copy, made]) {
      const events = await db(t)
        .select({ kind: contactPrivacyEvents.kind, purpose: contactPrivacyEvents.purpose, reason: contactPrivacyEvents.reason })
        .from(contactPrivacyEvents)
        .where(eq(contactPrivacyEvents.contactId, id));
      expect(events).toEqual([{ kind: "objected", purpose: "sales_pipeline", reason: expect.stringMatching(/^carried over/) }]);
    }
    // Moved again onto the same address, nothing is carried twice.
    expect((await t.gql(move, { id: made, e: "gabrielle.petit@vandelay.test" }, as)).errors).toBeUndefined();
    expect(await db(t).select().from(contactPrivacyEvents).where(eq(contactPrivacyEvents.contactId, made))).toHaveLength(1);
  });

  // LEFT OPEN (a design choice, reported): a person is recognised by email only
  // (standingObjections), so a copy of Gabrielle with her name and phone but no email starts
  // without her objection and is processed under sales_pipeline. Matching phone numbers too would
  // close it, but a shared number (a switchboard) would then carry one person's objection to
  // another: the owners of the privacy model should decide.
  it.fails("a copy of an objecting person made with her phone number and no email carries her objection", async () => {
    const sales = await t.login("sales@acme.test");
    const r = await t.gql(
      `mutation { createContact(input: { firstName: "Gabrielle", lastName: "Petit", phone: "+33612345607" }) { id objections } }`,
      {},
      { token: sales, purpose: "sales_pipeline" },
    );
    expect(r.data?.createContact?.objections ?? ["sales_pipeline"]).toEqual(["sales_pipeline"]);
  });

  // The standing state follows every address a record of the person held (contacts.former_emails),
  // not only the one it holds now: moving the objecting person's own record to another address,
  // then adding her again with her real address, gives a copy that carries the objection.
  it("moving an objecting person's record off her email, then adding her again, does not escape the objection", async () => {
    const sales = await t.login("sales@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const made = await t.gql(create, { e: "olga.obj@vandelay.test" }, { token: sales, purpose: "service_provision" });
    const olga = made.data!.createContact.id;
    const objected = await t.gql(
      `mutation($id: ID!) { objectToProcessing(contactId: $id, purpose: "sales_pipeline", reason: "No prospecting") { objections } }`,
      { id: olga },
      { token: dpo },
    );
    expect(objected.data!.objectToProcessing.objections).toEqual(["sales_pipeline"]);
    const off = await t.gql(move, { id: olga, e: "olga.old@vandelay.test" }, { token: sales, purpose: "service_provision" });
    expect(off.errors).toBeUndefined();
    // In any case, and again after a second move: every address the record held counts.
    const further = await t.gql(move, { id: olga, e: "olga.older@vandelay.test" }, { token: sales, purpose: "service_provision" });
    expect(further.errors).toBeUndefined();
    for (const e of ["Olga.Obj@vandelay.test", "olga.old@vandelay.test"]) {
      const again = await t.gql(create, { e }, { token: sales, purpose: "sales_pipeline" });
      expect(again.data?.createContact ?? null, e).toBeNull();
      expect(again.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.objection.sales_pipeline" });
    }
    // Where the objection does not stop the purpose, the copy is made and carries it.
    const copy = await t.gql(
      `mutation($e: EmailAddress!) { createContact(input: { firstName: "Gabi", lastName: "Copy", email: $e }) { id objections } }`,
      { e: "olga.obj@vandelay.test" },
      { token: sales, purpose: "service_provision" },
    );
    expect(copy.data!.createContact.objections).toEqual(["sales_pipeline"]);
    // Another record moved onto her former address takes the objection too.
    const other = await t.gql(create, { e: "olga.other@vandelay.test" }, { token: sales, purpose: "service_provision" });
    const onto = await t.gql(move, { id: other.data!.createContact.id, e: "olga.old@vandelay.test" }, { token: sales, purpose: "service_provision" });
    expect(onto.data!.updateContact.objections).toEqual(["sales_pipeline"]);
  });

  it("a person restricted after her record moved to a new address: adding her again with the old one carries the restriction", async () => {
    const sales = await t.login("sales@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const as = { token: sales, purpose: "service_provision" };
    const made = await t.gql(create, { e: "rita.old@vandelay.test" }, as);
    const rita = made.data!.createContact.id;
    expect((await t.gql(move, { id: rita, e: "rita.new@vandelay.test" }, as)).errors).toBeUndefined();
    const restricted = await t.gql(
      `mutation($id: ID!) { restrictProcessing(contactId: $id, reason: "Contests accuracy") { processingRestricted } }`,
      { id: rita },
      { token: dpo },
    );
    expect(restricted.data!.restrictProcessing.processingRestricted).toBe(true);
    const again = await t.gql(create, { e: "rita.old@vandelay.test" }, as);
    expect(again.data?.createContact ?? null).toBeNull();
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.restriction.service_provision" });
    const rows = await db(t).select({ id: contacts.id }).from(contacts).where(eq(contacts.email, "rita.old@vandelay.test"));
    expect(rows).toEqual([]);
  });

  it("updateContact to a restricted person's email is refused under a purpose that restriction stops, and nothing changes", async () => {
    const sales = await t.login("sales@acme.test");
    const as = { token: sales, purpose: "sales_pipeline" };
    const made = await t.gql(create, { e: "felix.copy@hooli.test" }, as);
    const id = made.data!.createContact.id;
    const moved = await t.gql(move, { id, e: "felix.richard@hooli.test" }, as);
    expect(moved.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    const [row] = await db(t).select({ email: contacts.email, restricted: contacts.processingRestricted }).from(contacts).where(eq(contacts.id, id));
    expect(row).toEqual({ email: "felix.copy@hooli.test", restricted: false });
  });
});

describe("lists that were not paged", () => {
  it("consentHistory answers the 200 newest events unless `first` asks fewer, and refuses more: a ledger grown by alternating grant and withdraw is not read whole per alias", async () => {
    const ws = await workspaceId(t, "Acme");
    const alice = await contactIdByEmail(t, "alice.martin@initech.test");
    await db(t).transaction(async (tx: Db) => {
      for (let i = 0; i < 210; i++) {
        const state = i % 2 === 0 ? "granted" : "withdrawn";
        await applyConsent(tx, { workspaceId: ws, contactId: alice, purpose: "marketing_sms", channel: "sms", state, source: "form", recordedBy: null });
      }
    });
    const dpo = await t.login("dpo@acme.test");
    const Q = `query($id: ID!, $n: Int!) { consentHistory(contactId: $id, first: $n) { id state } }`;
    const all = await t.gql(`query($id: ID!) { consentHistory(contactId: $id) { id } }`, { id: alice }, { token: dpo });
    expect(all.errors).toBeUndefined();
    expect(all.data!.consentHistory).toHaveLength(200);
    const newest = await t.gql(Q, { id: alice, n: 2 }, { token: dpo });
    // The 210th change (a withdrawal) first.
    expect(newest.data!.consentHistory.map((e: { state: string }) => e.state)).toEqual(["WITHDRAWN", "GRANTED"]);
    const tooMany = await t.gql(Q, { id: alice, n: 201 }, { token: dpo });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });
});
