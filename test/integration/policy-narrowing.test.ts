// Policies that mean what their reasons say (issue 6, item 7), through the API: each rule whose
// conditions were wider than its reason, and what changed for the role that holds it.
import "reflect-metadata";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts, interactions } from "../../src/db/schema/index.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let acme: string;
const tokens: Record<string, string> = {};

async function idOf(firstName: string): Promise<string> {
  const [row] = await db(t)
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.firstName, firstName), eq(contacts.workspaceId, acme)));
  return row.id;
}

/** A seeded interaction (logged by the sales rep) with this subject line. */
async function interactionId(subject: string): Promise<string> {
  const [row] = await db(t)
    .select({ id: interactions.id })
    .from(interactions)
    .where(and(eq(interactions.subject, subject), eq(interactions.workspaceId, acme)));
  return row.id;
}

const CREATE = `mutation($c: ID!, $k: InteractionKind!, $s: String!) { createInteraction(input: { contactId: $c, kind: $k, subject: $s }) { id purpose } }`;
const UPDATE = `mutation($id: ID!) { updateInteraction(id: $id, input: { body: "Corrected." }) { body } }`;

function expectForbidden(res: GqlResult, rule = "default.deny"): void {
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors ?? res.data)).toMatchObject({ code: "FORBIDDEN", rule });
}

async function create(who: string, contact: string, kind: string, subject: string, purpose?: string): Promise<string> {
  const res = await t.gql(CREATE, { c: contact, k: kind, s: subject }, { token: tokens[who], purpose });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.createInteraction.id;
}

beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  for (const who of ["owner", "marketing", "support", "sales", "dpo", "auditor"]) tokens[who] = await t.login(`${who}@acme.test`);
});
afterAll(() => t.close());

describe("marketing.interactions.campaigns: only interactions whose purpose is a marketing purpose", () => {
  it("sees the campaign email and text, not a support email or a sales email to the same consenting person", async () => {
    const alice = await idOf("Alice"); // consents to email and SMS; the seed logged a newsletter and an SMS
    const ticket = await create("owner", alice, "EMAIL", "Ticket 3001: invoice question", "customer_support");
    const offer = await create("owner", alice, "EMAIL", "Our offer, as discussed", "sales_pipeline");
    const res = await t.gql(
      `query($c: ID!) { interactions(first: 200, filter: { contactId: $c }) { nodes { id kind purpose } } }`,
      { c: alice },
      { token: tokens.marketing },
    );
    expect(res.errors).toBeUndefined();
    const seen = res.data!.interactions.nodes as Array<{ id: string; purpose: string }>;
    // Under a consent purpose only that purpose's own records are read (gate.record_purpose).
    expect(seen.map((n) => n.purpose).sort()).toEqual(["marketing_email"]);
    expect(seen.map((n) => n.id)).not.toContain(ticket);
    expect(seen.map((n) => n.id)).not.toContain(offer);
    const single = await t.gql(`query($id: ID!) { interaction(id: $id) { id } }`, { id: ticket }, { token: tokens.marketing });
    expect(single.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    // The same under marketing_sms.
    const sms = await t.gql(
      `query($c: ID!) { interactions(first: 200, filter: { contactId: $c }) { nodes { purpose } } }`,
      { c: alice },
      { token: tokens.marketing, purpose: "marketing_sms" },
    );
    expect((sms.data!.interactions.nodes as Array<{ purpose: string }>).map((n) => n.purpose).sort()).toEqual(["marketing_sms"]);
  });

  it("cannot log an email under analytics (not a marketing purpose)", async () => {
    const alice = await idOf("Alice");
    const res = await t.gql(CREATE, { c: alice, k: "EMAIL", s: "Survey" }, { token: tokens.marketing, purpose: "analytics" });
    expect(res.errors?.[0]?.extensions.code).toMatch(/FORBIDDEN|NOT_FOUND/);
  });
});

describe("support.interactions.log: support corrects only its own calls, emails and notes", () => {
  it("reads an interaction the sales rep logged but cannot correct it", async () => {
    const ticket = await interactionId("Ticket 1042"); // logged by the sales rep in the demo data
    const read = await t.gql(`query($id: ID!) { interaction(id: $id) { subject body } }`, { id: ticket }, { token: tokens.support });
    expect(read.data!.interaction).toEqual({ subject: "Ticket 1042", body: "Export question." });
    expectForbidden(await t.gql(UPDATE, { id: ticket }, { token: tokens.support }));
  });

  it("corrects the note it logged itself", async () => {
    const ines = await idOf("Ines");
    const own = await create("support", ines, "NOTE", "Ticket 3002");
    const res = await t.gql(UPDATE, { id: own }, { token: tokens.support });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateInteraction.body).toBe("Corrected.");
  });

  it("does not log meetings or text messages", async () => {
    const ines = await idOf("Ines");
    expectForbidden(await t.gql(CREATE, { c: ines, k: "MEETING", s: "On site" }, { token: tokens.support }));
  });
});

