import "reflect-metadata";
import { subject } from "@casl/ability";
import { and, eq, inArray, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAbility, type Principal } from "../../src/authz/ability.js";
import { QueryMetrics } from "../../src/db/client.js";
import { AppContext } from "../../src/graphql/context.js";
import { explainService } from "../../src/modules/explain/explain.service.js";
import { UnsubscribeLinks } from "../../src/modules/unsubscribe/unsubscribe.token.js";
import { ExportLinks } from "../../src/modules/exports/export.token.js";
import { CursorCodec } from "../../src/modules/common/cursor.js";
import { accessibleWhere } from "../../src/authz/sql-filter.js";
import { auditLog, consentEvents, contactPrivacyEvents, contacts, interactions } from "../../src/db/schema/index.js";
import { withLedgerMaintenance } from "../../src/modules/consent/consent.repository.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, userId, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let acme: string;
const tokens: Record<string, string> = {};

async function idOf(firstName: string): Promise<string> {
  const [row] = await db(t)
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.firstName, firstName), eq(contacts.workspaceId, acme)));
  return row.id;
}

const LIST = `{ contacts(first: 200) { totalCount nodes { id } } }`;
async function visible(who: string, purpose?: string): Promise<{ ids: string[]; total: number }> {
  const res = await t.gql(LIST, {}, { token: tokens[who], purpose });
  expect(res.errors).toBeUndefined();
  return { ids: res.data!.contacts.nodes.map((n: { id: string }) => n.id).sort(), total: res.data!.contacts.totalCount };
}

beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  for (const who of ["owner", "marketing", "sales", "dpo", "support"]) tokens[who] = await t.login(`${who}@acme.test`);
});
afterAll(() => t.close());

