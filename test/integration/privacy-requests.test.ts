// Privacy requests (issue 9, part A): the legal clock (one calendar month clamped to the month's
// end, one extension before dueAt), verification before acting, answers, overdue and filters,
// the dpo and the owner only, tenancy, coded bad input, decision-log entries, and rectification
// through updateContact audited with field names only.
import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, privacyRequests } from "../../src/db/schema/index.js";
import { type GqlResult, startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, userId } from "../helpers/fixtures.js";

let t: TestApp;
let ines: string;
let homer: string;
let salesUser: string;
let globexOwner: string;
let dpo: string;

const FIELDS = `id type law status contactId userId receivedAt dueAt extendedUntil extensionReason effectiveDueAt overdue startedAt completedAt rejectionReason
  verification { method note verifiedAt } answers { kind ref }`;
const SUBMIT = `mutation($input: PrivacyRequestInput!) { submitPrivacyRequest(input: $input) { ${FIELDS} } }`;
const START = `mutation($id: ID!, $v: IdentityVerificationInput) { startPrivacyRequest(id: $id, verification: $v) { ${FIELDS} } }`;
const EXTEND = `mutation($id: ID!, $reason: String!, $months: Int) { extendPrivacyRequest(id: $id, reason: $reason, months: $months) { ${FIELDS} } }`;
const COMPLETE = `mutation($id: ID!) { completePrivacyRequest(id: $id) { ${FIELDS} } }`;
const REJECT = `mutation($id: ID!, $reason: String!) { rejectPrivacyRequest(id: $id, reason: $reason) { ${FIELDS} } }`;
const LIST = `query($filter: PrivacyRequestFilter, $orderBy: PrivacyRequestOrder) { privacyRequests(first: 200, filter: $filter, orderBy: $orderBy) { totalCount nodes { id type status overdue dueAt } } }`;
const VERIFIED = { method: "EMAIL_LINK", note: "Confirmed from the address on record" };

async function submit(input: Record<string, unknown>, token = dpo) {
  const res = await t.gql(SUBMIT, { input }, { token });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.submitPrivacyRequest;
}

const ids = (res: GqlResult): string[] => ((res.data?.privacyRequests?.nodes ?? []) as Array<{ id: string }>).map((n) => n.id);
const count = async () => (await db(t).select({ id: privacyRequests.id }).from(privacyRequests)).length;

beforeAll(async () => {
  t = await startTestApp();
  ines = await contactIdByEmail(t, "ines.leroy@example.test");
  homer = await contactIdByEmail(t, "homer@springfield.test");
  salesUser = await userId(t, "sales@acme.test");
  globexOwner = await userId(t, "owner@globex.test");
  dpo = await t.login("dpo@acme.test");
});
afterAll(() => t.close());

