// The consent and privacy ledgers are read newest first by (created_at, id), and the latest
// event is what a person, a DPO and an export see as the state. Two transactions change one
// person's state in the order they take the contact row's lock, not in the order they began:
// with created_at = now() (the transaction's start), a transaction that began first but locked
// second stamped its event earlier, and the ledger's latest event contradicted the state the
// gates use. Only PostgreSQL runs two transactions at once; PGlite runs them one after another.
import "reflect-metadata";
import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, rowsOf } from "../../src/db/client.js";
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

describe.skipIf(!process.env.DATABASE_URL)("a record moved onto a known address keeps what was committed meanwhile", () => {
  it("an objection committed while updateContact waits for the row is kept beside the carried one", { timeout: 60_000 }, async () => {
    const sales = await t.login("sales@acme.test");
    const as = { token: sales, purpose: "service_provision" };
    const made = await t.gql(`mutation { createContact(input: { firstName: "Rae", lastName: "Race", email: "rae.race@vandelay.test" }) { id } }`, {}, as);
    const id = made.data!.createContact.id as string;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const held = new Promise<void>((resolve) => (locked = resolve));
    // Another transaction holds the row, so the UPDATE waits; meanwhile it commits an objection.
    const other = db(t).transaction(async (tx: Db) => {
      await tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, id)).for("update");
      locked();
      await gate;
      await tx
        .update(contacts)
        .set({ objectedPurposes: ["analytics"] })
        .where(eq(contacts.id, id));
    });
    await held;
    // Onto Gabrielle's address: her objection to sales_pipeline comes along.
    const moving = t.gql(`mutation($id: ID!) { updateContact(id: $id, input: { email: "gabrielle.petit@vandelay.test" }) { id objections } }`, { id }, as);
    const waiting = async () =>
      rowsOf<{ n: string | number }>(
        await db(t).execute(
          sql`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'update "contacts"%'`,
        ),
      ).map((r) => Number(r.n))[0];
    let seen = 0;
    for (let i = 0; i < 300 && seen === 0; i++) {
      seen = await waiting();
      if (seen === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen, "the UPDATE waited for the row").toBe(1);
    release();
    await other;
    const res = await moving;
    expect(res.errors).toBeUndefined();
    const [row] = await db(t).select({ objected: contacts.objectedPurposes }).from(contacts).where(eq(contacts.id, id));
    expect(row.objected).toEqual(["analytics", "sales_pipeline"]);
  });
});