describe("consent-based purposes", () => {
  it("marketing under marketing_email sees exactly the contacts with granted email consent, and totalCount agrees", async () => {
    const expected = (
      await db(t)
        .select({ id: contacts.id })
        .from(contacts)
        .where(
          and(eq(contacts.workspaceId, acme), sql`${contacts.consentedPurposes} @> array['marketing_email']::text[]`, eq(contacts.processingRestricted, false)),
        )
    )
      .map((r) => r.id)
      .sort();
    const seen = await visible("marketing", "marketing_email");
    expect(expected.length).toBeGreaterThan(0);
    expect(seen.ids).toEqual(expected);
    expect(seen.total).toBe(expected.length);
  });

  it("a withdrawal removes the contact from that list in the next request; a grant brings it back", async () => {
    const alice = await idOf("Alice");
    expect((await visible("marketing", "marketing_email")).ids).toContain(alice);
    const res = await t.gql(
      `mutation($id: ID!) { withdrawConsent(contactId: $id, purpose: "marketing_email") { id consents { purpose state } } }`,
      { id: alice },
      { token: tokens.marketing },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.withdrawConsent.consents).toContainEqual({ purpose: "marketing_email", state: "WITHDRAWN" });
    expect((await visible("marketing", "marketing_email")).ids).not.toContain(alice);
    const single = await t.gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: alice }, { token: tokens.marketing });
    expect(single.errors![0].extensions.code).toBe("NOT_FOUND");

    const proof = {
      noticeVersion: "2024-11-18",
      subjectIp: "198.51.100.7",
      subjectUserAgent: "Mozilla/5.0",
      evidence: "Re-subscribed on the preferences page",
    };
    const back = await t.gql(
      `mutation($id: ID!, $proof: ConsentProofInput) { grantConsent(contactId: $id, purpose: "marketing_email", source: "form", proof: $proof) { id } }`,
      { id: alice, proof },
      { token: tokens.marketing },
    );
    expect(back.errors).toBeUndefined();
    expect((await visible("marketing", "marketing_email")).ids).toContain(alice);
    // The proof is read under legal_compliance (consent_records); marketing_email sees the state only.
    const history = await t.gql(
      `query($id: ID!) { consentHistory(contactId: $id) { purpose state source noticeVersion subjectIp subjectUserAgent evidence recordedBy recorder { id email } } }`,
      { id: alice },
      { token: tokens.owner, purpose: "legal_compliance" },
    );
    expect(history.data!.consentHistory[0]).toEqual({
      purpose: "marketing_email",
      state: "GRANTED",
      source: "FORM",
      ...proof,
      recordedBy: await userId(t, "marketing@acme.test"),
      recorder: { id: await userId(t, "marketing@acme.test"), email: "marketing@acme.test" },
    });
    const asMarketing = await t.gql(`query($id: ID!) { consentHistory(contactId: $id) { state subjectIp } }`, { id: alice }, { token: tokens.marketing });
    expect(asMarketing.data!.consentHistory[0]).toEqual({ state: "GRANTED", subjectIp: null });
    expect(history.data!.consentHistory[1]).toMatchObject({ state: "WITHDRAWN", source: "API" });
  });

  it("refuses consent for a purpose whose basis is not consent, and unknown sources or purposes", async () => {
    const bruno = await idOf("Bruno");
    for (const [purpose, source, field] of [
      ["sales_pipeline", "form", "purpose"],
      ["marketing_email", "telepathy", "source"],
      ["nope", "form", "purpose"],
    ]) {
      const res = await t.gql(
        `mutation($id: ID!, $p: String!, $s: String!) { grantConsent(contactId: $id, purpose: $p, source: $s) { id } }`,
        { id: bruno, p: purpose, s: source },
        { token: tokens.owner },
      );
      expect(res.errors![0].extensions.code).toBe("BAD_USER_INPUT");
      expect(res.errors![0].extensions.field).toBe(field);
    }
  });

  it("an SMS interaction under marketing_sms needs SMS consent", async () => {
    const emma = await idOf("Emma"); // SMS consent in the demo data
    const bruno = await idOf("Bruno"); // email consent only
    const ok = await t.gql(
      `mutation($id: ID!) { createInteraction(input: { contactId: $id, kind: SMS, subject: "Promo" }) { id purpose } }`,
      { id: emma },
      { token: tokens.owner, purpose: "marketing_sms" },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.createInteraction.purpose).toBe("marketing_sms");
    const denied = await t.gql(
      `mutation($id: ID!) { createInteraction(input: { contactId: $id, kind: SMS, subject: "Promo" }) { id } }`,
      { id: bruno },
      { token: tokens.owner, purpose: "marketing_sms" },
    );
    expect(denied.errors![0].extensions.code).toBe("NOT_FOUND");
    const wrongChannel = await t.gql(
      `mutation($id: ID!) { createInteraction(input: { contactId: $id, kind: SMS, subject: "Promo" }) { id } }`,
      { id: bruno },
      { token: tokens.owner, purpose: "marketing_email" },
    );
    expect(wrongChannel.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.interaction_kind.marketing_email" });
  });
});

