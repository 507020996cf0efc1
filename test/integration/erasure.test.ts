// Erasure (issue #9 part B): eraseContact in one transaction with the legal exceptions in its
// report, deleteContact as an erasure, legal holds, role and tenant denials, the erasure journal
// and its replay after a "restore", and closeMyAccount.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentEvents, contacts, deals, interactions, outboxEvents, sessions, users } from "../../src/db/schema/index.js";
import { CursorCodec } from "../../src/modules/common/cursor.js";
import { systemScope } from "../../src/modules/common/scope.js";
import { erasureService } from "../../src/modules/erasure/erasure.service.js";
import { deliverDue, recipientEmailHash } from "../../src/modules/webhooks/outbox.service.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, userId, workspaceId } from "../helpers/fixtures.js";

const ERASE = `mutation($id: ID!, $r: ID) { eraseContact(contactId: $id, requestId: $r) {
  contactId erasedAt erasedFields retained { table reason count } interactionsDeleted dealsUnlinked consentProofsCleared
  dealTitlesReplaced privacyReasonsCleared requestTextsCleared reasonsRedacted } }`;
const PLACE = `mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id } }`;
const RELEASE = `mutation($id: ID!, $reason: String) { releaseLegalHold(id: $id, reason: $reason) { id } }`;

let t: TestApp;
let journalPath: string;
const dir = mkdtempSync(join(tmpdir(), "alpha-erasure-"));

beforeAll(async () => {
  journalPath = join(dir, "journal", "erasure-journal.ndjson");
  t = await startTestApp({ ERASURE_JOURNAL_PATH: journalPath });
});
afterAll(async () => {
  await t?.close();
});

