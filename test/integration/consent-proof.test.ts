// Consent that stands as proof (issue 6, item 6): each grant source needs its proof, granting and
// withdrawing are separate permissions, a withdrawal of nothing changes nothing, and lifting a
// restriction says how the person was informed.
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { and, count, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICIES_DIR } from "../../src/authz/policy-loader.js";
import { auditLog, consentEvents, contactPrivacyEvents, contacts } from "../../src/db/schema/index.js";
import { CONSENT_PROOF, GRANT_SOURCES, proofProblem, type ConsentProof, type GrantSource } from "../../src/modules/consent/consent.proof.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let acme: string;
const tokens: Record<string, string> = {};

/** A proof that satisfies every source: each case removes what it tests. */
const FULL: Required<ConsentProof> = {
  noticeVersion: "2024-11-18",
  subjectIp: "2001:db8::7",
  subjectUserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
  evidence: "Reference 7781, recorded 2026-11-20",
};

const GRANT = `mutation($id: ID!, $p: String!, $s: String!, $proof: ConsentProofInput) {
  grantConsent(contactId: $id, purpose: $p, source: $s, proof: $proof) { id consents { purpose state } } }`;
const WITHDRAW = `mutation($id: ID!, $p: String!) { withdrawConsent(contactId: $id, purpose: $p) { id consents { purpose state updatedAt } } }`;

async function idOf(firstName: string): Promise<string> {
  const [row] = await db(t)
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.firstName, firstName), eq(contacts.workspaceId, acme)));
  return row.id;
}

async function ledgerSize(contactId: string): Promise<number> {
  const [row] = await db(t).select({ n: count() }).from(consentEvents).where(eq(consentEvents.contactId, contactId));
  return Number(row.n);
}

const grant = (who: string, id: string, source: string, proof: ConsentProof | null, purpose = "marketing_email") =>
  t.gql(GRANT, { id, p: purpose, s: source, proof }, { token: tokens[who] });
const withdraw = (who: string, id: string, purpose = "marketing_email") => t.gql(WITHDRAW, { id, p: purpose }, { token: tokens[who] });

function expectBadInput(res: GqlResult, field: string): void {
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({ code: "BAD_USER_INPUT", field });
}

function stateOf(res: GqlResult, mutation: string, purpose: string): string {
  return (res.data![mutation].consents as Array<{ purpose: string; state: string }>).find((c) => c.purpose === purpose)!.state;
}

beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  for (const who of ["owner", "marketing", "support", "dpo", "sales"]) tokens[who] = await t.login(`${who}@acme.test`);
});
afterAll(() => t.close());