describe("restriction (Art. 18)", () => {
  it("a restricted contact disappears under sales_pipeline, with its deals and interactions, yet stays visible to the dpo under legal_compliance", async () => {
    const karim = await idOf("Karim");
    expect((await visible("sales", "sales_pipeline")).ids).toContain(karim);
    const restrict = await t.gql(
      `mutation($id: ID!) { restrictProcessing(contactId: $id, reason: "Accuracy contested") { id processingRestricted } }`,
      { id: karim },
      { token: tokens.dpo },
    );
    expect(restrict.data!.restrictProcessing).toEqual({ id: karim, processingRestricted: true });
    const sales = await visible("sales", "sales_pipeline");
    expect(sales.ids).not.toContain(karim);
    expect((await visible("dpo", "legal_compliance")).ids).toContain(karim);
    const got = await t.gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: karim }, { token: tokens.sales });
    expect(got.errors![0].extensions.code).toBe("NOT_FOUND");
    const update = await t.gql(`mutation($id: ID!) { updateContact(id: $id, input: { position: "x" }) { id } }`, { id: karim }, { token: tokens.sales });
    expect(update.errors![0].extensions.code).toBe("NOT_FOUND");
  });

  it("a rights operation still acts on a hidden person, but answers with the privacy state only", async () => {
    const karim = await idOf("Karim"); // restricted by the test above
    // A grant, with the proof its source needs, is a rights operation too: it finds the restricted person.
    const proof = { noticeVersion: "2024-11-18", evidence: "Asked for texts on the phone, 2026-11-20, with Sol Support" };
    const grant = await t.gql(
      `mutation($id: ID!, $proof: ConsentProofInput) { grantConsent(contactId: $id, purpose: "marketing_sms", source: "verbal", proof: $proof) { id } }`,
      { id: karim, proof },
      { token: tokens.owner },
    );
    expect(grant.errors).toBeUndefined();
    const res = await t.gql(
      `mutation($id: ID!) { withdrawConsent(contactId: $id, purpose: "marketing_sms") { id firstName email processingRestricted consents { purpose state } } }`,
      { id: karim },
      { token: tokens.marketing },
    );
    expect(res.data!.withdrawConsent).toMatchObject({ id: karim, firstName: null, email: null, processingRestricted: true });
    expect(res.data!.withdrawConsent.consents).toContainEqual({ purpose: "marketing_sms", state: "WITHDRAWN" });
    expect(new Set(res.errors!.map((e) => e.extensions.rule))).toEqual(new Set(["rights.privacy_view"]));
    const history = await t.gql(`query($id: ID!) { consentHistory(contactId: $id) { id } }`, { id: karim }, { token: tokens.marketing });
    expect(history.errors![0].extensions.code).toBe("NOT_FOUND");
    const dpo = await t.gql(`query($id: ID!) { consentHistory(contactId: $id) { state } }`, { id: karim }, { token: tokens.dpo });
    expect(dpo.data!.consentHistory[0].state).toBe("WITHDRAWN");
  });

  it("hides a restricted person's deals and interactions, in lists and nested", async () => {
    const felix = await idOf("Felix"); // restricted in the demo data
    const deals = await t.gql(`{ deals(first: 200) { nodes { id contact { id } } } }`, {}, { token: tokens.sales });
    expect(deals.data!.deals.nodes.every((d: { contact: { id: string } | null }) => d.contact?.id !== felix)).toBe(true);
    const [row] = await db(t).select({ n: sql<number>`count(*)` }).from(interactions).where(eq(interactions.contactId, felix));
    expect(Number(row.n)).toBeGreaterThan(0);
    const list = await t.gql(`query($id: ID!) { interactions(first: 200, filter: { contactId: $id }) { totalCount } }`, { id: felix }, { token: tokens.sales });
    expect(list.data!.interactions.totalCount).toBe(0);
    const dpo = await t.gql(`query($id: ID!) { interactions(first: 200, filter: { contactId: $id }) { totalCount } }`, { id: felix }, { token: tokens.dpo });
    expect(dpo.data!.interactions.totalCount).toBe(Number(row.n));
  });

  it("lifting records that the person was informed, before the lift", async () => {
    const felix = await idOf("Felix");
    const res = await t.gql(
      `mutation($id: ID!) { liftRestriction(contactId: $id, informedVia: "email of 2026-11-20") { processingRestricted } }`,
      { id: felix },
      { token: tokens.dpo },
    );
    expect(res.data!.liftRestriction.processingRestricted).toBe(false);
    const events = await db(t)
      .select()
      .from(contactPrivacyEvents)
      .where(eq(contactPrivacyEvents.contactId, felix))
      .orderBy(contactPrivacyEvents.createdAt, contactPrivacyEvents.id);
    const kinds = events.map((e) => e.kind);
    expect(kinds.slice(-2)).toEqual(["subject_informed", "restriction_lifted"]);
    // One transaction writes both: the order is in the timestamps, not left to the random id.
    expect(events.at(-2)!.createdAt.getTime()).toBeLessThan(events.at(-1)!.createdAt.getTime());
    expect((await visible("sales", "sales_pipeline")).ids).toContain(felix);
    const again = await t.gql(
      `mutation($id: ID!) { liftRestriction(contactId: $id, informedVia: "email of 2026-11-21") { id } }`,
      { id: felix },
      { token: tokens.dpo },
    );
    expect(again.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "contactId" });
  });
});