const journalLines = (): string[] => {
  try {
    return readFileSync(journalPath, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

async function snapshot(id: string) {
  const d = db(t);
  const [row] = await d.select().from(contacts).where(eq(contacts.id, id));
  const notes = await d.select({ id: interactions.id }).from(interactions).where(eq(interactions.contactId, id));
  const linked = await d.select({ id: deals.id }).from(deals).where(eq(deals.contactId, id));
  const proofs = await d.select().from(consentEvents).where(eq(consentEvents.contactId, id));
  return { row, notes: notes.length, deals: linked.length, proofs };
}

describe("eraseContact: who may", () => {
  it("refuses the roles without the erase action, with the role's rule, and changes nothing", async () => {
    const alice = await contactIdByEmail(t, "alice.martin@initech.test");
    const before = await snapshot(alice);
    for (const email of ["sales@acme.test", "marketing@acme.test", "support@acme.test", "auditor@acme.test"]) {
      const res = await t.gql(ERASE, { id: alice }, { token: await t.login(email) });
      expect(res.errors?.[0]?.extensions.code, email).toBe("FORBIDDEN");
      expect(res.data?.eraseContact ?? null).toBeNull();
    }
    expect(await snapshot(alice)).toEqual(before);
    expect(journalLines()).toEqual([]);
  });

  it("another workspace's owner gets NOT_FOUND (eraseContact and deleteContact), nothing changes", async () => {
    const alice = await contactIdByEmail(t, "alice.martin@initech.test");
    const before = await snapshot(alice);
    const globex = await t.login("owner@globex.test");
    const erase = await t.gql(ERASE, { id: alice }, { token: globex, purpose: "legal_compliance" });
    expect(erase.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    const del = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: alice }, { token: globex });
    expect(del.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    expect(await snapshot(alice)).toEqual(before);
  });

  it("a malformed requestId is BAD_USER_INPUT, nothing changes", async () => {
    const alice = await contactIdByEmail(t, "alice.martin@initech.test");
    const before = await snapshot(alice);
    const res = await t.gql(ERASE, { id: alice, r: "not-a-request" }, { token: await t.login("dpo@acme.test") });
    expect(res.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    expect(await snapshot(alice)).toEqual(before);
  });

  it("a legal hold refuses the erasure (FORBIDDEN, rule legal_hold, the hold's reason not shown); released, it goes through", async () => {
    const dpo = await t.login("dpo@acme.test");
    const bruno = await contactIdByEmail(t, "bruno.bernard@initech.test");
    const before = await snapshot(bruno);
    const hold = await t.gql(PLACE, { input: { contactId: bruno, reason: "Evidence in a pricing dispute" } }, { token: dpo });
    expect(hold.errors).toBeUndefined();
    const refused = await t.gql(ERASE, { id: bruno }, { token: dpo });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", rule: "legal_hold" });
    expect(refused.errors?.[0]?.message).not.toContain("pricing dispute");
    expect(await snapshot(bruno)).toEqual(before);
    expect(journalLines()).toEqual([]);
    await t.gql(RELEASE, { id: hold.data!.placeLegalHold.id, reason: "Dispute settled" }, { token: dpo });
    const erased = await t.gql(ERASE, { id: bruno }, { token: dpo });
    expect(erased.errors).toBeUndefined();
    expect(erased.data!.eraseContact.contactId).toBe(bruno);
    expect(journalLines()).toHaveLength(1);
  });
});

describe("eraseContact: what goes, what stays, and nothing shows the person again", () => {
  let alice: string;
  let report: Record<string, any>;

  beforeAll(async () => {
    alice = await contactIdByEmail(t, "alice.martin@initech.test");
    const before = await snapshot(alice);
    expect(before.notes).toBe(3);
    expect(before.deals).toBe(1);
    const dpo = await t.login("dpo@acme.test");
    // The erasure answers the person's verified ERASURE request, and is linked to it.
    const request = await t.gql(
      `mutation($c: ID!) { submitPrivacyRequest(input: { type: ERASURE, contactId: $c, verification: { method: EMAIL_LINK } }) { id } }`,
      { c: alice },
      { token: dpo },
    );
    expect(request.errors).toBeUndefined();
    const requestId = request.data!.submitPrivacyRequest.id;
    const res = await t.gql(ERASE, { id: alice, r: requestId }, { token: dpo });
    expect(res.errors).toBeUndefined();
    report = res.data!.eraseContact;
    const linked = await t.gql(`query($id: ID!) { privacyRequest(id: $id) { status answers { kind ref } } }`, { id: requestId }, { token: dpo });
    expect(linked.errors).toBeUndefined();
    expect(linked.data!.privacyRequest).toMatchObject({ status: "IN_PROGRESS", answers: [{ kind: "ERASURE", ref: alice }] });
  });

  it("reports the erased fields and the kept rows with their legal reason", () => {
    expect(report.contactId).toBe(alice);
    expect(report.erasedFields).toEqual(expect.arrayContaining(["firstName", "lastName", "email", "phone", "position"]));
    expect(report.interactionsDeleted).toBe(3);
    expect(report.dealsUnlinked).toBe(1);
    const tables = Object.fromEntries(report.retained.map((r: { table: string; reason: string }) => [r.table, r.reason]));
    expect(tables.deals).toMatch(/accounting/);
    expect(tables.consent_events).toMatch(/proof/);
    expect(tables.contacts).toMatch(/tombstone/i);
  });

  it("leaves a tombstone: names empty, email/phone/position/company null, interactions gone, deals unlinked but kept, consent states kept without proof", async () => {
    const after = await snapshot(alice);
    expect(after.row).toMatchObject({ firstName: "", lastName: "", email: null, phone: null, position: null, companyId: null });
    expect(after.row.erasedAt).toBeInstanceOf(Date);
    expect(after.notes).toBe(0);
    expect(after.deals).toBe(0);
    const [deal] = await db(t).select().from(deals).where(eq(deals.title, "Initech CRM rollout"));
    expect(deal).toMatchObject({ contactId: null, amount: 48000 });
    expect(after.proofs.length).toBeGreaterThan(0);
    for (const p of after.proofs) expect([p.subjectIp, p.subjectUserAgent, p.evidence]).toEqual([null, null, null]);
  });

  it("journals ids, keyed hashes and the time, never a clear value", () => {
    const lines = journalLines();
    const line = lines.find((l) => l.includes(alice))!;
    expect(line).toBeDefined();
    const entry = JSON.parse(line);
    expect(Object.keys(entry).sort()).toEqual(["contactId", "emailHash", "erasedAt", "phoneHash", "v", "workspaceId"]);
    expect(entry.emailHash).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.phoneHash).toMatch(/^[0-9a-f]{64}$/);
    for (const clear of ["alice", "Alice", "Martin", "initech", "33612345601", "612345601"]) expect(line).not.toContain(clear);
  });

  it("is in the decision log with counts, and a second erasure is BAD_USER_INPUT", async () => {
    const dpo = await t.login("dpo@acme.test");
    const log = await t.gql(`{ auditLog(first: 200) { nodes { action subjectId decision } } }`, {}, { token: dpo });
    expect(log.data!.auditLog.nodes).toEqual(expect.arrayContaining([{ action: "erase", subjectId: alice, decision: "ALLOW" }]));
    const again = await t.gql(ERASE, { id: alice }, { token: dpo });
    expect(again.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
  });

  it("no list, search, cursor, nested field or single read returns the old name, email or phone, for any role and purpose", async () => {
    const reads = [
      `{ contacts(first: 100) { edges { cursor node { id firstName lastName email phone position erased } } } }`,
      `{ contacts(first: 100, filter: { search: "Alice" }) { nodes { id firstName lastName email } } }`,
      `{ contacts(first: 100, filter: { search: "martin" }) { nodes { id firstName lastName email } } }`,
      `{ contacts(first: 100, filter: { email: "alice.martin@initech.test" }) { nodes { id firstName email } } }`,
      `{ contacts(first: 100, orderBy: { field: LAST_NAME, direction: ASC }) { edges { cursor node { id lastName } } } }`,
      `{ deals(first: 100) { nodes { id title amount contact { id firstName lastName email phone } } } }`,
      `{ interactions(first: 100) { nodes { id subject body contact { id firstName email } } } }`,
      `query($id: ID!) { contact(id: $id) { id firstName lastName email phone erased } }`,
      `query($id: ID!) { consentHistory(contactId: $id) { id purpose state } }`,
    ];
    const who: Array<[string, string | undefined]> = [
      ["owner@acme.test", undefined],
      ["owner@acme.test", "sales_pipeline"],
      ["owner@acme.test", "marketing_email"],
      ["owner@acme.test", "legal_compliance"],
      ["dpo@acme.test", "legal_compliance"],
      ["sales@acme.test", undefined],
      ["marketing@acme.test", undefined],
      ["auditor@acme.test", undefined],
    ];
    for (const [email, purpose] of who) {
      const token = await t.login(email);
      for (const query of reads) {
        const res = await t.gql(query, { id: alice }, { token, purpose });
        // Cursors are AES-GCM ciphertext (src/modules/common/cursor.ts), random base64url that
        // holds "CTO" now and then by chance (this test failed so once): they are left out.
        const text = JSON.stringify(res).replace(/"(cursor|startCursor|endCursor)":"[^"]*"/g, '"$1":""');
        for (const old of ["Alice", "alice.martin", "Martin", "+33612345601", "CTO"]) expect(text, `${email}/${purpose}: ${query}`).not.toContain(old);
        expect(res.status, query).toBe(200);
      }
    }
    // Under legal_compliance the tombstone is listed, as erased, and shows nothing personal.
    const dpo = await t.login("dpo@acme.test");
    const one = await t.gql(`query($id: ID!) { contact(id: $id) { id erased email phone } }`, { id: alice }, { token: dpo });
    expect(one.data!.contact).toMatchObject({ id: alice, erased: true });
    // Elsewhere the person is gone.
    const owner = await t.login("owner@acme.test");
    const hidden = await t.gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: alice }, { token: owner, purpose: "sales_pipeline" });
    expect(hidden.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
  });
});

describe("eraseContact: free text, webhooks and every other way back", () => {
  // A person whose name, email and phone were written into deal titles, reasons, request details
  // and legal holds: after the erasure none of it can be read back, by any query, cursor, search,
  // export, the decision log, or a webhook recipient.
  const FIRST = "Zoe";
  const LAST = "Quimby";
  const EMAIL = "zoe.quimby@freetext.test";
  const PHONE = "+33698765432";
  // Whole words for the names: "Zoetrope" and "Quimbyson" are other people's words and stay.
  const OLD = [new RegExp(`\\b${FIRST}\\b`, "i"), new RegExp(`\\b${LAST}\\b`, "i"), /zoe\.quimby/i, /98765432/, /98 76 54 32/];
  let zoe: string;
  let report: { retained: Array<{ table: string; reason: string }> } & Record<string, unknown>;
  let cursorBefore: string;
  let unrelatedDeal: string;
  let receiver: Server;
  const received: string[] = [];
  let hookSecret: string;

  const gql = async (query: string, variables: Record<string, unknown>, token: string, purpose?: string) => {
    const res = await t.gql(query, variables, { token, purpose });
    expect(res.errors, `${query}: ${JSON.stringify(res.errors)}`).toBeUndefined();
    return res.data!;
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const owner = await t.login("owner@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const hook = await gql(
      `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`,
      { input: { url, events: ["CONTACT_ERASED"], description: "Mail provider" } },
      owner,
    );
    hookSecret = hook.createWebhook.secret;
    zoe = (
      await gql(
        `mutation($e: EmailAddress, $p: PhoneNumber) { createContact(input: { firstName: "Zoe", lastName: "Quimby", email: $e, phone: $p, position: "Buyer" }) { id } }`,
        { e: EMAIL, p: PHONE },
        owner,
      )
    ).createContact.id;
    const deal = `mutation($input: CreateDealInput!) { createDeal(input: $input) { id } }`;
    await gql(deal, { input: { title: "Zoe Quimby renewal", amount: 1000, contactId: zoe } }, owner, "sales_pipeline");
    await gql(deal, { input: { title: "QUIMBY household upsell", amount: 2000 } }, owner, "sales_pipeline");
    await gql(deal, { input: { title: `Quote sent to ${EMAIL}`, amount: 3000 } }, owner, "sales_pipeline");
    await gql(deal, { input: { title: "Call back 06 98 76 54 32 about pricing", amount: 3500 } }, owner, "sales_pipeline");
    unrelatedDeal = (await gql(deal, { input: { title: "Zoetrope licence (Quimbyson Ltd)", amount: 4000 } }, owner, "sales_pipeline")).createDeal.id;

    await gql(`mutation($c: ID!) { restrictProcessing(contactId: $c, reason: "Zoe Quimby contests her phone +33 6 98 76 54 32") { id } }`, { c: zoe }, dpo);
    await gql(`mutation($c: ID!) { liftRestriction(contactId: $c, informedVia: "email to zoe.quimby@freetext.test") { id } }`, { c: zoe }, dpo);
    await gql(`mutation($c: ID!) { objectToProcessing(contactId: $c, purpose: "analytics", reason: "Zoe does not want profiling") { id } }`, { c: zoe }, dpo);
    await gql(
      `mutation($c: ID!) { recordCompellingGrounds(contactId: $c, purpose: "analytics", justification: "Fraud inquiry naming Zoe Quimby needs the analytics") { id } }`,
      { c: zoe },
      dpo,
    );
    const submit = `mutation($input: PrivacyRequestInput!) { submitPrivacyRequest(input: $input) { id } }`;
    const access = (
      await gql(
        submit,
        {
          input: {
            type: "ACCESS",
            contactId: zoe,
            details: "I am Zoe Quimby, send me everything",
            verification: { method: "OTHER", note: "Called Zoe back on +33698765432" },
          },
        },
        dpo,
      )
    ).submitPrivacyRequest.id;
    await gql(`mutation($id: ID!) { extendPrivacyRequest(id: $id, reason: "Zoe Quimby's data spans many systems", months: 1) { id } }`, { id: access }, dpo);
    const portability = (await gql(submit, { input: { type: "PORTABILITY", contactId: zoe, details: "Zoe again" } }, dpo)).submitPrivacyRequest.id;
    await gql(`mutation($id: ID!) { rejectPrivacyRequest(id: $id, reason: "Same as Zoe Quimby's request of this week") { id } }`, { id: portability }, dpo);
    const hold = await gql(
      `mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id } }`,
      { input: { contactId: zoe, reason: "Dispute with Zoe Quimby" } },
      dpo,
    );
    await gql(RELEASE, { id: hold.placeLegalHold.id, reason: "Settled with Quimby" }, dpo);

    const ordered = await gql(`{ contacts(first: 100, orderBy: { field: LAST_NAME, direction: ASC }) { edges { cursor node { id } } } }`, {}, owner);
    const edges = ordered.contacts.edges as Array<{ cursor: string; node: { id: string } }>;
    cursorBefore = edges.find((e) => e.node.id === zoe)!.cursor;

    const erasure = (await gql(submit, { input: { type: "ERASURE", contactId: zoe, verification: { method: "EMAIL_LINK" } } }, dpo)).submitPrivacyRequest.id;
    report = (await gql(ERASE, { id: zoe, r: erasure }, dpo)).eraseContact;
    await deliverDue(db(t));
  });
  afterAll(async () => {
    await new Promise((done) => receiver.close(done));
  });

  it("reports the deal titles replaced, the reasons cleared and redacted, and why the requests stay", () => {
    expect(report).toMatchObject({ dealTitlesReplaced: 4, privacyReasonsCleared: 3, requestTextsCleared: 2, reasonsRedacted: 5 });
    const tables = Object.fromEntries(report.retained.map((r) => [r.table, r.reason]));
    expect(tables.privacy_requests).toMatch(/proof/);
    expect(tables.privacy_requests).toMatch(/\[erased\]/);
    expect(tables.contact_privacy_events).toMatch(/cleared/);
  });

  it("replaces the titles that named the person and keeps the deals and the one that did not", async () => {
    const rows = await db(t).select().from(deals);
    expect(
      rows
        .filter((d) => d.title === "Deal (title removed at erasure)")
        .map((d) => d.amount)
        .sort(),
    ).toEqual([1000, 2000, 3000, 3500]);
    const [kept] = rows.filter((d) => d.id === unrelatedDeal);
    expect(kept.title).toBe("Zoetrope licence (Quimbyson Ltd)");
  });

  it("no query, nested field, cursor, search, export, request, hold or decision-log entry returns the old name, email or phone", async () => {
    const reads = [
      `{ contacts(first: 100) { edges { cursor node { id firstName lastName email phone position } } } }`,
      `{ contacts(first: 100, filter: { search: "Quimby" }) { nodes { id firstName lastName email } } }`,
      `{ contacts(first: 100, filter: { email: "${EMAIL}" }) { nodes { id } } }`,
      `query($after: String) { contacts(first: 100, after: $after, orderBy: { field: LAST_NAME, direction: ASC }) { edges { cursor node { id lastName } } } }`,
      `{ deals(first: 100) { nodes { id title contact { id firstName email } } } }`,
      `query($id: ID!) { contact(id: $id) { id firstName lastName email phone erased } }`,
      `query($id: ID!) { privacyRequests(first: 100, filter: { contactId: $id }) { nodes { id details extensionReason rejectionReason verification { note } answers { ref } } } }`,
      `{ legalHolds(first: 100) { nodes { id reason releaseReason } } }`,
      `{ auditLog(first: 500) { nodes { action reason detail } } }`,
    ];
    for (const [email, purpose] of [
      ["owner@acme.test", undefined],
      ["owner@acme.test", "legal_compliance"],
      ["dpo@acme.test", "legal_compliance"],
      ["auditor@acme.test", undefined],
    ] as const) {
      const token = await t.login(email);
      for (const query of reads) {
        const res = await t.gql(query, { id: zoe, after: cursorBefore }, { token, purpose });
        expect(res.status, query).toBe(200);
        // Cursors are random base64url (see above): /\bZoe\b/i matches one now and then ("-zOE-").
        const text = JSON.stringify(res).replace(/"(cursor|startCursor|endCursor)":"[^"]*"/g, '"$1":""');
        for (const old of OLD) expect(text, `${email}/${purpose}: ${query}`).not.toMatch(old);
      }
    }
    const dpo = await t.login("dpo@acme.test");
    const exported = await t.gql(
      `mutation($id: ID!) { exportContactData(contactId: $id, format: JSON) { content } }`,
      { id: zoe },
      { token: dpo, purpose: "legal_compliance" },
    );
    for (const old of OLD) expect(JSON.stringify(exported)).not.toMatch(old);
    const held = await t.gql(`{ legalHolds(first: 100) { nodes { contactId reason releaseReason } } }`, {}, { token: dpo });
    expect(held.data!.legalHolds.nodes.find((h: { contactId: string }) => h.contactId === zoe)).toMatchObject({
      reason: "Dispute with [erased] [erased]",
      releaseReason: "Settled with [erased]",
    });
  });

  it("tells the webhook by id and a hash keyed with its own secret; the outbox never holds the address", async () => {
    const [event] = await db(t).select().from(outboxEvents).where(eq(outboxEvents.contactId, zoe));
    expect(event.type).toBe("contact.erased");
    const stored = JSON.stringify(event.payload);
    for (const old of OLD) expect(stored).not.toMatch(old);
    const body = JSON.parse(received.find((b) => b.includes(zoe))!);
    expect(body.contact).toEqual({ id: zoe, email: null, emailHash: recipientEmailHash(hookSecret, " Zoe.Quimby@FreeText.test "), formerEmailHashes: [] });
    expect(Object.keys(body)).not.toContain("_emailHashByWebhook");
  });
});

describe("eraseContact: the addresses the record held before", () => {
  it("empties them with the email, replaces deal titles naming them, and reports them erased", async () => {
    const owner = await t.login("owner@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const gql = async (query: string, variables: Record<string, unknown>, token: string, purpose?: string) => {
      const res = await t.gql(query, variables, { token, purpose });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data!;
    };
    const made = await gql(`mutation { createContact(input: { firstName: "Ursula", lastName: "Nyman", email: "VB.Before@moved.test" }) { id } }`, {}, owner);
    const vera = made.createContact.id;
    const move = `mutation($id: ID!, $e: EmailAddress) { updateContact(id: $id, input: { email: $e }) { id } }`;
    await gql(move, { id: vera, e: "vb.between@moved.test" }, owner);
    await gql(move, { id: vera, e: null }, owner);
    const [moved] = await db(t).select({ formerEmails: contacts.formerEmails }).from(contacts).where(eq(contacts.id, vera));
    expect(moved.formerEmails).toEqual(["vb.before@moved.test", "vb.between@moved.test"]);
    const deal = `mutation($input: CreateDealInput!) { createDeal(input: $input) { id } }`;
    await gql(deal, { input: { title: "Renewal for vb.before@moved.test", amount: 700 } }, owner, "sales_pipeline");

    const res = await gql(ERASE, { id: vera }, dpo);
    expect(res.eraseContact.erasedFields).toContain("formerEmails");
    expect(res.eraseContact.dealTitlesReplaced).toBe(1);
    const [row] = await db(t).select().from(contacts).where(eq(contacts.id, vera));
    expect(row).toMatchObject({ email: null, formerEmails: [] });
    expect(row.erasedAt).toBeInstanceOf(Date);
    const titles = await db(t).select({ title: deals.title }).from(deals).where(sql`${deals.title} ilike '%moved.test%'`);
    expect(titles).toEqual([]);
  });
});

describe("one transaction", () => {
  it("a failure at the last step (the journal cannot be written) changes nothing in the database", async () => {
    const blocker = join(dir, "not-a-folder");
    writeFileSync(blocker, "x");
    const broken = await startTestApp({ ERASURE_JOURNAL_PATH: join(blocker, "erasure-journal.ndjson") });
    try {
      const d = broken.app.database.handle();
      const [emma] = await d.select().from(contacts).where(eq(contacts.email, "emma.robert@hooli.test"));
      const count = async () => {
        const [n] = await d.select({ n: sql<number>`count(*)::int` }).from(interactions).where(eq(interactions.contactId, emma.id));
        const [m] = await d.select({ n: sql<number>`count(*)::int` }).from(deals).where(eq(deals.contactId, emma.id));
        const proofs = await d.select().from(consentEvents).where(eq(consentEvents.contactId, emma.id));
        return { n: n.n, m: m.n, proofs };
      };
      const before = await count();
      const dpo = await broken.login("dpo@acme.test");
      const res = await broken.gql(ERASE, { id: emma.id }, { token: dpo });
      expect(res.errors?.[0]).toBeDefined();
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.errors)).not.toMatch(/ENOTDIR|\n\s+at /);
      const [after] = await d.select().from(contacts).where(eq(contacts.id, emma.id));
      expect(after).toEqual(emma);
      expect(await count()).toEqual(before);
    } finally {
      await broken.close();
    }
  });
});

