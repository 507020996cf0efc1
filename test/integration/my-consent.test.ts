// Users' own marketing consent (issue 9, item 5): Alpha's marketing to its account holders
// (privacy policy section 6, Alpha as controller). A user grants and withdraws their own
// consent, recorded in the consent ledger with the request's own proof, and under a consent
// purpose a user is reached only with it, like a contact.
import "reflect-metadata";
import { and, count, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, consentEvents, users } from "../../src/db/schema/index.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, userId } from "../helpers/fixtures.js";

const MINE = `{ myConsents { purpose state updatedAt } }`;
const GRANT = `mutation($p: String!, $v: String!) { grantMyConsent(purpose: $p, noticeVersion: $v) { purpose state updatedAt } }`;
const WITHDRAW = `mutation($p: String!) { withdrawMyConsent(purpose: $p) { purpose state updatedAt } }`;
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";

let t: TestApp;
const tokens: Record<string, string> = {};
let ownerId: string;

type Consent = { purpose: string; state: string; updatedAt: string | null };
const stateOf = (list: Consent[] | undefined, purpose: string) => list?.find((c) => c.purpose === purpose)?.state;

const grant = (who: string, purpose: string, v = "2024-11-18", headers: Record<string, string> = { "user-agent": BROWSER }) =>
  t.gql<{ grantMyConsent: Consent[] }>(GRANT, { p: purpose, v }, { token: tokens[who], headers });
const withdraw = (who: string, purpose: string) => t.gql<{ withdrawMyConsent: Consent[] }>(WITHDRAW, { p: purpose }, { token: tokens[who] });
const mine = (who: string) => t.gql<{ myConsents: Consent[] }>(MINE, {}, { token: tokens[who] });

async function userLedger(id: string) {
  return db(t).select().from(consentEvents).where(eq(consentEvents.subjectUserId, id)).orderBy(desc(consentEvents.createdAt), desc(consentEvents.id));
}

async function ledgerSize(): Promise<number> {
  const [row] = await db(t).select({ n: count() }).from(consentEvents);
  return Number(row.n);
}

async function userConsented(id: string): Promise<string[]> {
  const [row] = await db(t).select({ c: users.consentedPurposes }).from(users).where(eq(users.id, id));
  return row.c;
}

function expectBadInput(res: GqlResult, field: string): void {
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({ code: "BAD_USER_INPUT", field });
}

beforeAll(async () => {
  t = await startTestApp();
  for (const who of ["owner", "marketing", "sales"]) tokens[who] = await t.login(`${who}@acme.test`);
  tokens.globex = await t.login("owner@globex.test");
  ownerId = await userId(t, "owner@acme.test");
});

afterAll(() => t?.close());