describe("objection (Art. 21)", () => {
  it("an objection to sales_pipeline hides the contact there but not under customer_support", async () => {
    const david = await idOf("David");
    const res = await t.gql(
      `mutation($id: ID!) { objectToProcessing(contactId: $id, purpose: "sales_pipeline", reason: "Stop calling me") { objections } }`,
      { id: david },
      { token: tokens.dpo },
    );
    expect(res.data!.objectToProcessing.objections).toEqual(["sales_pipeline"]);
    expect((await visible("sales", "sales_pipeline")).ids).not.toContain(david);
    expect((await visible("sales", "customer_support")).ids).toContain(david);
  });

  it("only objectable purposes; direct-marketing objections are absolute; other grounds need a justification", async () => {
    const david = await idOf("David");
    const contract = await t.gql(
      `mutation($id: ID!) { objectToProcessing(contactId: $id, purpose: "service_provision") { id } }`,
      { id: david },
      { token: tokens.dpo },
    );
    expect(contract.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    const absolute = await t.gql(
      `mutation($id: ID!) { recordCompellingGrounds(contactId: $id, purpose: "sales_pipeline", justification: "We really want to sell to this person.") { id } }`,
      { id: david },
      { token: tokens.dpo },
    );
    expect(absolute.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    expect(absolute.errors![0].message).toMatch(/Art\. 21\(3\)/);

    await t.gql(`mutation($id: ID!) { objectToProcessing(contactId: $id, purpose: "analytics") { id } }`, { id: david }, { token: tokens.dpo });
    const short = await t.gql(
      `mutation($id: ID!) { recordCompellingGrounds(contactId: $id, purpose: "analytics", justification: "because") { id } }`,
      { id: david },
      { token: tokens.dpo },
    );
    expect(short.errors![0].extensions.field).toBe("justification");
    const upheld = await t.gql(
      `mutation($id: ID!) { recordCompellingGrounds(contactId: $id, purpose: "analytics", justification: "Fraud investigation ordered by the bank, case 2026-114.") { objections } }`,
      { id: david },
      { token: tokens.dpo },
    );
    expect(upheld.data!.recordCompellingGrounds.objections).toEqual(["sales_pipeline"]);
  });

  it("the decision log holds the privacy actions and the denials", async () => {
    const rows = await db(t).select().from(auditLog).where(eq(auditLog.workspaceId, acme));
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ["withdraw_consent", "grant_consent", "restrict_processing", "lift_restriction", "object_to_processing", "compelling_grounds"])
      expect(actions).toContain(a);
    const res = await t.gql(
      `mutation($id: ID!) { restrictProcessing(contactId: $id, reason: "not mine to do") { id } }`,
      { id: await idOf("Hugo") },
      { token: tokens.marketing },
    );
    expect(res.errors![0].extensions.code).toBe("FORBIDDEN");
    const [denial] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.decision, "deny"), eq(auditLog.action, "restrict")))
      .limit(1);
    expect(denial).toMatchObject({ actorRole: "marketing", subject: "Contact", rule: "default.deny" });
  });
});

describe("erasure", () => {
  it("an erased person is a tombstone: hidden from every purpose, listed under legal_compliance without personal data", async () => {
    const lea = await idOf("Lea");
    await db(t).update(contacts).set({ erasedAt: new Date() }).where(eq(contacts.id, lea));
    expect((await visible("sales", "sales_pipeline")).ids).not.toContain(lea);
    expect((await visible("owner", "service_provision")).ids).not.toContain(lea);
    const res = await t.gql(`query($id: ID!) { contact(id: $id) { id erased firstName email } }`, { id: lea }, { token: tokens.dpo });
    expect(res.data!.contact).toEqual({ id: lea, erased: true, firstName: null, email: null });
    expect(res.errors!.map((e) => e.extensions.rule)).toEqual(["gate.tombstone.legal_compliance", "gate.tombstone.legal_compliance"]);
    const search = await t.gql(`{ contacts(filter: { search: "Lea" }) { totalCount } }`, {}, { token: tokens.dpo });
    expect(search.data!.contacts.totalCount).toBe(0);
    await db(t).update(contacts).set({ erasedAt: null }).where(eq(contacts.id, lea));
  });
});

