// Review 3: attacks on the fan-out limit, the former addresses that carry objections, the
// ledger's clock and the once-per-request audit check. Each test asserts the SAFE behaviour.
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, desc, sql } from "drizzle-orm";
import type { Db } from "../../src/db/client.js";
import { auditLog, contacts, interactions, outboxEvents } from "../../src/db/schema/index.js";
import { bodyFor, recipientEmailHash } from "../../src/modules/webhooks/outbox.service.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const TOO_COMPLEX = "QUERY_TOO_COMPLEX";

describe("fan-out limit: ways around it", () => {
  it("a mutation's answer, an inline fragment without a type condition and `last` in a variable are counted", async () => {
    const owner = await t.login("owner@acme.test");
    const viaMutation = await t.gql(
      `mutation { updateContact(id: "00000000-0000-0000-0000-000000000000", input: { position: "x" }) {
         ... { company { contacts(first: 100) { company { contacts(first: 100) { company { contacts(first: 100) { id } } } } } } } } }`,
      {},
      { token: owner },
    );
    expect(viaMutation.data ?? undefined).toBeUndefined();
    expect(viaMutation.errors?.[0]?.extensions.code).toBe(TOO_COMPLEX);
    const viaLast = await t.gql(
      `query($n: Int) { contacts(last: $n) { nodes { company { contactsConnection(last: $n) { edges { node { company { contactsConnection(last: $n) { nodes { id } } } } } } } } } }`,
      { n: 100 },
      { token: owner },
    );
    expect(viaLast.errors?.[0]?.extensions.code).toBe(TOO_COMPLEX);
  });

  it("sizes the checker cannot read (a string, a huge or negative number) never run the query", async () => {
    const owner = await t.login("owner@acme.test");
    const q = `query($n: Int) { contacts(first: $n) { nodes { company { contacts(first: $n) { company { contacts(first: $n) { id } } } } } } }`;
    for (const n of ["100", 1e12, -1, 100.5]) {
      const r = await t.gql(q, { n }, { token: owner });
      expect(r.data?.contacts ?? null, String(n)).toBeNull();
      expect(r.errors?.length, String(n)).toBeGreaterThan(0);
    }
  });

  it("fragments spread exponentially are refused quickly, not walked for seconds nor answered with a 500", async () => {
    const owner = await t.login("owner@acme.test");
    const depth = 18; // 2^18 spreads of the last fragment
    const fragments = Array.from({ length: depth }, (_, i) => `fragment F${i} on Contact { ...F${i + 1} ...F${i + 1} }`).join("\n");
    const q = `${fragments}\nfragment F${depth} on Contact { id }\n{ contacts(first: 1) { nodes { ...F0 } } }`;
    const started = Date.now();
    const r = await t.gql(q, {}, { token: owner });
    const took = Date.now() - started;
    expect(r.status).toBe(200);
    expect(r.data ?? undefined).toBeUndefined();
    expect(r.errors?.[0]?.extensions.code).toMatch(/QUERY_TOO_COMPLEX|GRAPHQL_VALIDATION_FAILED|GRAPHQL_PARSE_FAILED/);
    expect(took).toBeLessThan(5000);
  });

  it("no query of the README is refused as too complex (no false positive on the frontend's queries)", async () => {
    const owner = await t.login("owner@acme.test");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(0);
    for (const q of blocks) {
      const r = await t.gql(q, {}, { token: owner });
      expect(r.errors?.map((e) => e.extensions.code) ?? [], q).not.toContain(TOO_COMPLEX);
    }
    // The largest page with both nested lists at their maximum (40,400 objects; sizes in
    // variables, as armor's literal cost limit would refuse them written out) still runs.
    const big = await t.gql(
      `query($n: Int, $m: Int) { contacts(first: $n) { nodes { id deals(first: $m) { id } interactions(first: $m) { id } } } }`,
      { n: 200, m: 100 },
      { token: owner },
    );
    expect(big.errors, JSON.stringify(big.errors)).toBeUndefined();
  });
});

