// The consent and privacy ledgers are read newest first by (created_at, id), and the latest
// event is what a person, a DPO and an export see as the state. Two transactions change one
// person's state in the order they take the contact row's lock, not in the order they began:
// with created_at = now() (the transaction's start), a transaction that began first but locked
// second stamped its event earlier, and the ledger's latest event contradicted the state the
// gates use. Only PostgreSQL runs two transactions at once; PGlite runs them one after another.
import "reflect-metadata";
import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.js";
import { consentEvents, contactPrivacyEvents, contacts } from "../../src/db/schema/index.js";
import { applyConsent, type ConsentChange } from "../../src/modules/consent/consent.repository.js";
import { appendEvents, updateState } from "../../src/modules/privacy-state/privacy-state.repository.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, userId, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let ws: string;
let alice: string;
let dpo: string;

beforeAll(async () => {
  t = await startTestApp();
  ws = await workspaceId(t, "Acme");
  alice = await contactIdByEmail(t, "alice.martin@initech.test");
  dpo = await userId(t, "dpo@acme.test");
});
afterAll(() => t?.close());

/**
 * Runs `early` in a transaction that begins (and fixes its now()) before `late` runs in its own,
 * but writes only after `late` has committed.
 */
async function beganFirstWroteSecond<T>(early: (tx: Db) => Promise<T>, late: (tx: Db) => Promise<unknown>): Promise<T> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let began!: () => void;
  const begun = new Promise<void>((resolve) => (began = resolve));
  const first = db(t).transaction(async (tx: Db) => {
    await tx.execute(sql`select 1`);
    began();
    await gate;
    return early(tx);
  });
  await begun;
  await new Promise((resolve) => setTimeout(resolve, 20));
  await db(t).transaction(late);
  release();
  return first;
}

describe.skipIf(!process.env.DATABASE_URL)("the latest ledger event agrees with the state", () => {
  it("consent: a grant that began before a withdrawal but locked after it is the latest event", async () => {
    const change = (state: ConsentChange["state"]): ConsentChange => ({
      workspaceId: ws,
      contactId: alice,
      purpose: "marketing_sms",
      channel: "sms",
      state,
      source: "form",
      recordedBy: null,
    });
    await db(t).transaction((tx: Db) => applyConsent(tx, change("granted")));
    const granted = await beganFirstWroteSecond(
      (tx) => applyConsent(tx, change("granted")),
      (tx) => applyConsent(tx, change("withdrawn")),
    );
    expect(granted).toBe(true);
    const [row] = await db(t).select({ purposes: contacts.consentedPurposes }).from(contacts).where(eq(contacts.id, alice));
    expect(row.purposes).toContain("marketing_sms");
    const [latest] = await db(t)
      .select({ state: consentEvents.state })
      .from(consentEvents)
      .where(and(eq(consentEvents.contactId, alice), eq(consentEvents.purpose, "marketing_sms")))
      .orderBy(desc(consentEvents.createdAt), desc(consentEvents.id))
      .limit(1);
    expect(latest.state).toBe("granted");
  });

  it("restriction: a restriction that began before a lift but locked after it is the latest event", async () => {
    const event = (kind: "restricted" | "restriction_lifted") => ({ workspaceId: ws, contactId: alice, kind, recordedBy: dpo });
    const restrict = async (tx: Db) => {
      if (!(await updateState(tx, ws, alice, { processingRestricted: true }))) return false;
      await appendEvents(tx, [event("restricted")]);
      return true;
    };
    await db(t).transaction(restrict);
    const restricted = await beganFirstWroteSecond(restrict, async (tx) => {
      expect(await updateState(tx, ws, alice, { processingRestricted: false })).toBe(true);
      await appendEvents(tx, [event("restriction_lifted")]);
    });
    expect(restricted).toBe(true);
    const [row] = await db(t).select({ restricted: contacts.processingRestricted }).from(contacts).where(eq(contacts.id, alice));
    expect(row.restricted).toBe(true);
    const [latest] = await db(t)
      .select({ kind: contactPrivacyEvents.kind })
      .from(contactPrivacyEvents)
      .where(eq(contactPrivacyEvents.contactId, alice))
      .orderBy(desc(contactPrivacyEvents.createdAt), desc(contactPrivacyEvents.id))
      .limit(1);
    expect(latest.kind).toBe("restricted");
  });
});
