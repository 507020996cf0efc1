import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";

// Contract: NOT_FOUND when "the id does not exist, belongs to another workspace, or is hidden
// by a purpose guard: existence never leaks; explainAccess tells an authorised reviewer why".

let t: TestApp;
let acme: string;
let globex: string;
const acmeIds = { contact: "", company: "", deal: "", interaction: "" };
const acmeContactIds = new Set<string>();

beforeAll(async () => {
  t = await startTestApp();
  acme = await t.login("owner@acme.test");
  globex = await t.login("owner@globex.test");
  // legal_compliance sees every Acme contact, restricted ones included.
  const all = await t.gql(`{ contacts(first: 200) { nodes { id } } }`, {}, { token: acme, purpose: "legal_compliance" });
  for (const { id } of all.data!.contacts.nodes) acmeContactIds.add(id);
  const res = await t.gql(
    `{ contacts(first: 1) { nodes { id } } companies(first: 1) { nodes { id } } deals(first: 1) { nodes { id } } interactions(first: 1) { nodes { id } } }`,
    {},
    { token: acme },
  );
  expect(res.errors).toBeUndefined();
  acmeIds.contact = res.data!.contacts.nodes[0].id;
  acmeIds.company = res.data!.companies.nodes[0].id;
  acmeIds.deal = res.data!.deals.nodes[0].id;
  acmeIds.interaction = res.data!.interactions.nodes[0].id;
});
afterAll(() => t.close());

function expectNotFound(res: GqlResult, field: string, label: string) {
  expect(res.errors, `${label}: expected NOT_FOUND, got data ${JSON.stringify(res.data)}`).toBeDefined();
  expect(res.errors![0].extensions.code, `${label}: ${JSON.stringify(res.errors)}`).toBe("NOT_FOUND");
  expect(res.data?.[field] ?? null, `${label} leaked a row`).toBeNull();
  // The answer must not say the row exists elsewhere.
  expect(res.errors![0].message).not.toMatch(/workspace|tenant|Acme/i);
}

