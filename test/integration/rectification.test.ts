// Rectification (issue 9, item 4) for Alpha's own users: updateMyProfile corrects the signed-in
// user's name, phone and position (self rule self.rectify), audited with the names of the fields
// changed, never their values, optionally answering the user's own RECTIFICATION request. A new
// phone number withdraws the SMS consent given for the old one. (A contact's rectification
// through updateContact is in privacy-requests.test.ts.)
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, users } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, userId } from "../helpers/fixtures.js";

const UPDATE = `mutation($input: UpdateMyProfileInput!, $r: ID) { updateMyProfile(input: $input, requestId: $r) { id name phone position email role } }`;
const SUBMIT = `mutation($input: PrivacyRequestInput!) { submitPrivacyRequest(input: $input) { id } }`;
const REQUEST = `query($id: ID!) { privacyRequest(id: $id) { status answers { kind ref } } }`;
const SIGNED_IN = { method: "ACCOUNT_SIGNED_IN" };
const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0" };

let t: TestApp;
let dpo: string;

async function submit(input: Record<string, unknown>): Promise<string> {
  const res = await t.gql(SUBMIT, { input }, { token: dpo });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.submitPrivacyRequest.id;
}

async function row(id: string) {
  const [r] = await db(t).select().from(users).where(eq(users.id, id));
  return r;
}

beforeAll(async () => {
  t = await startTestApp();
  dpo = await t.login("dpo@acme.test");
});
afterAll(() => t?.close());