describe("deleteContact is an erasure", () => {
  it("the owner's deleteContact erases (true), leaves a tombstone and a journal line; the dpo, who may erase but not delete, is refused", async () => {
    const owner = await t.login("owner@acme.test");
    const dpo = await t.login("dpo@acme.test");
    const karim = await contactIdByEmail(t, "karim.simon@initech.test");
    const refused = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: karim }, { token: dpo });
    expect(refused.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    const lines = journalLines().length;
    const res = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: karim }, { token: owner });
    expect(res.errors).toBeUndefined();
    expect(res.data!.deleteContact).toBe(true);
    const [row] = await db(t).select().from(contacts).where(eq(contacts.id, karim));
    expect(row).toMatchObject({ email: null, firstName: "", lastName: "" });
    expect(row.erasedAt).not.toBeNull();
    expect(journalLines()).toHaveLength(lines + 1);
  });
});

describe("erasure:replay after a backup restore", () => {
  it("erases again the restored person (by id) and a copy imported again (by keyed hash), idempotently", async () => {
    const d = db(t);
    const acme = await workspaceId(t, "Acme");
    const david = await contactIdByEmail(t, "david.thomas@umbrella.test");
    const [backup] = await d.select().from(contacts).where(eq(contacts.id, david));
    const owner = await t.login("owner@acme.test");
    const erased = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: david }, { token: owner, purpose: "sales_pipeline" });
    expect(erased.data?.deleteContact).toBe(true);

    // "Restore a backup": the pre-erasure row comes back, and the person is imported again under a new id.
    await d
      .update(contacts)
      .set({ ...backup, erasedAt: null })
      .where(eq(contacts.id, david));
    const [copy] = await d
      .insert(contacts)
      .values({ workspaceId: acme, firstName: "Dave", lastName: "Thomas", email: "  David.Thomas@UMBRELLA.test ", phone: "+33 6 12 34 56 04" })
      .returning();
    const [bystander] = await d
      .insert(contacts)
      .values({ workspaceId: acme, firstName: "Other", lastName: "Person", email: "other.person@umbrella.test" })
      .returning();

    const deps = { db: d, policies: t.app.policies, cursors: new CursorCodec(t.app.signingSecret), settings: t.config, erasureJournal: t.app.erasureJournal };
    const scopeFor = (ws: string) => systemScope(deps, ws, "legal_compliance");
    const report = await erasureService.replay(t.app.erasureJournal, scopeFor);
    expect(report.unreadable).toBe(0);
    expect(report.erased).toEqual(
      expect.arrayContaining([
        { workspaceId: acme, contactId: david, matchedBy: "id" },
        { workspaceId: acme, contactId: copy.id, matchedBy: "hash" },
      ]),
    );
    expect(report.erased).toHaveLength(2);
    const rows = await d.select().from(contacts).where(sql`${contacts.id} in (${david}, ${copy.id})`);
    for (const r of rows) expect(r).toMatchObject({ email: null, phone: null, firstName: "", lastName: "" });
    for (const r of rows) expect(r.erasedAt).not.toBeNull();
    const [untouched] = await d.select().from(contacts).where(eq(contacts.id, bystander.id));
    expect(untouched.erasedAt).toBeNull();
    expect(untouched.email).toBe("other.person@umbrella.test");

    const again = await erasureService.replay(t.app.erasureJournal, scopeFor);
    expect(again.erased).toEqual([]);
    expect(again.held).toEqual([]);
    expect(again.notFound).toBe(0);
  });

  it("keeps a person a legal hold covers, and says so", async () => {
    const d = db(t);
    const dpo = await t.login("dpo@acme.test");
    const hugo = await contactIdByEmail(t, "hugo.durand@vandelay.test");
    const [backup] = await d.select().from(contacts).where(eq(contacts.id, hugo));
    expect((await t.gql(ERASE, { id: hugo }, { token: dpo })).errors).toBeUndefined();
    await d
      .update(contacts)
      .set({ ...backup, erasedAt: null })
      .where(eq(contacts.id, hugo));
    const hold = await t.gql(PLACE, { input: { contactId: hugo, reason: "Authority inquiry" } }, { token: dpo });
    const deps = { db: d, policies: t.app.policies, cursors: new CursorCodec(t.app.signingSecret), settings: t.config, erasureJournal: t.app.erasureJournal };
    const report = await erasureService.replay(t.app.erasureJournal, (ws) => systemScope(deps, ws, "legal_compliance"));
    expect(report.held).toEqual([{ workspaceId: backup.workspaceId, contactId: hugo }]);
    await t.gql(RELEASE, { id: hold.data!.placeLegalHold.id, reason: "Closed" }, { token: dpo });
    const after = await erasureService.replay(t.app.erasureJournal, (ws) => systemScope(deps, ws, "legal_compliance"));
    expect(after.erased).toEqual([{ workspaceId: backup.workspaceId, contactId: hugo, matchedBy: "id" }]);
  });
});