describe("grantConsent needs the proof its source needs", () => {
  it.each(GRANT_SOURCES)(
    "source %s: each required field missing or blank is BAD_USER_INPUT naming it; with all of them the grant is recorded",
    async (source: GrantSource) => {
      const ines = await idOf("Ines"); // no consent in the demo data
      const required = CONSENT_PROOF[source].fields as readonly (keyof ConsentProof)[];
      const only = Object.fromEntries(required.map((f) => [f, FULL[f]])) as ConsentProof;
      const before = await ledgerSize(ines);
      for (const field of required) {
        expectBadInput(await grant("owner", ines, source, { ...only, [field]: null }), `proof.${field}`);
        expectBadInput(await grant("owner", ines, source, { ...only, [field]: "   " }), `proof.${field}`);
      }
      expect(await ledgerSize(ines)).toBe(before);

      const ok = await grant("owner", ines, source, only);
      expect(ok.errors).toBeUndefined();
      expect(stateOf(ok, "grantConsent", "marketing_email")).toBe("GRANTED");
      const [last] = await db(t).select().from(consentEvents).where(eq(consentEvents.contactId, ines)).orderBy(desc(consentEvents.createdAt)).limit(1);
      expect(last).toMatchObject({ state: "granted", source, ...only });
      // Withdraw again, so the next source starts from a person without consent.
      expect((await withdraw("owner", ines)).errors).toBeUndefined();
    },
  );

  it("no proof at all names the first field the source needs", async () => {
    const lea = await idOf("Lea");
    expectBadInput(await grant("owner", lea, "form", null), "proof.noticeVersion");
    expectBadInput(await grant("owner", lea, "import", null), "proof.evidence");
  });

  it("refuses an IP address that is not one", async () => {
    const lea = await idOf("Lea");
    expectBadInput(await grant("owner", lea, "signup_form", { ...FULL, subjectIp: "999.1.1.1" }), "proof.subjectIp");
    expectBadInput(await grant("owner", lea, "signup_form", { ...FULL, subjectIp: "localhost" }), "proof.subjectIp");
    expect(await ledgerSize(lea)).toBe(0);
  });

  it("a re-grant after a withdrawal needs fresh proof", async () => {
    const chloe = await idOf("Chloe"); // email consent withdrawn in the demo data
    expectBadInput(await grant("marketing", chloe, "email_link", { noticeVersion: FULL.noticeVersion }), "proof.evidence");
    const ok = await grant("marketing", chloe, "email_link", { noticeVersion: "2024-11-18", evidence: "<re-optin-5521@mail.acme.test>" });
    expect(ok.errors).toBeUndefined();
    expect(stateOf(ok, "grantConsent", "marketing_email")).toBe("GRANTED");
  });

  it("granting a consent that is already granted is refused and writes nothing", async () => {
    const bruno = await idOf("Bruno"); // email consent granted in the demo data
    const before = await ledgerSize(bruno);
    expectBadInput(await grant("owner", bruno, "form", FULL), "purpose");
    expect(await ledgerSize(bruno)).toBe(before);
  });

  it("two concurrent grants of the same consent record one ledger entry; the other is refused", async () => {
    const gabrielle = await idOf("Gabrielle");
    const before = await ledgerSize(gabrielle);
    const results = await Promise.all([grant("owner", gabrielle, "form", FULL), grant("marketing", gabrielle, "form", FULL)]);
    expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(results.flatMap((r) => r.errors ?? []).map((e) => e.extensions.field)).toEqual(["purpose"]);
    expect(await ledgerSize(gabrielle)).toBe(before + 1);
  });

  it("no consent is recorded for an erased person (a tombstone keeps no personal data)", async () => {
    const lea = await idOf("Lea");
    await db(t).update(contacts).set({ erasedAt: new Date() }).where(eq(contacts.id, lea));
    try {
      expectBadInput(await grant("owner", lea, "form", FULL), "contactId");
      expect(await ledgerSize(lea)).toBe(0);
    } finally {
      await db(t).update(contacts).set({ erasedAt: null }).where(eq(contacts.id, lea));
    }
  });

  it("the demo data's grants carry the proof their source needs", async () => {
    const grants = await db(t).select().from(consentEvents).where(eq(consentEvents.state, "granted"));
    expect(grants.length).toBeGreaterThan(0);
    for (const g of grants) expect(proofProblem(g.source as GrantSource, g), `${g.source} ${g.id}`).toBeUndefined();
  });

  it("policies/README.md shows the same proof table", () => {
    const readme = readFileSync(join(POLICIES_DIR, "README.md"), "utf8");
    const rows = readme.split("\n").filter((l) => /^\| `[a-z_]+` \| `/.test(l));
    const expected = Object.entries(CONSENT_PROOF).map(([source, need]) => {
      const fields = need.fields.map((f) => `\`${f}\`${f === "evidence" && "evidence" in need ? ` (${need.evidence})` : ""}`);
      return `| \`${source}\` | ${fields.join(", ")} |`;
    });
    expect(rows).toEqual(expected);
  });

  it("the schema describes the proof table", async () => {
    const res = await t.gql(`{ __type(name: "Mutation") { fields { name description } } }`);
    const field = (res.data!.__type.fields as Array<{ name: string; description: string }>).find((f) => f.name === "grantConsent")!;
    for (const [source, need] of Object.entries(CONSENT_PROOF)) expect(field.description).toContain(`${source}: ${need.fields[0]}`);
  });
});

describe("withdrawConsent of a consent that is not granted", () => {
  it("changes nothing but the decision log: no ledger entry, the contact as it is, the access logged", async () => {
    const david = await idOf("David"); // no consent at all
    const jules = await idOf("Jules"); // SMS consent withdrawn in the demo data
    for (const [id, purpose, state] of [
      [david, "marketing_email", "NONE"],
      [jules, "marketing_sms", "WITHDRAWN"],
    ]) {
      const before = await ledgerSize(id);
      const [decisions] = await db(t).select({ n: count() }).from(auditLog).where(eq(auditLog.subjectId, id));
      const res = await withdraw("support", id, purpose);
      expect(res.errors).toBeUndefined();
      expect(stateOf(res, "withdrawConsent", purpose)).toBe(state);
      expect(await ledgerSize(id)).toBe(before);
      // The answer showed the person's privacy state: that is logged, never a silent read.
      const [after] = await db(t).select({ n: count() }).from(auditLog).where(eq(auditLog.subjectId, id));
      expect(Number(after.n)).toBe(Number(decisions.n) + 1);
    }
  });

  it("a granted consent is withdrawn once: the second call is the same no-op", async () => {
    const hugo = await idOf("Hugo");
    const before = await ledgerSize(hugo);
    const first = await withdraw("marketing", hugo);
    expect(stateOf(first, "withdrawConsent", "marketing_email")).toBe("WITHDRAWN");
    const second = await withdraw("marketing", hugo);
    expect(second.errors).toBeUndefined();
    expect(second.data!.withdrawConsent.consents).toEqual(first.data!.withdrawConsent.consents);
    expect(await ledgerSize(hugo)).toBe(before + 1);
  });
});

