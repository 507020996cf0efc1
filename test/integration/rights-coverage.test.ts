// Issue 9's lines that no other test ties together end to end: a contact's export holds the
// restriction and objection history and the requests with what answered them (item 2), and a
// user who withdraws their own marketing consent finds the grant and the withdrawal, with
// proof, in their own export (item 5 and the last "Done when" line).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, userId } from "../helpers/fixtures.js";

const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0" };
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

async function ok(query: string, variables: Record<string, unknown>, token: string, headers?: Record<string, string>) {
  const res = await t.gql(query, variables, { token, headers });
  expect(res.errors, `${query}: ${JSON.stringify(res.errors)}`).toBeUndefined();
  return res.data!;
}

describe("a contact's export (item 2)", () => {
  it("holds the restriction and objection history and the requests, each with what answered it", async () => {
    const dpo = await t.login("dpo@acme.test");
    const lea = await contactIdByEmail(t, "lea.laurent@hooli.test");
    const submit = `mutation($input: PrivacyRequestInput!) { submitPrivacyRequest(input: $input) { id } }`;
    const restriction = (await ok(submit, { input: { type: "RESTRICTION", contactId: lea, verification: { method: "EMAIL_LINK" } } }, dpo)).submitPrivacyRequest
      .id;
    await ok(
      `mutation($c: ID!, $r: ID) { restrictProcessing(contactId: $c, reason: "Accuracy contested", requestId: $r) { id } }`,
      { c: lea, r: restriction },
      dpo,
    );
    await ok(`mutation($c: ID!) { liftRestriction(contactId: $c, informedVia: "letter of 2026-11-30") { id } }`, { c: lea }, dpo);
    const objection = (await ok(submit, { input: { type: "OBJECTION", contactId: lea, verification: { method: "EMAIL_LINK" } } }, dpo)).submitPrivacyRequest.id;
    await ok(`mutation($c: ID!, $r: ID) { objectToProcessing(contactId: $c, purpose: "analytics", requestId: $r) { id } }`, { c: lea, r: objection }, dpo);
    await ok(`mutation($id: ID!) { completePrivacyRequest(id: $id) { status } }`, { id: objection }, dpo);
    const access = (await ok(submit, { input: { type: "ACCESS", contactId: lea, verification: { method: "EMAIL_LINK" } } }, dpo)).submitPrivacyRequest.id;

    const out = await ok(
      `mutation($c: ID!, $r: ID) { exportContactData(contactId: $c, format: JSON, requestId: $r) { id content } }`,
      { c: lea, r: access },
      dpo,
    );
    const doc = JSON.parse(out.exportContactData.content);
    expect(doc.restrictionsAndObjections.map((e: { kind: string; purpose: string | null }) => `${e.kind}:${e.purpose ?? ""}`)).toEqual(
      expect.arrayContaining(["restricted:", "subject_informed:", "restriction_lifted:", "objected:analytics"]),
    );
    const requests = Object.fromEntries(doc.privacyRequests.map((r: { id: string; type: string; status: string }) => [r.id, r]));
    expect(requests[restriction]).toMatchObject({ type: "restriction", status: "in_progress" });
    expect(requests[objection]).toMatchObject({ type: "objection", status: "completed" });
    expect(requests[access]).toMatchObject({ type: "access" });
    const answered = await ok(`query($id: ID!) { privacyRequest(id: $id) { status answers { kind ref } } }`, { id: access }, dpo);
    expect(answered.privacyRequest).toEqual({ status: "IN_PROGRESS", answers: [{ kind: "EXPORT", ref: out.exportContactData.id }] });
  });
});

describe("a user's own consent and export (item 5, Done when)", () => {
  it("a user grants and withdraws their own marketing consent, and their export shows both with the proof", async () => {
    const sales = await t.login("sales@acme.test");
    const me = await userId(t, "sales@acme.test");
    await ok(`mutation { grantMyConsent(purpose: "marketing_email", noticeVersion: "2024-11-18") { purpose state } }`, {}, sales, BROWSER);
    const withdrawn = await ok(`mutation { withdrawMyConsent(purpose: "marketing_email") { purpose state } }`, {}, sales);
    expect(withdrawn.withdrawMyConsent.find((c: { purpose: string }) => c.purpose === "marketing_email").state).toBe("WITHDRAWN");
    const out = await ok(`mutation { exportMyData(format: JSON) { content } }`, {}, sales);
    const doc = JSON.parse(out.exportMyData.content);
    expect(doc.profile.id).toBe(me);
    const events = doc.consentEvents.filter((e: { purpose: string }) => e.purpose === "marketing_email");
    expect(events.map((e: { state: string }) => e.state).sort()).toEqual(["granted", "withdrawn"]);
    expect(events.find((e: { state: string }) => e.state === "granted")).toMatchObject({
      noticeVersion: "2024-11-18",
      subjectUserAgent: BROWSER["user-agent"],
    });
  });
});