async function explainAsGlobex(subject: string, id: string) {
  const res = await t.gql(
    `query($s: String!, $id: ID) { explainAccess(action: "read", subject: $s, id: $id) { allowed rule reason } }`,
    { s: subject, id },
    // Explanations are audit data: a reviewer asks under a purpose that covers audit.
    { token: globex, purpose: "legal_compliance" },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.explainAccess as { allowed: boolean; rule: string; reason: string };
}

describe("Globex owner against an Acme contact", () => {
  it("contact, updateContact, deleteContact, grantConsent and consentHistory are NOT_FOUND", async () => {
    const id = acmeIds.contact;
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ["contact", `query($id: ID!) { contact(id: $id) { id firstName email } }`, { id }],
      ["updateContact", `mutation($id: ID!) { updateContact(id: $id, input: { firstName: "Hijacked" }) { id firstName } }`, { id }],
      ["deleteContact", `mutation($id: ID!) { deleteContact(id: $id) }`, { id }],
      [
        "grantConsent",
        `mutation($id: ID!) { grantConsent(contactId: $id, purpose: "marketing_email", source: "form", proof: { noticeVersion: "2024-11-18", subjectIp: "198.51.100.7", subjectUserAgent: "Mozilla/5.0" }) { id } }`,
        { id },
      ],
      ["consentHistory", `query($id: ID!) { consentHistory(contactId: $id) { id purpose state } }`, { id }],
      // The other privacy-rights operations find the contact the same way.
      ["withdrawConsent", `mutation($id: ID!) { withdrawConsent(contactId: $id, purpose: "marketing_email") { id } }`, { id }],
      ["restrictProcessing", `mutation($id: ID!) { restrictProcessing(contactId: $id, reason: "Accuracy contested") { id } }`, { id }],
      ["liftRestriction", `mutation($id: ID!) { liftRestriction(contactId: $id, informedVia: "email of 2026-11-20") { id } }`, { id }],
      ["objectToProcessing", `mutation($id: ID!) { objectToProcessing(contactId: $id, purpose: "analytics") { id } }`, { id }],
    ];
    for (const [field, query, variables] of cases) {
      expectNotFound(await t.gql(query, variables, { token: globex }), field, field);
    }
  });

  it("the Globex contact list holds none of Acme's contacts, and its totalCount counts its own rows", async () => {
    for (const purpose of [undefined, "legal_compliance"]) {
      const res = await t.gql(`{ contacts(first: 200) { totalCount nodes { id } } }`, {}, { token: globex, purpose });
      expect(res.errors).toBeUndefined();
      const ids: string[] = res.data!.contacts.nodes.map((n: { id: string }) => n.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(
        ids.filter((id) => acmeContactIds.has(id)),
        `purpose ${purpose ?? "default"}`,
      ).toEqual([]);
      expect(res.data!.contacts.totalCount, `purpose ${purpose ?? "default"}`).toBe(ids.length);
    }
    // Under legal_compliance nothing is hidden by a purpose guard: all 4 seeded Globex people.
    const legal = await t.gql(`{ contacts { totalCount } }`, {}, { token: globex, purpose: "legal_compliance" });
    expect(legal.data!.contacts.totalCount).toBe(4);
  });

  it("a filter on Acme ids finds nothing", async () => {
    const res = await t.gql(
      `query($ids: [ID!]) { contacts(filter: { ids: $ids }) { totalCount nodes { id } } }`,
      { ids: [...acmeContactIds] },
      { token: globex },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.contacts).toEqual({ totalCount: 0, nodes: [] });
  });

  it("explainAccess tells the Globex owner the id is not in its workspace", async () => {
    const decision = await explainAsGlobex("Contact", acmeIds.contact);
    expect(decision.allowed).toBe(false);
    expect(decision.rule).toBe("tenant.not_found");
  });

  it("the Acme contact is unchanged after Globex's attempts", async () => {
    const res = await t.gql(
      `query($id: ID!) { contact(id: $id) { id firstName processingRestricted objections } }`,
      { id: acmeIds.contact },
      { token: acme, purpose: "legal_compliance" },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.contact.id).toBe(acmeIds.contact);
    expect(res.data!.contact.firstName).not.toBe("Hijacked");
    expect(res.data!.contact.processingRestricted).toBe(false);
    expect(res.data!.contact.objections).not.toContain("analytics");
    const history = await t.gql(`query($id: ID!) { consentHistory(contactId: $id) { recordedBy source } }`, { id: acmeIds.contact }, { token: acme });
    expect(history.errors).toBeUndefined();
    expect(history.data!.consentHistory.filter((e: { source: string }) => e.source === "FORM")).toEqual([]);
  });
});

const ENTITIES = [
  {
    subject: "Company",
    key: "company" as const,
    get: `query($id: ID!) { company(id: $id) { id name } }`,
    update: `mutation($id: ID!) { updateCompany(id: $id, input: { name: "Hijacked" }) { id name } }`,
    remove: `mutation($id: ID!) { deleteCompany(id: $id) }`,
    readBack: (row: Record<string, unknown>) => expect(row.name).not.toBe("Hijacked"),
  },
  {
    subject: "Deal",
    key: "deal" as const,
    // Deals are written only under sales_pipeline (purposes.yaml writes).
    purpose: "sales_pipeline",
    get: `query($id: ID!) { deal(id: $id) { id title amount } }`,
    update: `mutation($id: ID!) { updateDeal(id: $id, input: { title: "Hijacked", amount: 1 }) { id title } }`,
    remove: `mutation($id: ID!) { deleteDeal(id: $id) }`,
    readBack: (row: Record<string, unknown>) => {
      expect(row.title).not.toBe("Hijacked");
      expect(row.amount).not.toBe(1);
    },
  },
  {
    subject: "Interaction",
    key: "interaction" as const,
    get: `query($id: ID!) { interaction(id: $id) { id subject } }`,
    update: `mutation($id: ID!) { updateInteraction(id: $id, input: { subject: "Hijacked" }) { id subject } }`,
    remove: `mutation($id: ID!) { deleteInteraction(id: $id) }`,
    readBack: (row: Record<string, unknown>) => expect(row.subject).not.toBe("Hijacked"),
  },
];

describe.each(ENTITIES)("Globex owner against an Acme $subject", (entity) => {
  const field = entity.subject.charAt(0).toLowerCase() + entity.subject.slice(1);

  it("get, update and delete are NOT_FOUND", async () => {
    const id = acmeIds[entity.key];
    const as = { token: globex, ...("purpose" in entity ? { purpose: entity.purpose } : {}) };
    expectNotFound(await t.gql(entity.get, { id }, as), field, `${field}(id)`);
    expectNotFound(await t.gql(entity.update, { id }, as), `update${entity.subject}`, `update${entity.subject}`);
    expectNotFound(await t.gql(entity.remove, { id }, as), `delete${entity.subject}`, `delete${entity.subject}`);
  });

  it("the Globex list holds none of Acme's rows", async () => {
    const list = `${field === "company" ? "companies" : `${field}s`}`;
    const res = await t.gql(`{ ${list}(first: 200) { totalCount nodes { id } } }`, {}, { token: globex });
    expect(res.errors).toBeUndefined();
    const ids = res.data![list].nodes.map((n: { id: string }) => n.id);
    expect(ids).not.toContain(acmeIds[entity.key]);
    expect(res.data![list].totalCount).toBe(ids.length);
  });

  it("explainAccess says tenant.not_found", async () => {
    const decision = await explainAsGlobex(entity.subject, acmeIds[entity.key]);
    expect(decision.allowed).toBe(false);
    expect(decision.rule).toBe("tenant.not_found");
  });

  it("the Acme row is unchanged (read back as the Acme owner)", async () => {
    const res = await t.gql(entity.get, { id: acmeIds[entity.key] }, { token: acme });
    expect(res.errors).toBeUndefined();
    expect(res.data![field], `Acme ${entity.subject} disappeared after Globex's delete`).not.toBeNull();
    entity.readBack(res.data![field]);
  });
});

describe("cross-tenant references", () => {
  it("a Globex contact cannot be attached to an Acme company", async () => {
    const res = await t.gql(
      `mutation($c: ID!) { createContact(input: { firstName: "Cross", lastName: "Tenant", companyId: $c }) { id } }`,
      { c: acmeIds.company },
      { token: globex },
    );
    expect(res.errors![0].extensions.code).toBe("NOT_FOUND");
    expect(res.errors![0].extensions.field).toBe("companyId");
  });

  it("a Globex deal cannot point at an Acme contact", async () => {
    const res = await t.gql(
      `mutation($c: ID!) { createDeal(input: { title: "Cross", contactId: $c }) { id } }`,
      { c: acmeIds.contact },
      { token: globex, purpose: "sales_pipeline" },
    );
    expect(res.errors![0].extensions.code).toBe("NOT_FOUND");
    expect(res.errors![0].extensions.field).toBe("contactId");
  });

  it("a Globex row cannot be re-pointed at an Acme row", async () => {
    const own = await t.gql(
      `{ contacts(first: 1) { nodes { id } } deals(first: 1) { nodes { id } } interactions(first: 1) { nodes { id } } }`,
      {},
      { token: globex },
    );
    const [contact, deal, interaction] = [own.data!.contacts.nodes[0].id, own.data!.deals.nodes[0].id, own.data!.interactions.nodes[0].id];
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      [
        "updateContact.companyId",
        `mutation($id: ID!, $c: ID!) { updateContact(id: $id, input: { companyId: $c }) { id } }`,
        { id: contact, c: acmeIds.company },
        "companyId",
      ],
      [
        "updateDeal.contactId",
        `mutation($id: ID!, $c: ID!) { updateDeal(id: $id, input: { contactId: $c }) { id } }`,
        { id: deal, c: acmeIds.contact },
        "contactId",
      ],
      [
        "updateDeal.companyId",
        `mutation($id: ID!, $c: ID!) { updateDeal(id: $id, input: { companyId: $c }) { id } }`,
        { id: deal, c: acmeIds.company },
        "companyId",
      ],
      [
        "updateInteraction.dealId",
        `mutation($id: ID!, $d: ID!) { updateInteraction(id: $id, input: { dealId: $d }) { id } }`,
        { id: interaction, d: acmeIds.deal },
        "dealId",
      ],
    ];
    for (const [label, query, variables, field] of cases) {
      const res = await t.gql(query, variables, { token: globex, ...(label.startsWith("updateDeal") ? { purpose: "sales_pipeline" } : {}) });
      expect(res.errors?.[0]?.extensions.code, `${label}: ${JSON.stringify(res.errors ?? res.data)}`).toBe("NOT_FOUND");
      expect(res.errors![0].extensions.field, label).toBe(field);
    }
  });

  it("a Globex interaction cannot be logged against an Acme contact", async () => {
    const res = await t.gql(
      `mutation($c: ID!) { createInteraction(input: { contactId: $c, kind: NOTE, subject: "x" }) { id } }`,
      { c: acmeIds.contact },
      { token: globex },
    );
    expect(res.errors![0].extensions.code).toBe("NOT_FOUND");
  });
});