describe("sales_rep.interactions.log: a sales rep changes only its own interactions", () => {
  it("reads a colleague's support note but cannot correct or delete it", async () => {
    const ines = await idOf("Ines");
    const supportNote = await create("support", ines, "NOTE", "Ticket 3003", "service_provision");
    const read = await t.gql(
      `query($id: ID!) { interaction(id: $id) { subject } }`,
      { id: supportNote },
      { token: tokens.sales, purpose: "service_provision" },
    );
    expect(read.data!.interaction).toEqual({ subject: "Ticket 3003" });
    expectForbidden(await t.gql(UPDATE, { id: supportNote }, { token: tokens.sales, purpose: "service_provision" }));
    expectForbidden(
      await t.gql(`mutation($id: ID!) { deleteInteraction(id: $id) }`, { id: supportNote }, { token: tokens.sales, purpose: "service_provision" }),
    );
  });

  it("updates and deletes its own call, and sends no text messages", async () => {
    const bruno = await idOf("Bruno");
    const call = await create("sales", bruno, "CALL", "Follow-up");
    expect((await t.gql(UPDATE, { id: call }, { token: tokens.sales })).errors).toBeUndefined();
    expect((await t.gql(`mutation($id: ID!) { deleteInteraction(id: $id) }`, { id: call }, { token: tokens.sales })).data!.deleteInteraction).toBe(true);
    expectForbidden(await t.gql(CREATE, { c: bruno, k: "SMS", s: "Promo" }, { token: tokens.sales }));
  });
});

describe("support.companies.read: which company a person works for, nothing more", () => {
  it("reads company names; a company's deals and account owner are masked", async () => {
    const res = await t.gql(
      `{ companies { nodes { name industry deals { id } owner { name } } } }`,
      {},
      { token: tokens.support, purpose: "service_provision" },
    );
    const nodes = res.data!.companies.nodes as Array<{ name: string; deals: unknown; owner: unknown }>;
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) expect(node).toMatchObject({ deals: null, owner: null });
    expect(nodes.every((n) => n.name)).toBe(true);
    const masked = (res.errors ?? []).filter((e) => e.extensions.code === "FORBIDDEN").flatMap((e) => e.extensions.fields as string[]);
    expect(masked.sort()).toEqual(["deals", "owner"]);
  });
});

describe("users: colleagues see who works here; each member reads its own profile", () => {
  it("the auditor reads its own email; the dpo its own sign-in time but not a colleague's", async () => {
    const auditor = await t.gql(`{ me { email role } }`, {}, { token: tokens.auditor });
    expect(auditor.errors).toBeUndefined();
    expect(auditor.data!.me).toEqual({ email: "auditor@acme.test", role: "auditor" });
    const me = await t.gql(`{ me { email lastLoginAt } }`, {}, { token: tokens.dpo });
    expect(me.errors).toBeUndefined();
    expect(me.data!.me.lastLoginAt).not.toBeNull();
    const colleague = await t.gql(`{ interactions(first: 1) { nodes { owner { name lastLoginAt } } } }`, {}, { token: tokens.dpo });
    const owner = colleague.data!.interactions.nodes[0].owner as { name: string | null; lastLoginAt: string | null };
    expect(owner.name).toBeTruthy();
    expect(owner.lastLoginAt).toBeNull();
    expect(colleague.errors?.some((e) => e.extensions.code === "FORBIDDEN" && (e.extensions.fields as string[]).includes("lastLoginAt"))).toBe(true);
  });
});