describe("the consent ledger is append-only", () => {
  it("refuses UPDATE, DELETE and TRUNCATE issued directly in SQL", async () => {
    await expect(db(t).execute(sql`update consent_events set purpose = 'analytics'`)).rejects.toThrow();
    await expect(db(t).execute(sql`delete from consent_events`)).rejects.toThrow();
    await expect(db(t).execute(sql`truncate consent_events`)).rejects.toThrow();
    await expect(db(t).execute(sql`update contact_privacy_events set reason = 'x'`)).rejects.toThrow();
    await expect(db(t).execute(sql`update audit_log set decision = 'allow'`)).rejects.toThrow();
    await expect(db(t).execute(sql`delete from audit_log`)).rejects.toThrow();
    const [n] = await db(t).select({ n: sql<number>`count(*)` }).from(consentEvents);
    expect(Number(n.n)).toBeGreaterThan(0);
  });

  it("has one audited way through, for erasure and retention, inside a transaction", async () => {
    const [victim] = await db(t).select().from(consentEvents).limit(1);
    await db(t).transaction(async (tx) => {
      await withLedgerMaintenance(
        tx,
        { workspaceId: victim.workspaceId, actorId: null, reason: "test: retention purge", subjectId: victim.contactId ?? undefined },
        () => tx.delete(consentEvents).where(eq(consentEvents.id, victim.id)),
      );
    });
    expect(await db(t).select().from(consentEvents).where(eq(consentEvents.id, victim.id))).toEqual([]);
    const [logged] = await db(t).select().from(auditLog).where(eq(auditLog.action, "ledger_maintenance"));
    expect(logged.reason).toBe("test: retention purge");
    // The setting is transaction-local: the next statement is refused again.
    await expect(db(t).execute(sql`delete from consent_events`)).rejects.toThrow();
  });
});