describe("myConsents, grantMyConsent, withdrawMyConsent", () => {
  it("nothing is pre-granted: every consent purpose starts at NONE", async () => {
    const res = await mine("sales");
    expect(res.errors).toBeUndefined();
    expect(res.data!.myConsents).toEqual([
      { purpose: "marketing_email", state: "NONE", updatedAt: null },
      { purpose: "marketing_sms", state: "NONE", updatedAt: null },
    ]);
  });

  it("a grant is recorded in the consent ledger with the request's proof: notice version, address, browser", async () => {
    const res = await grant("owner", "marketing_email");
    expect(res.errors).toBeUndefined();
    expect(stateOf(res.data!.grantMyConsent, "marketing_email")).toBe("GRANTED");
    expect(stateOf(res.data!.grantMyConsent, "marketing_sms")).toBe("NONE");
    expect(await userConsented(ownerId)).toEqual(["marketing_email"]);
    const [entry] = await userLedger(ownerId);
    expect(entry).toMatchObject({
      subjectUserId: ownerId,
      contactId: null,
      purpose: "marketing_email",
      channel: "email",
      state: "granted",
      source: "form",
      noticeVersion: "2024-11-18",
      subjectIp: "127.0.0.1",
      subjectUserAgent: BROWSER,
      recordedBy: ownerId,
    });
    const [logged] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "grant_consent"), eq(auditLog.subject, "User"), eq(auditLog.subjectId, ownerId)));
    expect(logged).toMatchObject({ decision: "allow", actorId: ownerId });
    const again = await mine("owner");
    expect(stateOf(again.data!.myConsents, "marketing_email")).toBe("GRANTED");
    expect(again.data!.myConsents.find((c) => c.purpose === "marketing_email")!.updatedAt).toBe(entry.createdAt.toISOString());
  });

  it("a consent already granted is refused, and nothing is written", async () => {
    const before = await ledgerSize();
    expectBadInput(await grant("owner", "marketing_email"), "purpose");
    expect(await ledgerSize()).toBe(before);
  });

  it("bad input is a coded error naming the argument, and changes nothing", async () => {
    const before = await ledgerSize();
    expectBadInput(await grant("sales", "sales_pipeline"), "purpose");
    expectBadInput(await grant("sales", "newsletter"), "purpose");
    expectBadInput(await grant("sales", "marketing_sms", "   "), "noticeVersion");
    expectBadInput(await grant("sales", "marketing_sms", "v".repeat(51)), "noticeVersion");
    expectBadInput(await grant("sales", "marketing_sms", "2024-11-18", { "user-agent": "" }), "User-Agent header");
    expectBadInput(await withdraw("sales", "analytics"), "purpose");
    expectBadInput(
      await t.gql(`mutation { withdrawMyConsent(purpose: "marketing_sms", requestId: "req-1") { state } }`, {}, { token: tokens.sales }),
      "requestId",
    );
    expect(await ledgerSize()).toBe(before);
    expect(await userConsented(await userId(t, "sales@acme.test"))).toEqual([]);
  });

  it("needs a session", async () => {
    const res = await t.gql(MINE);
    expect(res.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
    const grantRes = await t.gql(GRANT, { p: "marketing_email", v: "2024-11-18" });
    expect(grantRes.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });

  it("one user's consent is theirs alone: the Globex owner's is untouched", async () => {
    const res = await mine("globex");
    expect(stateOf(res.data!.myConsents, "marketing_email")).toBe("NONE");
  });

  it("a withdrawal is recorded; withdrawing again writes nothing and is no error", async () => {
    const sales = await userId(t, "sales@acme.test");
    expect((await grant("sales", "marketing_sms")).errors).toBeUndefined();
    const res = await withdraw("sales", "marketing_sms");
    expect(res.errors).toBeUndefined();
    expect(stateOf(res.data!.withdrawMyConsent, "marketing_sms")).toBe("WITHDRAWN");
    expect(await userConsented(sales)).toEqual([]);
    const [entry] = await userLedger(sales);
    expect(entry).toMatchObject({ state: "withdrawn", purpose: "marketing_sms", channel: "sms", source: "form", recordedBy: sales });
    const before = await ledgerSize();
    const again = await withdraw("sales", "marketing_sms");
    expect(again.errors).toBeUndefined();
    expect(stateOf(again.data!.withdrawMyConsent, "marketing_sms")).toBe("WITHDRAWN");
    expect(await ledgerSize()).toBe(before);
  });

  it("works under any purpose the user acts under, marketing ones included", async () => {
    const res = await t.gql(WITHDRAW, { p: "marketing_email" }, { token: tokens.marketing, purpose: "marketing_email" });
    expect(res.errors).toBeUndefined();
    const me = await t.gql(`{ me { id email } }`, {}, { token: tokens.marketing, purpose: "marketing_email" });
    expect(me.data!.me.email).toBe("marketing@acme.test");
  });
});

describe("the consent gate on users", () => {
  const HISTORY = `query($id: ID!) { consentHistory(contactId: $id) { id recordedBy recorder { id name } } }`;

  it("under marketing_email, the marketing role reaches a colleague only once they consented", async () => {
    // The owner records Karim's consent, so the newest ledger entry names the owner as recorder.
    const karim = await contactIdByEmail(t, "karim.simon@initech.test");
    const recorded = await t.gql(
      `mutation($id: ID!) { grantConsent(contactId: $id, purpose: "marketing_email", source: "form", proof: { noticeVersion: "2024-11-18", subjectIp: "198.51.100.7", subjectUserAgent: "Mozilla/5.0" }) { id } }`,
      { id: karim },
      { token: tokens.owner },
    );
    expect(recorded.errors).toBeUndefined();
    const recorder = async (purpose = "marketing_email") => {
      const res = await t.gql(HISTORY, { id: karim }, { token: tokens.marketing, purpose });
      expect(res.errors).toBeUndefined();
      const entry = res.data!.consentHistory.find((e: { recordedBy: string }) => e.recordedBy === ownerId);
      expect(entry).toBeDefined();
      return entry.recorder;
    };

    expect((await withdraw("owner", "marketing_email")).errors).toBeUndefined();
    expect(await recorder()).toBeNull();
    expect((await grant("owner", "marketing_email")).errors).toBeUndefined();
    expect(await recorder()).toMatchObject({ id: ownerId, name: expect.any(String) });
    // A withdrawal takes effect at the next request.
    expect((await withdraw("owner", "marketing_email")).errors).toBeUndefined();
    expect(await recorder()).toBeNull();
  });

  it("explainAccess names the gate for a user who has not consented", async () => {
    const res = await t.gql(
      `query($id: ID!) { explainAccess(action: "read", subject: "User", id: $id, purpose: "marketing_email") { allowed rule chain { check outcome } } }`,
      { id: ownerId },
      { token: tokens.owner, purpose: "legal_compliance" },
    );
    expect(res.errors).toBeUndefined();
    // The gate's verdict on the owner as anyone else would see it (self.profile still lets the owner read itself).
    expect(res.data!.explainAccess.chain).toContainEqual({ check: "CONSENT", outcome: "DENY" });
  });
});
