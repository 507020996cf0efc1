// Found by review, fixed (the access is logged): a no-op withdrawal reads the privacy state of a person the caller's purpose hides,
// and leaves no trace (no ledger entry, no decision logged).
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db } from "../helpers/fixtures.js";

let t: TestApp;

const contactId = (email: string) => contactIdByEmail(t, email);

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("review: withdrawConsent as an unlogged read of hidden people", () => {
  it("support reading restricted Felix's privacy state through a no-op withdrawal is at least logged", async () => {
    const support = await t.login("support@acme.test");
    const felix = await contactId("felix.richard@hooli.test");
    // Felix is hidden from support (restricted): a direct read is NOT_FOUND.
    const direct = await t.gql(`query($id: ID!) { contact(id: $id) { id processingRestricted } }`, { id: felix }, { token: support });
    expect(direct.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    // A withdrawal of a consent he never gave changes nothing, but answers his privacy state.
    const res = await t.gql(
      `mutation($id: ID!) { withdrawConsent(contactId: $id, purpose: "marketing_sms") { id processingRestricted objections erased consents { purpose state updatedAt } } }`,
      { id: felix },
      { token: support },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.withdrawConsent.processingRestricted).toBe(true);
    const logged = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, felix), eq(auditLog.action, "withdraw_consent")));
    expect(logged.length, "the hidden person's state was read and nothing was logged").toBeGreaterThan(0);
  });

  it("marketing reads the privacy state of a person without consent (Karim), unlogged", async () => {
    const mkt = await t.login("marketing@acme.test");
    const karim = await contactId("karim.simon@initech.test");
    const direct = await t.gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: karim }, { token: mkt });
    expect(direct.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
    const res = await t.gql(
      `mutation($id: ID!) { withdrawConsent(contactId: $id, purpose: "marketing_email") { id objections processingRestricted } }`,
      { id: karim },
      { token: mkt },
    );
    expect(res.errors).toBeUndefined();
    const logged = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, karim), eq(auditLog.action, "withdraw_consent")));
    expect(logged.length, "the hidden person's state was read and nothing was logged").toBeGreaterThan(0);
  });
});