describe("the clock (Art. 12(3))", () => {
  it("a request received on 31 January is due on 28 February, or 29 in a leap year; both are now overdue", async () => {
    const plain = await submit({ type: "ACCESS", contactId: ines, receivedAt: "2026-01-31T10:00:00Z" });
    expect(plain).toMatchObject({
      status: "RECEIVED",
      law: "GDPR",
      dueAt: "2026-02-28T23:59:59.999Z",
      effectiveDueAt: "2026-02-28T23:59:59.999Z",
      overdue: true,
    });
    const leap = await submit({ type: "ACCESS", contactId: ines, receivedAt: "2024-01-31T10:00:00Z" });
    expect(leap.dueAt).toBe("2024-02-29T23:59:59.999Z");
  });

  it("extends once, by two months from receipt unless told one, only before dueAt, with the reason", async () => {
    const fresh = await submit({ type: "ERASURE", contactId: ines });
    expect(fresh.overdue).toBe(false);
    expect(new Date(fresh.dueAt).getTime()).toBeGreaterThan(Date.now() + 27 * 86_400_000);

    const tooMany = await t.gql(EXTEND, { id: fresh.id, reason: "Many systems to search", months: 3 }, { token: dpo });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "months" });
    const noReason = await t.gql(EXTEND, { id: fresh.id, reason: "  " }, { token: dpo });
    expect(noReason.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "reason" });

    const extended = await t.gql(EXTEND, { id: fresh.id, reason: "The request covers ten years of records" }, { token: dpo });
    expect(extended.errors).toBeUndefined();
    const r = extended.data!.extendPrivacyRequest;
    expect(r.extensionReason).toBe("The request covers ten years of records");
    expect(r.effectiveDueAt).toBe(r.extendedUntil);
    const months = (iso: string) => new Date(iso).getUTCFullYear() * 12 + new Date(iso).getUTCMonth();
    expect(months(r.extendedUntil) - months(r.receivedAt)).toBe(3);

    const again = await t.gql(EXTEND, { id: fresh.id, reason: "Still more records to search" }, { token: dpo });
    expect(again.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(again.errors?.[0].message).toMatch(/already extended/);

    // Received on the 1st of this month, so still before its dueAt whatever today is (a fixed
    // 2026-11-01 was due on 2026-12-01 and refused from the next day on).
    const now = new Date();
    const firstOfMonth = (later: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + later, 1));
    const oneMonth = await submit({ type: "ACCESS", contactId: ines, receivedAt: firstOfMonth(0).toISOString() });
    const byOne = await t.gql(EXTEND, { id: oneMonth.id, reason: "Records held on paper", months: 1 }, { token: dpo });
    expect(byOne.data!.extendPrivacyRequest.extendedUntil).toBe(new Date(firstOfMonth(2).getTime() + 86_400_000 - 1).toISOString());
  });

  it("refuses an extension once dueAt has passed, changing nothing", async () => {
    const late = await submit({ type: "ACCESS", contactId: ines, receivedAt: "2026-08-15T10:00:00Z" });
    const res = await t.gql(EXTEND, { id: late.id, reason: "Too late for this" }, { token: dpo });
    expect(res.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0].message).toMatch(/deadline has passed/);
    const [row] = await db(t).select().from(privacyRequests).where(eq(privacyRequests.id, late.id));
    expect(row.extendedUntil).toBeNull();
  });

  it("counts in the workspace's time zone once the owner sets one", async () => {
    const owner = await t.login("owner@acme.test");
    const SET = `mutation($tz: String) { setWorkspaceTimeZone(timeZone: $tz) { id timeZone } }`;
    const bad = await t.gql(SET, { tz: "Mars/Olympus_Mons" }, { token: owner });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "timeZone" });
    const byDpo = await t.gql(SET, { tz: "Europe/Paris" }, { token: dpo });
    expect(byDpo.errors?.[0].extensions.code).toBe("FORBIDDEN");
    const set = await t.gql(SET, { tz: "europe/paris" }, { token: owner });
    expect(set.data!.setWorkspaceTimeZone.timeZone).toBe("Europe/Paris");
    try {
      const r = await submit({ type: "ACCESS", contactId: ines, receivedAt: "2026-01-31T23:30:00Z" });
      expect(r.dueAt).toBe("2026-03-01T22:59:59.999Z");
    } finally {
      await t.gql(SET, { tz: null }, { token: owner });
    }
  });

  it("a CCPA request is due in 45 days and takes the rights to know, delete and correct only", async () => {
    const r = await submit({ type: "ERASURE", law: "CCPA", contactId: ines, receivedAt: "2026-01-31T10:00:00Z" });
    expect(r).toMatchObject({ law: "CCPA", dueAt: "2026-03-17T23:59:59.999Z" });
    const restriction = await t.gql(SUBMIT, { input: { type: "RESTRICTION", law: "CCPA", contactId: ines } }, { token: dpo });
    expect(restriction.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.type" });
  });
});