describe("granting and withdrawing are separate permissions", () => {
  it("support records withdrawals but cannot grant, even with full proof", async () => {
    const alice = await idOf("Alice");
    const denied = await grant("support", alice, "form", FULL, "marketing_sms");
    expect(denied.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    const ok = await withdraw("support", alice, "marketing_sms");
    expect(ok.errors).toBeUndefined();
    expect(stateOf(ok, "withdrawConsent", "marketing_sms")).toBe("WITHDRAWN");
    // ...and the person does not come back for marketing through support.
    const again = await grant("support", alice, "form", FULL, "marketing_sms");
    expect(again.errors?.[0]?.extensions.code).toBe("FORBIDDEN");
  });

  it("the dpo answers a withdrawal but does not record new consent", async () => {
    const emma = await idOf("Emma"); // SMS consent in the demo data
    expect((await grant("dpo", emma, "form", FULL)).errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    expect((await withdraw("dpo", emma, "marketing_sms")).errors).toBeUndefined();
  });

  it("marketing grants with proof, never without", async () => {
    const karim = await idOf("Karim");
    expectBadInput(await grant("marketing", karim, "signup_form", null), "proof.noticeVersion");
    const ok = await grant("marketing", karim, "signup_form", {
      noticeVersion: FULL.noticeVersion,
      subjectIp: "198.51.100.23",
      subjectUserAgent: FULL.subjectUserAgent,
    });
    expect(ok.errors).toBeUndefined();
    expect(stateOf(ok, "grantConsent", "marketing_email")).toBe("GRANTED");
  });

  it("a sales rep holds neither", async () => {
    const lea = await idOf("Lea");
    expect((await grant("sales", lea, "form", FULL)).errors?.[0]?.extensions.code).toBe("FORBIDDEN");
    expect((await withdraw("sales", lea)).errors?.[0]?.extensions.code).toBe("FORBIDDEN");
  });
});

describe("explainAccess speaks the split actions", () => {
  const EXPLAIN = `query($a: String!) { explainAccess(action: $a, subject: "Contact") { allowed rule } }`;

  it("answers grant_consent and withdraw_consent separately, and asks to choose for the old alias", async () => {
    const ask = (action: string) => t.gql(EXPLAIN, { a: action }, { token: tokens.dpo });
    expect((await ask("withdraw_consent")).data!.explainAccess).toEqual({ allowed: true, rule: "dpo.contacts.rights" });
    expect((await ask("grant_consent")).data!.explainAccess).toEqual({ allowed: false, rule: "default.deny" });
    expectBadInput(await ask("manage_consent"), "action");
  });
});

describe("liftRestriction needs informedVia", () => {
  const LIFT = `mutation($id: ID!, $via: String) { liftRestriction(contactId: $id, informedVia: $via) { processingRestricted } }`;

  it("missing, null, too short or too long is BAD_USER_INPUT naming informedVia, and the restriction stays", async () => {
    const felix = await idOf("Felix"); // restricted in the demo data
    const missing = await t.gql(`mutation($id: ID!) { liftRestriction(contactId: $id) { processingRestricted } }`, { id: felix }, { token: tokens.dpo });
    expectBadInput(missing, "informedVia");
    for (const via of [null, "ok", "  ", "x".repeat(501)]) expectBadInput(await t.gql(LIFT, { id: felix, via }, { token: tokens.dpo }), "informedVia");
    const [row] = await db(t).select({ restricted: contacts.processingRestricted }).from(contacts).where(eq(contacts.id, felix));
    expect(row.restricted).toBe(true);
  });

  it("records what the caller said, before the lift", async () => {
    const felix = await idOf("Felix");
    const res = await t.gql(LIFT, { id: felix, via: "Letter of 2026-11-20, ref. DPO-88" }, { token: tokens.dpo });
    expect(res.errors).toBeUndefined();
    expect(res.data!.liftRestriction.processingRestricted).toBe(false);
    const events = await db(t)
      .select()
      .from(contactPrivacyEvents)
      .where(eq(contactPrivacyEvents.contactId, felix))
      .orderBy(contactPrivacyEvents.createdAt, contactPrivacyEvents.id);
    expect(events.slice(-2).map((e) => [e.kind, e.reason])).toEqual([
      ["subject_informed", "Letter of 2026-11-20, ref. DPO-88"],
      ["restriction_lifted", null],
    ]);
  });
});
