// The breach register (issue #10, part 5): Art. 33(5) documentation, the 72-hour deadlines and
// `overdue` against the database clock, notifications recorded once, notices to affected users
// and to the controllers' owners, DPO and owner only, affected ids checked against the tenant.
import "reflect-metadata";
import { and, asc, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, breachAffectedContacts, breaches, contacts } from "../../src/db/schema/index.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, userId, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
const tokens: Record<string, string> = {};
const HOUR = 3_600_000;
const LEGAL = "legal_compliance";

const FIELDS = `id detectedAt authorityDeadline usersDeadline authorityNotifiedAt usersNotifiedAt controllersNotifiedAt
  affectedCount status overdue description effects remedialAction severity authority reportedAt`;
const REPORT = `mutation($input: ReportBreachInput!) { reportBreach(input: $input) { ${FIELDS} } }`;
const NOTIFY = `mutation($id: ID!, $target: BreachNotificationTarget!) { recordBreachNotification(id: $id, target: $target) { ${FIELDS} } }`;
const LIST = `query($first: Int, $after: String) { breaches(first: $first, after: $after) { totalCount nodes { id detectedAt } pageInfo { hasNextPage endCursor } } }`;
const NOTICES = `{ me { breachNotices { id description effects remedialAction severity target notifiedAt } } }`;

let alice: string;
let bruno: string;
let globexContact: string;
let sales: string;
let globexOwner: string;

function input(over: Record<string, unknown> = {}) {
  return {
    description: "A support export of contacts was sent to the wrong customer.",
    detectedAt: new Date(Date.now() - HOUR).toISOString(),
    severity: "HIGH",
    affectedContactIds: [alice],
    affectedUserIds: [sales],
    effects: "Names and emails disclosed to one other customer.",
    remedialAction: "Recipient confirmed deletion; exports now need a second reviewer.",
    ...over,
  };
}

/** `purpose: null`: the caller's default purpose. */
const report = (who: string, over: Record<string, unknown> = {}, purpose: string | null = LEGAL) =>
  t.gql(REPORT, { input: input(over) }, { token: tokens[who], purpose: purpose ?? undefined });
const notify = (who: string, id: string, target: string, purpose: string | null = LEGAL) =>
  t.gql(NOTIFY, { id, target }, { token: tokens[who], purpose: purpose ?? undefined });

function expectCode(res: GqlResult, code: string, field?: string): void {
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({ code, ...(field ? { field } : {}) });
}

async function breachCount(): Promise<number> {
  return Number((await db(t).select({ n: count() }).from(breaches))[0].n);
}

beforeAll(async () => {
  t = await startTestApp();
  for (const who of ["owner", "dpo", "auditor", "sales", "marketing", "support"]) tokens[who] = await t.login(`${who}@acme.test`);
  tokens.globex = await t.login("owner@globex.test");
  alice = await contactIdByEmail(t, "alice.martin@initech.test");
  bruno = await contactIdByEmail(t, "bruno.bernard@initech.test");
  sales = await userId(t, "sales@acme.test");
  globexOwner = await userId(t, "owner@globex.test");
  const globex = await workspaceId(t, "Globex");
  [{ id: globexContact }] = await db(t).select({ id: contacts.id }).from(contacts).where(eq(contacts.workspaceId, globex)).limit(1);
});

afterAll(() => t?.close());