describe("list visibility, can() and explainAccess always agree", () => {
  const PURPOSES = [
    "service_provision",
    "sales_pipeline",
    "customer_support",
    "marketing_email",
    "marketing_sms",
    "analytics",
    "billing",
    "security",
    "legal_compliance",
  ];
  const ROLES = ["owner", "sales_rep", "marketing", "support", "dpo", "auditor"];
  const state = fc.record({
    consented: fc.subarray(["marketing_email", "marketing_sms"]),
    objected: fc.subarray(["sales_pipeline", "analytics"]),
    restricted: fc.boolean(),
    erased: fc.boolean(),
  });

  it("over random consent, restriction, objection and erasure states", async () => {
    const people = (await db(t).select({ id: contacts.id }).from(contacts).where(eq(contacts.workspaceId, acme)).limit(10)).map((r) => r.id);
    const owner = await userId(t, "owner@acme.test");
    // Random states are written to these rows; they are put back afterwards for later tests.
    const before = await db(t).select().from(contacts).where(inArray(contacts.id, people));
    const explainQuery = `query($p: String!) { ${people.map((id, i) => `e${i}: explainAccess(action: "read", subject: "Contact", id: "${id}", purpose: $p) { allowed rule }`).join(" ")} }`;
    await fc
      .assert(
        fc.asyncProperty(fc.array(state, { minLength: people.length, maxLength: people.length }), async (states) => {
          for (const [i, s] of states.entries()) {
            await db(t)
              .update(contacts)
              .set({ consentedPurposes: s.consented, objectedPurposes: s.objected, processingRestricted: s.restricted, erasedAt: s.erased ? new Date() : null })
              .where(eq(contacts.id, people[i]));
          }
          const rows = await db(t).select().from(contacts).where(inArray(contacts.id, people));
          for (const role of ROLES) {
            const principal: Principal = { kind: "user", userId: owner, workspaceId: acme, role, email: "", name: "" };
            for (const purpose of PURPOSES) {
              const ability = buildAbility(t.app.policies, principal, purpose);
              const bySql = (
                await db(t)
                  .select({ id: contacts.id })
                  .from(contacts)
                  .where(and(inArray(contacts.id, people), accessibleWhere(t.app.policies.registry, ability, "read", "Contact")))
              )
                .map((r) => r.id)
                .sort();
              const byCan = rows
                .filter((r) => ability.can("read", subject("Contact", { ...r } as Record<string, unknown>)))
                .map((r) => r.id)
                .sort();
              expect(bySql, `${role} under ${purpose}`).toEqual(byCan);
              // explainAccess's own logic, for every role (the API lets reviewers ask it).
              const ctx = new AppContext(
                db(t),
                new QueryMetrics(),
                t.app.policies,
                t.config,
                { ip: "127.0.0.1" },
                principal,
                t.app.policies.purposes.get("legal_compliance"),
                new CursorCodec(t.app.signingSecret),
                new UnsubscribeLinks(t.app.signingSecret, t.config.publicUrl),
                new ExportLinks(t.app.signingSecret, t.config.publicUrl),
              );
              for (const id of people) {
                const verdict = await explainService.explain(ctx, "read", "Contact", id, purpose);
                expect(verdict.allowed, `${role} under ${purpose}: ${verdict.rule}`).toBe(bySql.includes(id));
              }
            }
          }
          // Through the API: the owner's list and explainAccess, for every purpose.
          for (const purpose of PURPOSES) {
            const listed = await t.gql(
              `query($ids: [ID!]) { contacts(first: 200, filter: { ids: $ids }) { totalCount nodes { id } } }`,
              { ids: people },
              { token: tokens.owner, purpose },
            );
            // A purpose whose data subjects are not CRM people refuses the whole list.
            if (listed.errors) expect(listed.errors[0].extensions.rule).toBe(`gate.data_subjects.${purpose}`);
            const ids = new Set((listed.data?.contacts.nodes ?? []).map((n: { id: string }) => n.id));
            if (listed.data) expect(listed.data.contacts.totalCount).toBe(ids.size);
            const explained = await t.gql(explainQuery, { p: purpose }, { token: tokens.owner, purpose: "legal_compliance" });
            expect(explained.errors).toBeUndefined();
            people.forEach((id, i) => {
              const verdict = explained.data![`e${i}`];
              expect(verdict.allowed, `${purpose} ${id} ${verdict.rule}`).toBe(ids.has(id));
            });
          }
        }),
        { numRuns: 6 },
      )
      .finally(async () => {
        for (const row of before) {
          await db(t)
            .update(contacts)
            .set({
              consentedPurposes: row.consentedPurposes,
              objectedPurposes: row.objectedPurposes,
              processingRestricted: row.processingRestricted,
              erasedAt: row.erasedAt,
            })
            .where(eq(contacts.id, row.id));
        }
      });
  }, 120_000);
});