describe("closeMyAccount", () => {
  it("a wrong password is BAD_USER_INPUT and changes nothing", async () => {
    const token = await t.login("support@acme.test");
    const res = await t.gql(`mutation { closeMyAccount(password: "not-the-password") }`, {}, { token });
    expect(res.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    const me = await t.gql(`{ me { id email } }`, {}, { token });
    expect(me.data!.me.email).toBe("support@acme.test");
  });

  it("the last owner of a workspace cannot close their account (BAD_USER_INPUT)", async () => {
    const token = await t.login("owner@globex.test");
    const res = await t.gql(`mutation { closeMyAccount(password: "alpha-demo") }`, {}, { token });
    expect(res.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    expect((await t.gql(`{ me { email } }`, {}, { token })).data!.me.email).toBe("owner@globex.test");
  });

  it("anonymises the user, ends every session, and the password stops working", async () => {
    const id = await userId(t, "support@acme.test");
    const token = await t.login("support@acme.test");
    const res = await t.gql(`mutation { closeMyAccount(password: "alpha-demo") }`, {}, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.closeMyAccount).toBe(true);
    const me = await t.gql(`{ me { id } }`, {}, { token });
    expect(me.errors?.[0]?.extensions.code).toMatch(/UNAUTHENTICATED|INVALID_TOKEN/);
    const login = await t.gql(`mutation { login(email: "support@acme.test", password: "alpha-demo") { token } }`);
    expect(login.errors?.[0]).toBeDefined();
    const [row] = await db(t).select().from(users).where(eq(users.id, id));
    expect(row.email).not.toContain("support@acme.test");
    expect(row.name).toBe("Closed account");
    expect(row.phone).toBeNull();
    expect(row.role).toBe("closed");
    expect(
      await db(t)
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, id))),
    ).toEqual([]);
  });

  it("needs a signed-in user", async () => {
    const res = await t.gql(`mutation { closeMyAccount(password: "alpha-demo") }`);
    expect(res.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });
});