describe("reportBreach", () => {
  it("documents the breach with both deadlines at detectedAt + 72 h, CNIL by default", async () => {
    const detectedAt = new Date(Date.now() - HOUR);
    const res = await report("dpo", { detectedAt: detectedAt.toISOString() });
    expect(res.errors).toBeUndefined();
    const b = res.data!.reportBreach;
    expect(new Date(b.authorityDeadline).getTime()).toBe(detectedAt.getTime() + 72 * HOUR);
    expect(new Date(b.usersDeadline).getTime()).toBe(detectedAt.getTime() + 72 * HOUR);
    expect(b).toMatchObject({ affectedCount: 2, status: "OPEN", overdue: false, severity: "HIGH", authority: "CNIL", authorityNotifiedAt: null });
    expect(b.effects).toContain("disclosed");
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subject, "Breach"), eq(auditLog.subjectId, b.id), eq(auditLog.action, "create")));
    expect(entry).toMatchObject({ decision: "allow", actorId: await userId(t, "dpo@acme.test"), purpose: LEGAL });
  });

  it("is overdue once 72 hours passed without the authority's notification, and not once it is recorded", async () => {
    const late = (await report("dpo", { detectedAt: new Date(Date.now() - 73 * HOUR).toISOString(), affectedUserIds: [] })).data!.reportBreach;
    expect(late.overdue).toBe(true);
    const notified = (await notify("dpo", late.id, "AUTHORITY")).data!.recordBreachNotification;
    expect(notified.authorityNotifiedAt).not.toBeNull();
    // Contacts were affected: the controllers are still to be told, but they have no 72-hour clock.
    expect(notified).toMatchObject({ overdue: false, status: "NOTIFYING" });
    expect((await notify("dpo", late.id, "CONTROLLERS")).data!.recordBreachNotification.status).toBe("NOTIFIED");
  });

  it("stays overdue while affected users are not notified after 72 hours", async () => {
    const late = (await report("dpo", { detectedAt: new Date(Date.now() - 80 * HOUR).toISOString(), affectedContactIds: [] })).data!.reportBreach;
    expect((await notify("dpo", late.id, "AUTHORITY")).data!.recordBreachNotification).toMatchObject({ overdue: true, status: "NOTIFYING" });
    expect((await notify("dpo", late.id, "USERS")).data!.recordBreachNotification).toMatchObject({ overdue: false, status: "NOTIFIED" });
  });

  it("lets the owner report under legal_compliance, not under a purpose without breach_records", async () => {
    expect((await report("owner")).errors).toBeUndefined();
    const refused = await report("owner", {}, null);
    expectCode(refused, "FORBIDDEN");
    expect(refused.errors![0].extensions.rule).toBe("gate.data_category.service_provision");
  });

  it("keeps the affected contacts documented after the contact is deleted", async () => {
    const b = (await report("dpo", { affectedContactIds: [bruno], affectedUserIds: [] })).data!.reportBreach;
    const del = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: bruno }, { token: tokens.owner, purpose: "sales_pipeline" });
    expect(del.errors).toBeUndefined();
    const rows = await db(t).select().from(breachAffectedContacts).where(eq(breachAffectedContacts.breachId, b.id));
    expect(rows.map((r) => r.contactId)).toEqual([bruno]);
    const again = await t.gql(LIST, { first: 200 }, { token: tokens.dpo });
    expect(again.data!.breaches.nodes.map((n: { id: string }) => n.id)).toContain(b.id);
  });
});

describe("reportBreach refuses bad input, changing nothing", () => {
  it.each([
    ["a contact of another workspace", { affectedContactIds: () => [globexContact] }, "input.affectedContactIds"],
    ["an unknown contact id", { affectedContactIds: () => ["00000000-0000-4000-8000-000000000000"] }, "input.affectedContactIds"],
    ["a user of another workspace", { affectedUserIds: () => [globexOwner] }, "input.affectedUserIds"],
    ["a malformed id", { affectedUserIds: () => ["not-an-id"] }, "input.affectedUserIds"],
    ["a detection in the future", { detectedAt: () => new Date(Date.now() + 2 * HOUR).toISOString() }, "input.detectedAt"],
    ["empty effects", { effects: () => "   " }, "input.effects"],
  ])("%s", async (_name, over, field) => {
    const before = await breachCount();
    const values = Object.fromEntries(Object.entries(over).map(([k, v]) => [k, (v as () => unknown)()]));
    const res = await report("dpo", values);
    expectCode(res, "BAD_USER_INPUT", field);
    expect(await breachCount()).toBe(before);
  });

  it("answers another tenant's id and an unknown id with the same message", async () => {
    const foreign = await report("dpo", { affectedContactIds: [globexContact] });
    const unknown = await report("dpo", { affectedContactIds: ["00000000-0000-4000-8000-000000000000"] });
    expect(foreign.errors![0].message).toBe(unknown.errors![0].message);
  });

  it("refuses a severity outside the enum", async () => {
    expect((await report("dpo", { severity: "APOCALYPTIC" })).errors?.[0]?.extensions?.code).toBeDefined();
    expect((await report("dpo", { severity: "APOCALYPTIC" })).data ?? null).toBeNull();
  });
});