describe("purpose limitation (data subjects and categories from purposes.yaml)", () => {
  it("marketing under analytics sees that people exist, not who they are", async () => {
    const res = await t.gql(
      `{ contacts(first: 3) { totalCount nodes { id firstName email consents { purpose } } } }`,
      {},
      { token: tokens.marketing, purpose: "analytics" },
    );
    expect(res.data!.contacts.nodes.length).toBeGreaterThan(0);
    for (const n of res.data!.contacts.nodes) expect(n).toMatchObject({ firstName: null, email: null });
    expect(new Set(res.errors!.map((e) => e.extensions.rule))).toEqual(new Set(["gate.data_category.analytics"]));
    const search = await t.gql(`{ contacts(filter: { search: "a" }) { totalCount } }`, {}, { token: tokens.marketing, purpose: "analytics" });
    expect(search.data!.contacts.totalCount).toBe(0);
  });

  it("interactions are outside analytics: no marketing email can be logged under it", async () => {
    const anyone = await idOf("Lea");
    const res = await t.gql(
      `mutation($id: ID!) { createInteraction(input: { contactId: $id, kind: EMAIL, subject: "promo" }) { id } }`,
      { id: anyone },
      { token: tokens.marketing, purpose: "analytics" },
    );
    expect(res.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.writes.analytics" });
  });

  it("an objection cannot be side-stepped through a purpose that does not cover deals", async () => {
    const gabrielle = await idOf("Gabrielle"); // objected to sales_pipeline
    const [deal] = (await t.gql(`{ deals(first: 1) { nodes { id } } }`, {}, { token: tokens.sales })).data!.deals.nodes;
    const res = await t.gql(
      `mutation($d: ID!, $c: ID!) { updateDeal(id: $d, input: { contactId: $c }) { id } }`,
      { d: deal.id, c: gabrielle },
      { token: tokens.sales, purpose: "customer_support" },
    );
    expect(res.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.writes.customer_support" });
  });

  it("billing reaches no CRM person at all", async () => {
    const res = await t.gql(`{ contacts { totalCount } }`, {}, { token: tokens.owner, purpose: "billing" });
    expect(res.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.data_subjects.billing" });
  });
});

describe("concurrent privacy actions", () => {
  it("two simultaneous restrictions of one person: one wins, one is refused, one history entry", async () => {
    const bruno = await idOf("Bruno");
    const restrict = () => t.gql(`mutation($id: ID!) { restrictProcessing(contactId: $id, reason: "Race test") { id } }`, { id: bruno }, { token: tokens.dpo });
    const [a, b] = await Promise.all([restrict(), restrict()]);
    const ok = [a, b].filter((r) => !r.errors);
    expect(ok, JSON.stringify([a.errors, b.errors])).toHaveLength(1);
    expect(ok).toHaveLength(1);
    expect([a, b].find((r) => r.errors)!.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    const events = await db(t)
      .select()
      .from(contactPrivacyEvents)
      .where(and(eq(contactPrivacyEvents.contactId, bruno), eq(contactPrivacyEvents.kind, "restricted")));
    expect(events).toHaveLength(1);
  });
});

describe("masked fields cannot be probed by sorting or filtering", () => {
  it("refuses to sort by a field the purpose masks (order and cursors would leak it)", async () => {
    const res = await t.gql(
      `{ contacts(orderBy: { field: LAST_NAME, direction: ASC }) { totalCount } }`,
      {},
      { token: tokens.marketing, purpose: "analytics" },
    );
    expect(res.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "gate.data_category.analytics", field: "lastName" });
    const allowed = await t.gql(
      `{ contacts(orderBy: { field: CREATED_AT, direction: ASC }) { totalCount } }`,
      {},
      { token: tokens.marketing, purpose: "analytics" },
    );
    expect(allowed.errors).toBeUndefined();
  });

  it("a relation filter goes through the field mask and still applies where the relation is readable", async () => {
    const [withCompany] = await db(t)
      .select({ companyId: contacts.companyId })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, acme), sql`${contacts.companyId} is not null`))
      .limit(1);
    const owner = await t.gql(
      `query($c: ID) { contacts(filter: { companyId: $c }) { totalCount } }`,
      { c: withCompany.companyId },
      { token: tokens.owner, purpose: "legal_compliance" },
    );
    expect(owner.data!.contacts.totalCount).toBeGreaterThan(0);
    const marketing = await t.gql(
      `query($c: ID) { contacts(filter: { companyId: $c }) { totalCount } }`,
      { c: withCompany.companyId },
      { token: tokens.marketing, purpose: "analytics" },
    );
    // analytics masks identity but not the company link: the filter still applies.
    expect(marketing.errors).toBeUndefined();
    expect(marketing.data!.contacts.totalCount).toBeGreaterThan(0);
  });
});
