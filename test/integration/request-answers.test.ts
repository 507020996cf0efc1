// Privacy-rights actions answer the request they were made for (issue 9, item 1): restriction,
// objection, the compelling-grounds decision, a contact's consent withdrawal and a user's own
// withdrawal take an optional requestId. The request must be in the workspace (NOT_FOUND
// otherwise), about the same person, of a fitting type, verified and open (BAD_USER_INPUT
// otherwise); the link and the action commit together, or neither does.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, contacts, users } from "../../src/db/schema/index.js";
import { type GqlResult, startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, userId } from "../helpers/fixtures.js";

const VERIFIED = { method: "EMAIL_LINK", note: "Confirmed from the address on record" };
const SIGNED_IN = { method: "ACCOUNT_SIGNED_IN" };
const SUBMIT = `mutation($input: PrivacyRequestInput!) { submitPrivacyRequest(input: $input) { id } }`;
const REQUEST = `query($id: ID!) { privacyRequest(id: $id) { status answers { kind ref } } }`;
const COMPLETE = `mutation($id: ID!) { completePrivacyRequest(id: $id) { status } }`;
const REJECT = `mutation($id: ID!) { rejectPrivacyRequest(id: $id, reason: "Manifestly unfounded") { status } }`;
const RESTRICT = `mutation($c: ID!, $r: ID) { restrictProcessing(contactId: $c, reason: "Accuracy contested", requestId: $r) { id processingRestricted } }`;
const OBJECT = `mutation($c: ID!, $p: String!, $r: ID) { objectToProcessing(contactId: $c, purpose: $p, reason: "No more calls", requestId: $r) { id } }`;
const GROUNDS = `mutation($c: ID!, $p: String!, $r: ID) {
  recordCompellingGrounds(contactId: $c, purpose: $p, justification: "Open contract obliges us to keep the pipeline entry", requestId: $r) { id } }`;
const WITHDRAW = `mutation($c: ID!, $p: String!, $r: ID) { withdrawConsent(contactId: $c, purpose: $p, requestId: $r) { id } }`;
const WITHDRAW_MINE = `mutation($p: String!, $r: ID) { withdrawMyConsent(purpose: $p, requestId: $r) { purpose state } }`;
const GRANT_MINE = `mutation($p: String!) { grantMyConsent(purpose: $p, noticeVersion: "2024-11-18") { purpose state } }`;
const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0" };

let t: TestApp;
let dpo: string;

async function submit(input: Record<string, unknown>, token = dpo): Promise<string> {
  const res = await t.gql(SUBMIT, { input }, { token, purpose: "legal_compliance" });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.submitPrivacyRequest.id;
}

async function answersOf(id: string) {
  const res = await t.gql(REQUEST, { id }, { token: dpo });
  expect(res.errors).toBeUndefined();
  return res.data!.privacyRequest as { status: string; answers: Array<{ kind: string; ref: string }> };
}

async function contactRow(id: string) {
  const [row] = await db(t).select().from(contacts).where(eq(contacts.id, id));
  return row;
}

function expectBadRequestId(res: GqlResult, pattern: RegExp): void {
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({ code: "BAD_USER_INPUT", field: "requestId" });
  expect(res.errors?.[0]?.message).toMatch(pattern);
}