describe("a request's life", () => {
  it("acting needs a verified identity; an objection is completed by a decision; closed requests stay closed", async () => {
    const r = await submit({ type: "OBJECTION", contactId: ines, details: "Stop using my data for prospecting" });
    expect(r.verification).toBeNull();
    const unverified = await t.gql(START, { id: r.id }, { token: dpo });
    expect(unverified.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "verification" });
    const other = await t.gql(START, { id: r.id, v: { method: "OTHER" } }, { token: dpo });
    expect(other.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "verification.note" });
    const started = await t.gql(START, { id: r.id, v: VERIFIED }, { token: dpo });
    expect(started.data!.startPrivacyRequest).toMatchObject({ status: "IN_PROGRESS", verification: { method: "EMAIL_LINK" } });
    const twice = await t.gql(START, { id: r.id }, { token: dpo });
    expect(twice.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const done = await t.gql(COMPLETE, { id: r.id }, { token: dpo });
    expect(done.data!.completePrivacyRequest).toMatchObject({ status: "COMPLETED", overdue: false });
    expect(done.data!.completePrivacyRequest.completedAt).not.toBeNull();
    const reject = await t.gql(REJECT, { id: r.id, reason: "Changed my mind" }, { token: dpo });
    expect(reject.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("an access request cannot be completed without an answer; a rejection carries the reason the person reads", async () => {
    const r = await submit({ type: "ACCESS", contactId: ines, verification: VERIFIED });
    const empty = await t.gql(COMPLETE, { id: r.id }, { token: dpo });
    expect(empty.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect(empty.errors?.[0].message).toMatch(/link it first/);
    const reason = "We could not find any data about you in this workspace.";
    const rejected = await t.gql(REJECT, { id: r.id, reason }, { token: dpo });
    expect(rejected.data!.rejectPrivacyRequest).toMatchObject({ status: "REJECTED", rejectionReason: reason, overdue: false });
    const extend = await t.gql(EXTEND, { id: r.id, reason: "More time for a closed one" }, { token: dpo });
    expect(extend.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("a request may be about a workspace member instead of a contact", async () => {
    const r = await submit({ type: "ACCESS", userId: salesUser, verification: { method: "ACCOUNT_SIGNED_IN" } });
    expect(r).toMatchObject({ userId: salesUser, contactId: null, verification: { method: "ACCOUNT_SIGNED_IN" } });
  });

  it("every step is in the decision log", async () => {
    const r = await submit({ type: "RESTRICTION", contactId: ines });
    await t.gql(START, { id: r.id, v: VERIFIED }, { token: dpo });
    await t.gql(EXTEND, { id: r.id, reason: "Checking the accuracy takes time", months: 1 }, { token: dpo });
    await t.gql(COMPLETE, { id: r.id }, { token: dpo });
    const r2 = await submit({ type: "RESTRICTION", contactId: ines });
    await t.gql(REJECT, { id: r2.id, reason: "Manifestly unfounded" }, { token: dpo });
    const rows = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subject, "PrivacyRequest"), inArray(auditLog.subjectId, [r.id, r2.id])))
      // Without an order, PostgreSQL may return the entries in any order (CI saw start after extend).
      .orderBy(asc(auditLog.seq));
    expect(rows.filter((e) => e.subjectId === r.id).map((e) => e.action)).toEqual([
      "submit_privacy_request",
      "start_privacy_request",
      "extend_privacy_request",
      "complete_privacy_request",
    ]);
    expect(rows.filter((e) => e.subjectId === r2.id).map((e) => e.action)).toEqual(["submit_privacy_request", "reject_privacy_request"]);
    expect(rows.every((e) => e.decision === "allow" && e.actorRole === "dpo" && e.purpose === "legal_compliance")).toBe(true);
    expect(rows.find((e) => e.action === "extend_privacy_request")!.detail).toMatchObject({ months: 1 });
  });
});

describe("concurrency and cost", () => {
  it("two extensions at once: one wins, the other is refused", async () => {
    const r = await submit({ type: "ACCESS", contactId: ines });
    const both = await Promise.all([
      t.gql(EXTEND, { id: r.id, reason: "First reason given", months: 1 }, { token: dpo }),
      t.gql(EXTEND, { id: r.id, reason: "Second reason given", months: 2 }, { token: dpo }),
    ]);
    expect(both.filter((res) => res.errors === undefined)).toHaveLength(1);
    expect(both.filter((res) => res.errors?.[0].extensions.code === "BAD_USER_INPUT")).toHaveLength(1);
  });

  it("a page of requests with their answers costs the same number of statements whatever its size", async () => {
    const PAGE = `query($n: Int) { privacyRequests(first: $n) { nodes { id overdue effectiveDueAt verification { method } answers { kind ref } } } }`;
    const small = await t.gql(PAGE, { n: 2 }, { token: dpo });
    const large = await t.gql(PAGE, { n: 30 }, { token: dpo });
    expect(large.errors).toBeUndefined();
    expect(large.data!.privacyRequests.nodes.length).toBeGreaterThan(10);
    expect(large.queries).toBe(small.queries);
  });
});

describe("lists and filters", () => {
  it("filters by type, status, overdue, deadline and person", async () => {
    const overdue = await submit({ type: "PORTABILITY", contactId: ines, receivedAt: "2025-06-01T10:00:00Z" });
    const soon = await submit({ type: "PORTABILITY", contactId: ines, receivedAt: new Date(Date.now() - 25 * 86_400_000).toISOString() });
    const later = await submit({ type: "PORTABILITY", contactId: ines });
    const mine = [overdue.id, soon.id, later.id];
    const only = (res: GqlResult) => ids(res).filter((id) => mine.includes(id));

    const byType = await t.gql(LIST, { filter: { types: ["PORTABILITY"] } }, { token: dpo });
    expect(only(byType).sort()).toEqual([...mine].sort());
    expect(byType.data!.privacyRequests.nodes.every((n: { type: string }) => n.type === "PORTABILITY")).toBe(true);

    const late = await t.gql(LIST, { filter: { overdue: true, types: ["PORTABILITY"] } }, { token: dpo });
    expect(only(late)).toEqual([overdue.id]);
    const notLate = await t.gql(LIST, { filter: { overdue: false, types: ["PORTABILITY"] } }, { token: dpo });
    expect(only(notLate).sort()).toEqual([soon.id, later.id].sort());

    const dueSoon = await t.gql(LIST, { filter: { dueWithinDays: 10, types: ["PORTABILITY"] } }, { token: dpo });
    expect(only(dueSoon).sort()).toEqual([overdue.id, soon.id].sort());
    const before = await t.gql(LIST, { filter: { dueBefore: "2025-07-15T00:00:00Z", types: ["PORTABILITY"] } }, { token: dpo });
    expect(only(before)).toEqual([overdue.id]);

    await t.gql(REJECT, { id: soon.id, reason: "Duplicate of an earlier request" }, { token: dpo });
    const rejected = await t.gql(LIST, { filter: { statuses: ["REJECTED"], types: ["PORTABILITY"] } }, { token: dpo });
    expect(only(rejected)).toEqual([soon.id]);
    const open = await t.gql(LIST, { filter: { open: true, types: ["PORTABILITY"] } }, { token: dpo });
    expect(only(open).sort()).toEqual([overdue.id, later.id].sort());

    const aboutUser = await t.gql(LIST, { filter: { userId: salesUser } }, { token: dpo });
    expect(aboutUser.data!.privacyRequests.totalCount).toBeGreaterThan(0);
    const aboutInes = await t.gql(LIST, { filter: { contactId: ines, types: ["PORTABILITY"] } }, { token: dpo });
    expect(aboutInes.data!.privacyRequests.totalCount).toBe(3);

    const byDue = await t.gql(LIST, { filter: { types: ["PORTABILITY"] }, orderBy: { field: "DUE_AT", direction: "ASC" } }, { token: dpo });
    const dues = byDue.data!.privacyRequests.nodes.map((n: { dueAt: string }) => n.dueAt);
    expect(dues).toEqual([...dues].sort());
  });
});

describe("who may act", () => {
  it("sales, marketing, support and the auditor can neither submit, list nor answer requests", async () => {
    const r = await submit({ type: "ACCESS", contactId: ines });
    for (const email of ["sales@acme.test", "marketing@acme.test", "support@acme.test", "auditor@acme.test"]) {
      const token = await t.login(email);
      const purposes = email.startsWith("auditor") ? [undefined] : [undefined, "legal_compliance"];
      for (const purpose of purposes) {
        const sub = await t.gql(SUBMIT, { input: { type: "ACCESS", contactId: ines } }, { token, purpose });
        expect(sub.errors?.[0].extensions.code, `${email} ${purpose}`).toBe("FORBIDDEN");
        const list = await t.gql(LIST, {}, { token, purpose });
        expect(list.errors?.[0].extensions.code, `${email} ${purpose}`).toBe("FORBIDDEN");
        const ext = await t.gql(EXTEND, { id: r.id, reason: "Trying to extend" }, { token, purpose });
        expect(ext.errors?.[0].extensions.code, `${email} ${purpose}`).toBe("FORBIDDEN");
      }
    }
    const [row] = await db(t).select().from(privacyRequests).where(eq(privacyRequests.id, r.id));
    expect(row.extendedUntil).toBeNull();
  });

  it("the owner acts under legal_compliance, not under its default purpose", async () => {
    const owner = await t.login("owner@acme.test");
    const wrong = await t.gql(SUBMIT, { input: { type: "ACCESS", contactId: ines } }, { token: owner });
    expect(wrong.errors?.[0].extensions.code).toBe("FORBIDDEN");
    const right = await t.gql(SUBMIT, { input: { type: "ACCESS", contactId: ines } }, { token: owner, purpose: "legal_compliance" });
    expect(right.data!.submitPrivacyRequest.status).toBe("RECEIVED");
  });
});

describe("tenancy", () => {
  it("a workspace neither files requests about another's people nor sees or answers its requests", async () => {
    const before = await count();
    const contact = await t.gql(SUBMIT, { input: { type: "ACCESS", contactId: homer } }, { token: dpo });
    expect(contact.errors?.[0].extensions).toMatchObject({ code: "NOT_FOUND", field: "input.contactId" });
    const user = await t.gql(SUBMIT, { input: { type: "ACCESS", userId: globexOwner } }, { token: dpo });
    expect(user.errors?.[0].extensions).toMatchObject({ code: "NOT_FOUND", field: "input.userId" });
    expect(await count()).toBe(before);

    const acme = await submit({ type: "ACCESS", contactId: ines });
    const globex = await t.login("owner@globex.test");
    const list = await t.gql(LIST, {}, { token: globex, purpose: "legal_compliance" });
    expect(list.errors).toBeUndefined();
    expect(ids(list)).not.toContain(acme.id);
    for (const [query, vars] of [
      [EXTEND, { id: acme.id, reason: "Extending another's" }],
      [COMPLETE, { id: acme.id }],
      [REJECT, { id: acme.id, reason: "Rejecting another's" }],
      [START, { id: acme.id, v: VERIFIED }],
    ] as const) {
      const res = await t.gql(query, vars, { token: globex, purpose: "legal_compliance" });
      expect(res.errors?.[0].extensions.code).toBe("NOT_FOUND");
      expect(JSON.stringify(res.errors)).not.toContain("ines");
    }
  });
});

describe("bad input", () => {
  it("names the field and changes nothing", async () => {
    const before = await count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: "ACCESS" }, "input.contactId"],
      [{ type: "ACCESS", contactId: ines, userId: salesUser }, "input.contactId"],
      [{ type: "ACCESS", contactId: "not-an-id" }, "input.contactId"],
      [{ type: "ACCESS", contactId: ines, receivedAt: new Date(Date.now() + 86_400_000).toISOString() }, "input.receivedAt"],
      [{ type: "ACCESS", contactId: ines, receivedAt: "2010-01-01T00:00:00Z" }, "input.receivedAt"],
      [{ type: "ACCESS", contactId: ines, details: "x".repeat(2001) }, "input.details"],
      [{ type: "ACCESS", contactId: ines, verification: { method: "OTHER" } }, "input.verification.note"],
    ];
    for (const [input, field] of cases) {
      const res = await t.gql(SUBMIT, { input }, { token: dpo });
      expect(res.errors?.[0].extensions.code, JSON.stringify(input)).toMatch(/BAD_USER_INPUT|NOT_FOUND/);
      expect(res.errors?.[0].extensions.field, JSON.stringify(input)).toBe(field);
    }
    const badType = await t.gql(SUBMIT, { input: { type: "DELETE_EVERYTHING", contactId: ines } }, { token: dpo });
    expect(badType.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const badFilter = await t.gql(LIST, { filter: { contactId: "nope" } }, { token: dpo });
    expect(badFilter.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.contactId" });
    const badDays = await t.gql(LIST, { filter: { dueWithinDays: 0 } }, { token: dpo });
    expect(badDays.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.dueWithinDays" });
    const unknown = await t.gql(COMPLETE, { id: "00000000-0000-4000-8000-000000000000" }, { token: dpo });
    expect(unknown.errors?.[0].extensions.code).toBe("NOT_FOUND");
    expect(await count()).toBe(before);
  });
});

describe("rectification (Art. 16)", () => {
  const UPDATE = `mutation($id: ID!, $input: UpdateContactInput!, $requestId: ID) {
    updateContact(id: $id, input: $input, requestId: $requestId) { id email position } }`;
  const OLD_EMAIL = "wrong.address@rectify.test";
  const NEW_EMAIL = "right.address@rectify.test";

  async function person(): Promise<string> {
    const owner = await t.login("owner@acme.test");
    const created = await t.gql(
      `mutation($e: EmailAddress) { createContact(input: { firstName: "Rect", lastName: "Ification", email: $e, position: "Old Position Title" }) { id } }`,
      { e: OLD_EMAIL },
      { token: owner },
    );
    return created.data!.createContact.id;
  }

  it("links the correction to the request and audits the field names, never the values", async () => {
    const owner = await t.login("owner@acme.test");
    const id = await person();
    const request = await submit({ type: "RECTIFICATION", contactId: id, verification: VERIFIED, details: "My email address and position are wrong" });
    const res = await t.gql(
      UPDATE,
      { id, input: { email: NEW_EMAIL, position: "New Position Title", firstName: "Rect" }, requestId: request.id },
      { token: owner },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateContact).toMatchObject({ email: NEW_EMAIL, position: "New Position Title" });

    const list = await t.gql(`query($id: ID!) { privacyRequest(id: $id) { status answers { kind ref } } }`, { id: request.id }, { token: dpo });
    expect(list.data!.privacyRequest).toEqual({ status: "IN_PROGRESS", answers: [{ kind: "RECTIFICATION", ref: id }] });
    const done = await t.gql(COMPLETE, { id: request.id }, { token: dpo });
    expect(done.data!.completePrivacyRequest.status).toBe("COMPLETED");

    const [rectify] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "rectify"), eq(auditLog.subjectId, id)));
    expect(rectify.detail).toEqual({ requestId: request.id, fields: ["email", "position"] });
    const everything = JSON.stringify(
      await db(t)
        .select()
        .from(auditLog)
        .where(inArray(auditLog.subjectId, [id, request.id])),
    );
    for (const value of [OLD_EMAIL, NEW_EMAIL, "Old Position Title", "New Position Title"]) expect(everything).not.toContain(value);
  });

  it("refuses a request of another type, person or state, or a role that may not answer requests, changing nothing", async () => {
    const owner = await t.login("owner@acme.test");
    const id = await person();
    const access = await submit({ type: "ACCESS", contactId: id, verification: VERIFIED });
    const otherPerson = await submit({ type: "RECTIFICATION", contactId: ines, verification: VERIFIED });
    const unverified = await submit({ type: "RECTIFICATION", contactId: id });
    const right = await submit({ type: "RECTIFICATION", contactId: id, verification: VERIFIED });
    for (const [requestId, pattern] of [
      [access.id, /not answered by rectification/],
      [otherPerson.id, /another person/],
      [unverified.id, /verify the requester's identity/],
      ["not-an-id", /not an id/],
    ] as const) {
      const res = await t.gql(UPDATE, { id, input: { email: NEW_EMAIL }, requestId }, { token: owner });
      expect(res.errors?.[0].extensions, requestId).toMatchObject({ code: "BAD_USER_INPUT", field: "requestId" });
      expect(res.errors?.[0].message).toMatch(pattern);
    }
    const globexRequest = await t.gql(UPDATE, { id, input: { email: NEW_EMAIL }, requestId: "00000000-0000-4000-8000-000000000000" }, { token: owner });
    expect(globexRequest.errors?.[0].extensions.code).toBe("NOT_FOUND");
    const sales = await t.gql(UPDATE, { id, input: { email: NEW_EMAIL }, requestId: right.id }, { token: await t.login("sales@acme.test") });
    expect(sales.errors?.[0].extensions.code).toBe("FORBIDDEN");
    const still = await t.gql(`query($id: ID!) { contact(id: $id) { email } }`, { id }, { token: owner });
    expect(still.data!.contact.email).toBe(OLD_EMAIL);
    const untouched = await t.gql(`query($id: ID!) { privacyRequest(id: $id) { status answers { kind } } }`, { id: right.id }, { token: dpo });
    expect(untouched.data!.privacyRequest).toEqual({ status: "RECEIVED", answers: [] });
  });
  it("a correction of an interaction or a deal about the person answers their request too; another person's record or a deal about no one does not", async () => {
    const owner = await t.login("owner@acme.test");
    const id = await person();
    const made = await t.gql(
      `mutation($c: ID!) {
        createInteraction(input: { contactId: $c, kind: NOTE, subject: "Met Rect", body: "Said they live at the wrong address" }) { id }
      }`,
      { c: id },
      { token: owner },
    );
    // Deals are written under sales_pipeline only.
    const sales = { token: owner, purpose: "sales_pipeline" };
    const dealMade = await t.gql(`mutation($c: ID!) { createDeal(input: { title: "Rect Ification renewal", contactId: $c }) { id } }`, { c: id }, sales);
    expect(made.errors, JSON.stringify(made.errors)).toBeUndefined();
    const interaction = made.data!.createInteraction.id as string;
    const deal = dealMade.data!.createDeal.id as string;
    const orphan = (await t.gql(`mutation { createDeal(input: { title: "Nobody's deal" }) { id } }`, {}, sales)).data!.createDeal.id as string;
    const request = await submit({ type: "RECTIFICATION", contactId: id, verification: VERIFIED, details: "A note and a deal title about me are wrong" });
    const otherRequest = await submit({ type: "RECTIFICATION", contactId: ines, verification: VERIFIED });

    const fixNote = `mutation($id: ID!, $r: ID) { updateInteraction(id: $id, input: { body: "Corrected note" }, requestId: $r) { id body } }`;
    const fixDeal = `mutation($id: ID!, $r: ID) { updateDeal(id: $id, input: { title: "Renewal" }, requestId: $r) { id title } }`;
    // Refused before anything changes: a request about someone else, a deal about no one.
    const wrongPerson = await t.gql(fixNote, { id: interaction, r: otherRequest.id }, { token: owner });
    expect(wrongPerson.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "requestId" });
    expect(wrongPerson.errors?.[0].message).toMatch(/another person/);
    const noOne = await t.gql(fixDeal, { id: orphan, r: request.id }, sales);
    expect(noOne.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "requestId" });
    const unchanged = await t.gql(`query($id: ID!) { interaction(id: $id) { body } }`, { id: interaction }, { token: owner });
    expect(unchanged.data!.interaction.body).toBe("Said they live at the wrong address");

    expect((await t.gql(fixNote, { id: interaction, r: request.id }, { token: owner })).data!.updateInteraction.body).toBe("Corrected note");
    expect((await t.gql(fixDeal, { id: deal, r: request.id }, sales)).data!.updateDeal.title).toBe("Renewal");
    const answered = await t.gql(`query($id: ID!) { privacyRequest(id: $id) { status answers { kind ref } } }`, { id: request.id }, { token: dpo });
    expect(answered.data!.privacyRequest.status).toBe("IN_PROGRESS");
    expect(answered.data!.privacyRequest.answers.map((a: { ref: string }) => a.ref).sort()).toEqual([interaction, deal].sort());
    const audited = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "rectify"), inArray(auditLog.subjectId, [interaction, deal])));
    expect(audited.map((e) => [e.subject, e.detail]).sort()).toEqual([
      ["Deal", { requestId: request.id, fields: ["title"] }],
      ["Interaction", { requestId: request.id, fields: ["body"] }],
    ]);
    expect(JSON.stringify(audited)).not.toMatch(/Corrected note|Renewal|wrong address/);
  });
});
