import { eq } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invitations, users } from "../../src/db/schema/index.js";
import { ExportLinks } from "../../src/modules/exports/export.token.js";
import { contactFilter } from "../../src/modules/contacts/contact.repository.js";
import { latestConsentEvents } from "../../src/modules/consent/consent.repository.js";
import { answersOf } from "../../src/modules/privacy-requests/privacy-request.repository.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, userId, workspaceId } from "../helpers/fixtures.js";

/*
 * Holes an outside reviewer found from a fresh clone (each test fails without its fix):
 * what a caller could learn beyond what it may read, and statement texts a caller could multiply.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const INVITE = `mutation($e: EmailAddress!) { inviteUser(input: { email: $e, role: "support", name: "Probe" }) { id email role token } }`;
const ACCEPT = `mutation($t: String!) { acceptInvitation(token: $t, password: "correct horse battery staple") { token } }`;

describe("inviteUser does not tell which addresses have an account in another workspace", () => {
  it("another workspace's account is answered like an unknown address; acceptInvitation refuses it to the invitee", async () => {
    const globex = await t.login("owner@globex.test");
    const unknown = await t.gql(INVITE, { e: "nobody-here@acme.test" }, { token: globex });
    const taken = await t.gql(INVITE, { e: "dpo@acme.test" }, { token: globex });
    expect(unknown.errors).toBeUndefined();
    expect(taken.errors).toBeUndefined();
    expect(Object.keys(taken.data!.inviteUser).sort()).toEqual(Object.keys(unknown.data!.inviteUser).sort());
    // The invitation leads nowhere: the address already signs in elsewhere, and nothing is created.
    const accepted = await t.gql(ACCEPT, { t: taken.data!.inviteUser.token });
    expect(accepted.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const rows = await db(t).select({ workspaceId: users.workspaceId }).from(users).where(eq(users.email, "dpo@acme.test"));
    expect(rows).toEqual([{ workspaceId: await workspaceId(t, "Acme") }]);
  });

  it("a member of the caller's own workspace is still refused by name", async () => {
    const acme = await t.login("owner@acme.test");
    const res = await t.gql(INVITE, { e: "support@acme.test" }, { token: acme });
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.email" });
    expect((await db(t).select().from(invitations).where(eq(invitations.email, "support@acme.test"))).length).toBe(0);
  });
});

describe("explainAccess with an id tells a token nothing about a subject its scopes do not read", () => {
  const EXPLAIN = `query($id: ID) { explainAccess(action: "read", subject: "Contact", id: $id, purpose: "sales_pipeline") { allowed rule reason chain { check outcome detail } } }`;
  const mint = async (scopes: string[]) => {
    const res = await t.gql(
      `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`,
      { i: { name: "explain", scopes, purposes: ["legal_compliance", "sales_pipeline"], defaultPurpose: "legal_compliance" } },
      { token: await t.login("owner@acme.test") },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.createApiToken.token as string;
  };

  it("audit_entries:read alone: no tenant check, no gate chain (the person's objection stays unsaid)", async () => {
    const objected = await contactIdByEmail(t, "gabrielle.petit@vandelay.test");
    const res = await t.gql(EXPLAIN, { id: objected }, { token: await mint(["audit_entries:read"]) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.explainAccess).toMatchObject({ allowed: false, rule: "token.scopes" });
    const checks = res.data!.explainAccess.chain.map((c: { check: string }) => c.check);
    expect(checks).not.toContain("TENANT");
    expect(checks).not.toContain("OBJECTION");
    expect(JSON.stringify(res.data)).not.toMatch(/objected/i);
    // An unknown id gets the very same answer: existence does not leak either.
    const missing = await t.gql(EXPLAIN, { id: "00000000-0000-4000-8000-000000000000" }, { token: await mint(["audit_entries:read"]) });
    expect(missing.data!.explainAccess).toEqual(res.data!.explainAccess);
  });

  it("with contacts:read the row's chain is explained as before", async () => {
    const objected = await contactIdByEmail(t, "gabrielle.petit@vandelay.test");
    const res = await t.gql(EXPLAIN, { id: objected }, { token: await mint(["audit_entries:read", "contacts:read"]) });
    expect(res.errors).toBeUndefined();
    const objection = res.data!.explainAccess.chain.find((c: { check: string }) => c.check === "OBJECTION");
    expect(objection).toMatchObject({ outcome: "DENY" });
  });
});

describe("id lists are one array parameter: a caller cannot multiply prepared statement texts", () => {
  const dialect = new PgDialect();
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
  const readable = () => null;

  it("filter.ids: the same text for 1 and 60 ids", () => {
    const text = (n: number) => dialect.sqlToQuery(contactFilter({ ids: ids(n) }, readable)!).sql;
    expect(text(60)).toBe(text(1));
  });

  it("the consent and request-answer loaders: the same text whatever the batch size", () => {
    const handle = db(t);
    const ws = ids(1)[0];
    // The repositories return drizzle's query builders (a promise with toSQL); nothing runs here.
    const text = (query: unknown) => (query as { toSQL(): { sql: string } }).toSQL().sql;
    expect(text(latestConsentEvents(handle, ws, ids(60)))).toBe(text(latestConsentEvents(handle, ws, ids(1))));
    expect(text(answersOf(handle, ws, ids(60)))).toBe(text(answersOf(handle, ws, ids(1))));
  });

  it("filter.ids still answers exactly the visible rows asked for, and the limit holds", async () => {
    const token = await t.login("owner@acme.test");
    const wanted = [await contactIdByEmail(t, "alice.martin@initech.test"), await contactIdByEmail(t, "bruno.bernard@initech.test")];
    const other = await contactIdByEmail(t, "homer@springfield.test");
    const res = await t.gql(`query($i: [ID!]) { contacts(filter: { ids: $i }) { totalCount nodes { id } } }`, { i: [...wanted, other] }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.contacts.totalCount).toBe(2);
    expect(res.data!.contacts.nodes.map((n: { id: string }) => n.id).sort()).toEqual([...wanted].sort());
    const tooMany = await t.gql(`query($i: [ID!]) { contacts(filter: { ids: $i }) { totalCount } }`, { i: ids(201) }, { token });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.ids" });
  });
});

describe("an export download link stops working when its user is deactivated", () => {
  it("a deactivated DPO's link (contact or own data) is refused, as their sessions are", async () => {
    const acme = await workspaceId(t, "Acme");
    const [leaver] = await db(t)
      .insert(users)
      .values({ workspaceId: acme, email: "leaver@acme.test", name: "Lee Leaver", role: "dpo", passwordHash: "x" })
      .returning({ id: users.id });
    const links = new ExportLinks(t.app.signingSecret, t.config.publicUrl);
    const expiresAt = new Date(Date.now() + 60_000);
    const contact = await contactIdByEmail(t, "alice.martin@initech.test");
    const base = { workspaceId: acme, format: "json" as const, principalId: leaver.id, purpose: "legal_compliance", expiresAt };
    const get = (ticket: Parameters<ExportLinks["url"]>[0]) => t.app.server.inject({ method: "GET", url: new URL(links.url(ticket)).pathname });
    const ofContact = { ...base, exportId: crypto.randomUUID(), kind: "contact" as const, subjectId: contact };
    const ofSelf = { ...base, exportId: crypto.randomUUID(), kind: "user" as const, subjectId: leaver.id };
    // While active, the link works (the permission is the DPO's own).
    expect((await get(ofContact)).statusCode).toBe(200);
    const owner = await t.login("owner@acme.test");
    const off = await t.gql(`mutation($u: ID!) { deactivateUser(userId: $u) { id } }`, { u: await userId(t, "leaver@acme.test") }, { token: owner });
    expect(off.errors).toBeUndefined();
    for (const ticket of [ofContact, ofSelf]) {
      const res = await get(ticket);
      expect(res.statusCode, ticket.kind).toBe(403);
      expect(res.body).not.toContain("alice");
    }
  });
});