async function newPerson(email: string): Promise<string> {
  const res = await t.gql(
    `mutation($e: EmailAddress) { createContact(input: { firstName: "Req", lastName: "Person", email: $e }) { id } }`,
    { e: email },
    { token: await t.login("owner@acme.test") },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createContact.id;
}

beforeAll(async () => {
  t = await startTestApp();
  dpo = await t.login("dpo@acme.test");
});
afterAll(() => t?.close());

describe("a contact's request", () => {
  it("restrictProcessing answers a RESTRICTION request: linked in the same transaction, RECEIVED becomes IN_PROGRESS, logged", async () => {
    const id = await newPerson("restrict.me@answers.test");
    const requestId = await submit({ type: "RESTRICTION", contactId: id, verification: VERIFIED });
    const res = await t.gql(RESTRICT, { c: id, r: requestId }, { token: dpo });
    expect(res.errors).toBeUndefined();
    expect(res.data!.restrictProcessing.processingRestricted).toBe(true);
    expect(await answersOf(requestId)).toEqual({ status: "IN_PROGRESS", answers: [{ kind: "RESTRICTION", ref: id }] });
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "restrict_processing"), eq(auditLog.subjectId, id)));
    expect(entry.detail).toMatchObject({ requestId });
    const [answer] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "answer_privacy_request"), eq(auditLog.subjectId, requestId)));
    expect(answer.detail).toMatchObject({ kind: "restriction", ref: id, type: "restriction" });
    expect((await t.gql(COMPLETE, { id: requestId }, { token: dpo })).data!.completePrivacyRequest.status).toBe("COMPLETED");
  });

  it("objectToProcessing and then recordCompellingGrounds both answer the OBJECTION request", async () => {
    const id = await newPerson("object.me@answers.test");
    const requestId = await submit({ type: "OBJECTION", contactId: id, verification: VERIFIED });
    const objected = await t.gql(OBJECT, { c: id, p: "analytics", r: requestId }, { token: dpo });
    expect(objected.errors).toBeUndefined();
    const grounds = await t.gql(GROUNDS, { c: id, p: "analytics", r: requestId }, { token: dpo });
    expect(grounds.errors).toBeUndefined();
    expect(await answersOf(requestId)).toEqual({
      status: "IN_PROGRESS",
      answers: [
        { kind: "OBJECTION", ref: `${id}:analytics` },
        { kind: "OBJECTION", ref: `${id}:analytics:compelling_grounds` },
      ],
    });
  });

  it("withdrawConsent answers a WITHDRAW_CONSENT request (and a withdrawal that changes nothing still does)", async () => {
    const bruno = await contactIdByEmail(t, "bruno.bernard@initech.test");
    const requestId = await submit({ type: "WITHDRAW_CONSENT", contactId: bruno, verification: VERIFIED });
    const res = await t.gql(WITHDRAW, { c: bruno, p: "marketing_email", r: requestId }, { token: dpo });
    expect(res.errors).toBeUndefined();
    expect((await contactRow(bruno)).consentedPurposes).not.toContain("marketing_email");
    const again = await submit({ type: "WITHDRAW_CONSENT", contactId: bruno, verification: VERIFIED });
    expect((await t.gql(WITHDRAW, { c: bruno, p: "marketing_sms", r: again }, { token: dpo })).errors).toBeUndefined();
    expect(await answersOf(requestId)).toEqual({ status: "IN_PROGRESS", answers: [{ kind: "CONSENT_WITHDRAWAL", ref: `${bruno}:marketing_email` }] });
    expect(await answersOf(again)).toEqual({ status: "IN_PROGRESS", answers: [{ kind: "CONSENT_WITHDRAWAL", ref: `${bruno}:marketing_sms` }] });
  });

  it("refuses a request of another type, person, workspace or state, or unverified; the action does not happen", async () => {
    const id = await newPerson("refuse.me@answers.test");
    const other = await newPerson("someone.else@answers.test");
    const salesUser = await userId(t, "sales@acme.test");
    const access = await submit({ type: "ACCESS", contactId: id, verification: VERIFIED });
    const otherPerson = await submit({ type: "RESTRICTION", contactId: other, verification: VERIFIED });
    const aboutUser = await submit({ type: "RESTRICTION", userId: salesUser, verification: SIGNED_IN });
    const unverified = await submit({ type: "RESTRICTION", contactId: id });
    const completed = await submit({ type: "RESTRICTION", contactId: id, verification: VERIFIED });
    expect((await t.gql(COMPLETE, { id: completed }, { token: dpo })).errors).toBeUndefined();
    const rejected = await submit({ type: "RESTRICTION", contactId: id, verification: VERIFIED });
    expect((await t.gql(REJECT, { id: rejected }, { token: dpo })).errors).toBeUndefined();
    const cases: Array<[string, RegExp]> = [
      [access, /not answered by restriction/],
      [otherPerson, /another person/],
      [aboutUser, /another person/],
      [unverified, /verify the requester's identity/],
      [completed, /COMPLETED/],
      [rejected, /REJECTED/],
      ["not-an-id", /not an id/],
    ];
    for (const [requestId, pattern] of cases) expectBadRequestId(await t.gql(RESTRICT, { c: id, r: requestId }, { token: dpo }), pattern);
    // Another workspace's request is not found (its existence is not revealed).
    const globexOwner = await t.login("owner@globex.test");
    const homer = await contactIdByEmail(t, "homer@springfield.test");
    const globexRequest = await submit({ type: "RESTRICTION", contactId: homer, verification: VERIFIED }, globexOwner);
    const foreign = await t.gql(RESTRICT, { c: id, r: globexRequest }, { token: dpo });
    expect(foreign.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    expect((await contactRow(id)).processingRestricted).toBe(false);
    // The same for the other actions.
    expectBadRequestId(await t.gql(OBJECT, { c: id, p: "sales_pipeline", r: access }, { token: dpo }), /not answered by objection/);
    expectBadRequestId(await t.gql(WITHDRAW, { c: id, p: "marketing_email", r: access }, { token: dpo }), /not answered by consent_withdrawal/);
    expect((await contactRow(id)).objectedPurposes).toEqual([]);
    expect(await answersOf(unverified)).toEqual({ status: "RECEIVED", answers: [] });
  });

  it("a role that may withdraw consent but not answer requests (support) is FORBIDDEN, and the consent stays", async () => {
    const jules = await contactIdByEmail(t, "jules.moreau@example.test");
    const requestId = await submit({ type: "WITHDRAW_CONSENT", contactId: jules, verification: VERIFIED });
    const res = await t.gql(WITHDRAW, { c: jules, p: "marketing_email", r: requestId }, { token: await t.login("support@acme.test") });
    expect(res.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    expect((await contactRow(jules)).consentedPurposes).toContain("marketing_email");
    expect(await answersOf(requestId)).toEqual({ status: "RECEIVED", answers: [] });
  });
});

describe("a user's own request", () => {
  it("withdrawMyConsent answers the user's own WITHDRAW_CONSENT request, linked by the user themself (rule self.request_answer)", async () => {
    const sales = await t.login("sales@acme.test");
    const me = await userId(t, "sales@acme.test");
    expect((await t.gql(GRANT_MINE, { p: "marketing_email" }, { token: sales, headers: BROWSER })).errors).toBeUndefined();
    const requestId = await submit({ type: "WITHDRAW_CONSENT", userId: me, verification: SIGNED_IN });
    const res = await t.gql(WITHDRAW_MINE, { p: "marketing_email", r: requestId }, { token: sales });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.withdrawMyConsent.find((c: { purpose: string }) => c.purpose === "marketing_email").state).toBe("WITHDRAWN");
    expect(await answersOf(requestId)).toEqual({ status: "IN_PROGRESS", answers: [{ kind: "CONSENT_WITHDRAWAL", ref: `${me}:marketing_email` }] });
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "answer_privacy_request"), eq(auditLog.subjectId, requestId)));
    expect(entry).toMatchObject({ rule: "self.request_answer" });
    // Completing it stays with the DPO: the user cannot.
    const complete = await t.gql(COMPLETE, { id: requestId }, { token: sales });
    expect(complete.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
  });

  it("refuses a request of another type or closed (BAD_USER_INPUT); someone else's request needs a role on requests (FORBIDDEN); the consent stays", async () => {
    const marketing = await t.login("marketing@acme.test");
    const me = await userId(t, "marketing@acme.test");
    const colleague = await userId(t, "sales@acme.test");
    expect((await t.gql(GRANT_MINE, { p: "marketing_sms" }, { token: marketing, headers: BROWSER })).errors).toBeUndefined();
    const ines = await contactIdByEmail(t, "ines.leroy@example.test");
    const aboutColleague = await submit({ type: "WITHDRAW_CONSENT", userId: colleague, verification: SIGNED_IN });
    const aboutContact = await submit({ type: "WITHDRAW_CONSENT", contactId: ines, verification: VERIFIED });
    const access = await submit({ type: "ACCESS", userId: me, verification: SIGNED_IN });
    const closed = await submit({ type: "WITHDRAW_CONSENT", userId: me, verification: SIGNED_IN });
    expect((await t.gql(REJECT, { id: closed }, { token: dpo })).errors).toBeUndefined();
    for (const [requestId, pattern] of [
      [access, /not answered by consent_withdrawal/],
      [closed, /REJECTED/],
    ] as const) {
      expectBadRequestId(await t.gql(WITHDRAW_MINE, { p: "marketing_sms", r: requestId }, { token: marketing }), pattern);
    }
    for (const requestId of [aboutColleague, aboutContact]) {
      const res = await t.gql(WITHDRAW_MINE, { p: "marketing_sms", r: requestId }, { token: marketing });
      expect(res.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    }
    const [row] = await db(t).select({ c: users.consentedPurposes }).from(users).where(eq(users.id, me));
    expect(row.c).toContain("marketing_sms");
    expect(await answersOf(aboutColleague)).toEqual({ status: "RECEIVED", answers: [] });
  });

  it("an owner, who may answer requests, still cannot answer a colleague's or a contact's request with their own withdrawal", async () => {
    const owner = await t.login("owner@acme.test");
    expect((await t.gql(GRANT_MINE, { p: "marketing_email" }, { token: owner, headers: BROWSER })).errors).toBeUndefined();
    const colleague = await userId(t, "support@acme.test");
    const ines = await contactIdByEmail(t, "ines.leroy@example.test");
    const aboutColleague = await submit({ type: "WITHDRAW_CONSENT", userId: colleague, verification: SIGNED_IN });
    const aboutContact = await submit({ type: "WITHDRAW_CONSENT", contactId: ines, verification: VERIFIED });
    for (const requestId of [aboutColleague, aboutContact]) {
      expectBadRequestId(await t.gql(WITHDRAW_MINE, { p: "marketing_email", r: requestId }, { token: owner, purpose: "legal_compliance" }), /another person/);
    }
    const mine = await t.gql(`{ myConsents { purpose state } }`, {}, { token: owner });
    expect(mine.data!.myConsents.find((c: { purpose: string }) => c.purpose === "marketing_email").state).toBe("GRANTED");
  });
});