describe("updateMyProfile", () => {
  it("corrects the user's own fields, audits the field names only, and answers their own RECTIFICATION request", async () => {
    const sales = await t.login("sales@acme.test");
    const me = await userId(t, "sales@acme.test");
    const requestId = await submit({ type: "RECTIFICATION", userId: me, verification: SIGNED_IN, details: "My name is misspelt" });
    const res = await t.gql(UPDATE, { input: { name: "Samuel Salesman", position: "Senior Account Executive" }, r: requestId }, { token: sales });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.updateMyProfile).toMatchObject({
      id: me,
      name: "Samuel Salesman",
      position: "Senior Account Executive",
      email: "sales@acme.test",
      role: "sales_rep",
    });
    expect(await row(me)).toMatchObject({ name: "Samuel Salesman", position: "Senior Account Executive" });

    const linked = await t.gql(REQUEST, { id: requestId }, { token: dpo });
    expect(linked.data!.privacyRequest).toEqual({ status: "IN_PROGRESS", answers: [{ kind: "RECTIFICATION", ref: me }] });
    const [rectify] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "rectify"), eq(auditLog.subjectId, me)));
    expect(rectify.detail).toEqual({ fields: ["name", "position"], requestId });
    const everything = JSON.stringify(
      await db(t)
        .select()
        .from(auditLog)
        .where(inArray(auditLog.subjectId, [me, requestId])),
    );
    for (const value of ["Samuel Salesman", "Sam Sales", "Senior Account Executive"]) expect(everything).not.toContain(value);
    const done = await t.gql(`mutation($id: ID!) { completePrivacyRequest(id: $id) { status } }`, { id: requestId }, { token: dpo });
    expect(done.data!.completePrivacyRequest.status).toBe("COMPLETED");
  });

  it("only the fields that really changed are listed; a field given with its current value is not", async () => {
    const support = await t.login("support@acme.test");
    const me = await userId(t, "support@acme.test");
    const res = await t.gql(UPDATE, { input: { name: "Sol Support", phone: "+33699887766" } }, { token: support });
    expect(res.errors).toBeUndefined();
    const entries = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "rectify"), eq(auditLog.subjectId, me)));
    expect(entries.map((e) => e.detail)).toEqual([{ fields: ["phone"] }]);
  });

  it("a new phone number withdraws the SMS marketing consent given for the old one, with the reason in the ledger", async () => {
    const marketing = await t.login("marketing@acme.test");
    const me = await userId(t, "marketing@acme.test");
    expect((await t.gql(UPDATE, { input: { phone: "+33611111111" } }, { token: marketing })).errors).toBeUndefined();
    const grant = await t.gql(
      `mutation { grantMyConsent(purpose: "marketing_sms", noticeVersion: "2024-11-18") { purpose state } }`,
      {},
      { token: marketing, headers: BROWSER },
    );
    expect(grant.errors).toBeUndefined();
    expect((await row(me)).consentedPurposes).toContain("marketing_sms");
    expect((await t.gql(UPDATE, { input: { position: "Growth lead" } }, { token: marketing })).errors).toBeUndefined();
    expect((await row(me)).consentedPurposes).toContain("marketing_sms");
    expect((await t.gql(UPDATE, { input: { phone: "+33622222222" } }, { token: marketing })).errors).toBeUndefined();
    expect((await row(me)).consentedPurposes).not.toContain("marketing_sms");
    const mine = await t.gql(`{ myConsents { purpose state } }`, {}, { token: marketing });
    expect(mine.data!.myConsents.find((c: { purpose: string }) => c.purpose === "marketing_sms").state).toBe("WITHDRAWN");
  });

  it("refuses an empty name, no field at all, and fields that are not the user's to correct; nothing changes", async () => {
    const auditor = await t.login("auditor@acme.test");
    const me = await userId(t, "auditor@acme.test");
    const before = await row(me);
    for (const [input, field] of [
      [{ name: null }, "input.name"],
      [{ name: "   " }, "input.name"],
      [{}, "input"],
    ] as const) {
      const res = await t.gql(UPDATE, { input }, { token: auditor });
      expect(res.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    const tooLong = await t.gql(UPDATE, { input: { position: "x".repeat(201) } }, { token: auditor });
    expect(tooLong.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    for (const input of [{ role: "owner" }, { email: "someone.else@acme.test" }]) {
      const res = await t.gql(UPDATE, { input }, { token: auditor });
      expect(res.errors?.[0], JSON.stringify(input)).toBeDefined();
      expect(res.status).not.toBe(500);
    }
    expect(await row(me)).toEqual(before);
  });

  it("refuses a request about someone else or of another type, without changing the profile", async () => {
    const owner = await t.login("owner@acme.test");
    const me = await userId(t, "owner@acme.test");
    const colleague = await userId(t, "dpo@acme.test");
    const before = await row(me);
    const aboutColleague = await submit({ type: "RECTIFICATION", userId: colleague, verification: SIGNED_IN });
    const access = await submit({ type: "ACCESS", userId: me, verification: SIGNED_IN });
    const unverified = await submit({ type: "RECTIFICATION", userId: me });
    for (const [requestId, pattern] of [
      [aboutColleague, /another person/],
      [access, /not answered by rectification/],
      [unverified, /verify the requester's identity/],
      ["nope", /not an id/],
    ] as const) {
      const res = await t.gql(UPDATE, { input: { name: "Someone Else" }, r: requestId }, { token: owner });
      expect(res.errors?.[0]?.extensions, requestId).toMatchObject({ code: "BAD_USER_INPUT", field: "requestId" });
      expect(res.errors?.[0]?.message).toMatch(pattern);
    }
    expect(await row(me)).toEqual(before);
  });

  it("needs a signed-in user: anonymous is UNAUTHENTICATED, an API token is FORBIDDEN", async () => {
    const anonymous = await t.gql(UPDATE, { input: { name: "Nobody" } });
    expect(anonymous.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
    const minted = await t.gql(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      { input: { name: "profile", scopes: ["contacts:read"] } },
      { token: await t.login("owner@acme.test") },
    );
    expect(minted.errors).toBeUndefined();
    const viaToken = await t.gql(UPDATE, { input: { name: "Token Person" } }, { token: minted.data!.createApiToken.token });
    expect(viaToken.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    expect((await row(await userId(t, "owner@acme.test"))).name).not.toBe("Token Person");
  });
});