describe("former addresses: objections follow them, nobody reads them", () => {
  const create = `mutation($e: EmailAddress!) { createContact(input: { firstName: "Nora", lastName: "Null", email: $e }) { id objections } }`;
  const move = `mutation($id: ID!, $e: EmailAddress) { updateContact(id: $id, input: { email: $e }) { id objections } }`;
  const object = `mutation($id: ID!) { objectToProcessing(contactId: $id, purpose: "sales_pipeline", reason: "No prospecting") { objections } }`;

  it("emptying the objecting person's email, then adding her again, does not escape the objection", async () => {
    const sales = await t.login("sales@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const as = { token: sales, purpose: "service_provision" };
    const nora = (await t.gql(create, { e: "nora.null@vandelay.test" }, as)).data!.createContact.id;
    expect((await t.gql(object, { id: nora }, { token: dpo })).errors).toBeUndefined();
    const emptied = await t.gql(move, { id: nora, e: null }, as);
    expect(emptied.errors).toBeUndefined();
    const again = await t.gql(create, { e: "NORA.null@vandelay.test" }, { token: sales, purpose: "sales_pipeline" });
    expect(again.data?.createContact ?? null).toBeNull();
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.objection.sales_pipeline" });
    // Her own record given its address back still carries the objection, and keeps it former once.
    const back = await t.gql(move, { id: nora, e: "nora.null@vandelay.test" }, as);
    expect(back.data!.updateContact.objections).toEqual(["sales_pipeline"]);
    const [row] = await db(t).select({ former: contacts.formerEmails }).from(contacts).where(eq(contacts.id, nora));
    expect(row.former).toEqual(["nora.null@vandelay.test"]);
  });

  it("two moves of one record at once keep both addresses it left", async () => {
    const owner = await t.login("owner@acme.test");
    const id = (await t.gql(create, { e: "twin.a@vandelay.test" }, { token: owner })).data!.createContact.id;
    const [b, c] = await Promise.all([
      t.gql(move, { id, e: "twin.b@vandelay.test" }, { token: owner }),
      t.gql(move, { id, e: "twin.c@vandelay.test" }, { token: owner }),
    ]);
    expect(b.errors).toBeUndefined();
    expect(c.errors).toBeUndefined();
    const [row] = await db(t).select({ email: contacts.email, former: contacts.formerEmails }).from(contacts).where(eq(contacts.id, id));
    expect([...row.former, row.email].sort()).toEqual(["twin.a@vandelay.test", "twin.b@vandelay.test", "twin.c@vandelay.test"]);
  });

  it("creating the person again while her record moves off her address is refused, whichever commits first", async () => {
    const sales = await t.login("sales@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const as = { token: sales, purpose: "service_provision" };
    for (let i = 0; i < 4; i++) {
      const e = `race${i}.obj@vandelay.test`;
      const id = (await t.gql(create, { e }, as)).data!.createContact.id;
      expect((await t.gql(object, { id }, { token: dpo })).errors).toBeUndefined();
      const [moved, again] = await Promise.all([
        t.gql(move, { id, e: `race${i}.new@vandelay.test` }, as),
        t.gql(create, { e }, { token: sales, purpose: "sales_pipeline" }),
      ]);
      expect(moved.errors).toBeUndefined();
      expect(again.data?.createContact ?? null, e).toBeNull();
      expect(again.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    }
  });

  it("a former address is not served, filtered on, searched or sorted by (owner, every field visible)", async () => {
    const owner = await t.login("owner@acme.test");
    const id = (await t.gql(create, { e: "hidden.before@vandelay.test" }, { token: owner })).data!.createContact.id;
    expect((await t.gql(move, { id, e: "hidden.after@vandelay.test" }, { token: owner })).errors).toBeUndefined();
    const r = await t.gql(
      `query($id: ID!) { byEmail: contacts(filter: { email: "hidden.before@vandelay.test" }) { totalCount }
         bySearch: contacts(filter: { search: "hidden.before" }) { totalCount }
         one: contact(id: $id) { id email }
         type: __type(name: "Contact") { fields { name } } }`,
      { id },
      { token: owner },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.byEmail.totalCount).toBe(0);
    expect(r.data!.bySearch.totalCount).toBe(0);
    expect(r.data!.one.email).toBe("hidden.after@vandelay.test");
    expect(JSON.stringify(r.data)).not.toContain("hidden.before");
    expect(JSON.stringify(r.data).toLowerCase()).not.toContain("former");
    // An unknown field is a validation error that does not spell the column.
    const asked = await t.gql(`query($id: ID!) { contact(id: $id) { formerEmails } }`, { id }, { token: owner });
    expect(JSON.stringify(asked)).not.toContain("hidden.before");
  });
});

describe("consentHistory(first) and the audit check once per request", () => {
  it("consentHistory refuses sizes outside 0-200 before reading, and 0 reads nothing", async () => {
    const owner = await t.login("owner@acme.test");
    const [alice] = await db(t).select({ id: contacts.id }).from(contacts).where(eq(contacts.email, "alice.martin@initech.test"));
    for (const first of [201, -1]) {
      const r = await t.gql(`query($id: ID!, $f: Int) { consentHistory(contactId: $id, first: $f) { id } }`, { id: alice.id, f: first }, { token: owner });
      expect(r.data?.consentHistory ?? null).toBeNull();
      expect(r.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    }
    const none = await t.gql(`query($id: ID!) { consentHistory(contactId: $id, first: 0) { id } }`, { id: alice.id }, { token: owner });
    expect(none.data!.consentHistory).toEqual([]);
  });
});

/** As an attacker with database access: through the append-only trigger's maintenance switch. */
function tamper(change: (tx: Db) => Promise<unknown>) {
  return db(t).transaction(async (tx: Db) => {
    await tx.execute(sql`select set_config('alpha.ledger_maintenance', 'on', true)`);
    await change(tx);
  });
}

describe("verifyAuditLog once per request is per request", () => {
  it("a chain changed between two requests is reported broken by the second (the check is not cached across requests)", async () => {
    const aud = await t.login("auditor@acme.test");
    const before = await t.gql(`{ a: verifyAuditLog { ok } b: verifyAuditLog { ok } }`, {}, { token: aud });
    expect(before.data).toEqual({ a: { ok: true }, b: { ok: true } });
    const ws = await workspaceId(t, "Acme");
    const [last] = await db(t)
      .select({ seq: auditLog.seq, reason: auditLog.reason })
      .from(auditLog)
      .where(eq(auditLog.workspaceId, ws))
      .orderBy(desc(auditLog.seq))
      .limit(1);
    const at = and(eq(auditLog.workspaceId, ws), eq(auditLog.seq, last.seq));
    await tamper((tx) => tx.update(auditLog).set({ reason: "nothing to see" }).where(at));
    try {
      const after = await t.gql(`{ a: verifyAuditLog { ok } b: verifyAuditLog { ok } }`, {}, { token: aud });
      expect(after.data).toEqual({ a: { ok: false }, b: { ok: false } });
    } finally {
      await tamper((tx) => tx.update(auditLog).set({ reason: last.reason }).where(at));
    }
  });
});

describe("erasure tells recipients the addresses the record held", () => {
  // Found open by the review: eraseFreeText scanned deal titles, privacy reasons, requests and
  // legal holds, not the interactions of other people; a note on a colleague's record that gave
  // her address (current or former) survived her erasure. Addresses only: a name in someone
  // else's note may be another person's.
  it("another person's interaction naming the erased person's former address loses it", async () => {
    const owner = await t.login("owner@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const mk = `mutation($e: EmailAddress!, $f: String!) { createContact(input: { firstName: $f, lastName: "Pell", email: $e }) { id } }`;
    const paula = (await t.gql(mk, { e: "paula.old@vandelay.test", f: "Paula" }, { token: owner })).data!.createContact.id;
    const other = (await t.gql(mk, { e: "oscar.other@vandelay.test", f: "Oscar" }, { token: owner })).data!.createContact.id;
    expect(
      (await t.gql(`mutation($id: ID!) { updateContact(id: $id, input: { email: "paula.new@vandelay.test" }) { id } }`, { id: paula }, { token: owner }))
        .errors,
    ).toBeUndefined();
    const note = await t.gql(
      `mutation($id: ID!) { createInteraction(input: { contactId: $id, kind: NOTE, subject: "Referral", body: "Introduced by PAULA.OLD@vandelay.test last year" }) { id } }`,
      { id: other },
      { token: owner, purpose: "sales_pipeline" },
    );
    expect(note.errors, JSON.stringify(note.errors)).toBeUndefined();
    const erased = await t.gql(`mutation($id: ID!) { eraseContact(contactId: $id) { contactId } }`, { id: paula }, { token: dpo });
    expect(erased.errors, JSON.stringify(erased.errors)).toBeUndefined();
    const [row] = await db(t).select({ body: interactions.body }).from(interactions).where(eq(interactions.id, note.data!.createInteraction.id));
    expect(row.body).toBe("Introduced by [erased] last year");
  });

  // Found open by the review: the contact.erased event named the person by one keyed hash, of
  // the address held at erasure, and by none when the email had been emptied. It now also
  // carries `contact.formerEmailHashes`, and `emailHash` falls back to the last former address.
  it("a record whose email was emptied before its erasure is still named to recipients by a hash of the address it held", async () => {
    const owner = await t.login("owner@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const hook = await t.gql(
      `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }`,
      { input: { url: "http://127.0.0.1:9/hook", events: ["CONTACT_ERASED"], description: "Mail provider" } },
      { token: owner },
    );
    expect(hook.errors).toBeUndefined();
    const { secret, webhook } = hook.data!.createWebhook;
    const made = await t.gql(
      `mutation { createContact(input: { firstName: "Emma", lastName: "Empty", email: "emma.old@vandelay.test" }) { id } }`,
      {},
      { token: owner },
    );
    const id = made.data!.createContact.id;
    expect((await t.gql(`mutation($id: ID!) { updateContact(id: $id, input: { email: null }) { id } }`, { id }, { token: owner })).errors).toBeUndefined();
    const erased = await t.gql(`mutation($id: ID!) { eraseContact(contactId: $id) { contactId } }`, { id }, { token: dpo });
    expect(erased.errors, JSON.stringify(erased.errors)).toBeUndefined();
    const [event] = await db(t).select().from(outboxEvents).where(eq(outboxEvents.contactId, id));
    const contact = bodyFor(event.payload, webhook.id).contact;
    expect(contact.emailHash).toBe(recipientEmailHash(secret, "emma.old@vandelay.test"));
    expect(contact.formerEmailHashes).toEqual([recipientEmailHash(secret, "emma.old@vandelay.test")]);
    // The stored event keeps hashes only, never an address.
    expect(JSON.stringify(event.payload)).not.toContain("emma.old");
  });
});