describe("recordBreachNotification", () => {
  it("keeps the first time on a repeat (idempotent) and logs each call", async () => {
    const b = (await report("dpo")).data!.reportBreach;
    const first = (await notify("dpo", b.id, "AUTHORITY")).data!.recordBreachNotification;
    const second = await notify("owner", b.id, "AUTHORITY");
    expect(second.errors).toBeUndefined();
    expect(second.data!.recordBreachNotification.authorityNotifiedAt).toBe(first.authorityNotifiedAt);
    const logged = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subject, "Breach"), eq(auditLog.subjectId, b.id), eq(auditLog.action, "update")))
      // Without an order, PostgreSQL may return the two entries either way round.
      .orderBy(asc(auditLog.seq));
    expect(logged.map((e) => (e.detail as { changed: boolean }).changed)).toEqual([true, false]);
  });

  it("refuses a target the breach does not need", async () => {
    const b = (await report("dpo", { affectedUserIds: [], affectedContactIds: [] })).data!.reportBreach;
    expect(b).toMatchObject({ affectedCount: 0, status: "OPEN" });
    expectCode(await notify("dpo", b.id, "USERS"), "BAD_USER_INPUT", "target");
    expectCode(await notify("dpo", b.id, "CONTROLLERS"), "BAD_USER_INPUT", "target");
    expect((await notify("dpo", b.id, "AUTHORITY")).data!.recordBreachNotification.status).toBe("NOTIFIED");
  });

  it("answers NOT_FOUND for an unknown id and for another workspace's breach", async () => {
    const b = (await report("dpo")).data!.reportBreach;
    expectCode(await notify("globex", b.id, "AUTHORITY"), "NOT_FOUND");
    expectCode(await notify("dpo", "00000000-0000-4000-8000-000000000000", "AUTHORITY"), "NOT_FOUND");
    expectCode(await notify("dpo", "nope", "AUTHORITY"), "NOT_FOUND");
  });
});

describe("breach notices in me", () => {
  it("shows affected users the breach once USERS is recorded, and the owner once CONTROLLERS is", async () => {
    const b = (await report("dpo", { description: "Notice test breach" })).data!.reportBreach;
    const noticesOf = async (who: string) =>
      ((await t.gql(NOTICES, {}, { token: tokens[who] })).data!.me.breachNotices as Array<{ id: string; target: string }>).filter((n) => n.id === b.id);
    expect(await noticesOf("sales")).toEqual([]);
    await notify("dpo", b.id, "USERS");
    expect((await noticesOf("sales")).map((n) => n.target)).toEqual(["USERS"]);
    expect(await noticesOf("support")).toEqual([]);
    expect(await noticesOf("owner")).toEqual([]);
    await notify("dpo", b.id, "CONTROLLERS");
    expect((await noticesOf("owner")).map((n) => n.target)).toEqual(["CONTROLLERS"]);
    expect(await noticesOf("dpo")).toEqual([]);
    expect(await noticesOf("globex")).toEqual([]);
  });
});

describe("who may use the register", () => {
  it.each(["auditor", "sales", "marketing", "support"])("%s is FORBIDDEN to list, report and record", async (who) => {
    const b = (await report("dpo")).data!.reportBreach;
    const before = await breachCount();
    expectCode(await t.gql(LIST, {}, { token: tokens[who] }), "FORBIDDEN");
    expectCode(await report(who, {}, null), "FORBIDDEN");
    expectCode(await notify(who, b.id, "AUTHORITY", null), "FORBIDDEN");
    expect(await breachCount()).toBe(before);
    const [row] = await db(t).select().from(breaches).where(eq(breaches.id, b.id));
    expect(row.authorityNotifiedAt).toBeNull();
  });

  it("the auditor is FORBIDDEN under legal_compliance too", async () => {
    expectCode(await t.gql(LIST, {}, { token: tokens.auditor, purpose: LEGAL }), "FORBIDDEN");
  });

  it("never shows Acme's breaches to Globex's owner", async () => {
    const res = await t.gql(LIST, { first: 200 }, { token: tokens.globex, purpose: LEGAL });
    expect(res.errors).toBeUndefined();
    expect(res.data!.breaches.totalCount).toBe(0);
  });

  it("pages the register newest detection first with sealed cursors", async () => {
    const all = (await t.gql(LIST, { first: 200 }, { token: tokens.dpo })).data!.breaches;
    expect(all.totalCount).toBeGreaterThan(2);
    const times = all.nodes.map((n: { detectedAt: string }) => Date.parse(n.detectedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const first = (await t.gql(LIST, { first: 2 }, { token: tokens.dpo })).data!.breaches;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = (await t.gql(LIST, { first: 2, after: first.pageInfo.endCursor }, { token: tokens.dpo })).data!.breaches;
    expect(next.nodes.map((n: { id: string }) => n.id)).toEqual(all.nodes.slice(2, 4).map((n: { id: string }) => n.id));
    expectCode(await t.gql(LIST, { first: 2, after: "garbage" }, { token: tokens.dpo }), "BAD_USER_INPUT", "after");
    // Another workspace's cursor is refused.
    expectCode(await t.gql(LIST, { first: 2, after: first.pageInfo.endCursor }, { token: tokens.globex, purpose: LEGAL }), "BAD_USER_INPUT", "after");
  });
});
