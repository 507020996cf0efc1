// Access and portability exports (issue 9 item 2): the JSON export of a demo contact holds its
// data and the Art. 15 information from policies/; the CSV has header rows and escapes
// formulas; roles without `export` are refused, other tenants get NOT_FOUND; a large export is
// a signed, expiring link that streams; exportMyData holds the user's own data and nobody else's.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, contacts, interactions, usageEvents } from "../../src/db/schema/index.js";
import { INLINE_LIMIT_BYTES } from "../../src/modules/exports/export.service.js";
import { ExportLinks } from "../../src/modules/exports/export.token.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, userId, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let alice: string;
let ines: string;
let homer: string;
let acme: string;
let dpo: string;

const EXPORT = `mutation($id: ID!, $format: ExportFormat!, $requestId: ID) {
  exportContactData(contactId: $id, format: $format, requestId: $requestId) { id format sizeBytes content downloadUrl expiresAt } }`;
const MINE = `mutation($format: ExportFormat!) { exportMyData(format: $format) { id format sizeBytes content downloadUrl expiresAt } }`;

async function exportAs(token: string, id: string, format: "JSON" | "CSV", requestId?: string) {
  const res = await t.gql(EXPORT, { id, format, requestId }, { token });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.exportContactData;
}

/** The path of an absolute download link, for inject. */
const pathOf = (url: string) => new URL(url).pathname;

beforeAll(async () => {
  t = await startTestApp();
  alice = await contactIdByEmail(t, "alice.martin@initech.test");
  ines = await contactIdByEmail(t, "ines.leroy@example.test");
  homer = await contactIdByEmail(t, "homer@springfield.test");
  acme = await workspaceId(t, "Acme");
  dpo = await t.login("dpo@acme.test");
});
afterAll(() => t.close());

describe("exportContactData", () => {
  it("the JSON export of a demo contact holds its email, interactions, consent history with proof, and the purposes, processors and retention periods", async () => {
    const out = await exportAs(dpo, alice, "JSON");
    expect(out.format).toBe("JSON");
    expect(out.downloadUrl).toBeNull();
    expect(out.sizeBytes).toBe(Buffer.byteLength(out.content, "utf8"));
    const doc = JSON.parse(out.content);
    expect(doc.export).toMatchObject({ id: out.id, subject: "contact", subjectId: alice, controller: "Acme" });
    expect(doc.contact).toMatchObject({ id: alice, email: "alice.martin@initech.test", phone: "+33612345601", firstName: "Alice" });
    expect(doc.company).toMatchObject({ name: "Initech" });
    expect(doc.interactions.map((i: { subject: string }) => i.subject)).toEqual(
      expect.arrayContaining(["Kick-off", "November newsletter", "Webinar reminder"]),
    );
    expect(doc.consentEvents.length).toBeGreaterThanOrEqual(2);
    expect(doc.consentEvents[0]).toMatchObject({ state: "granted", source: "signup_form", subjectIp: expect.stringMatching(/^203\.0\.113\./) });
    expect(doc.consentEvents[0].evidence).toContain("box ticked");
    const purposes = Object.fromEntries(doc.purposes.map((p: { id: string }) => [p.id, p]));
    expect(purposes.marketing_email).toMatchObject({ lawfulBasis: "consent", consent: "granted" });
    expect(purposes.sales_pipeline).toMatchObject({ lawfulBasis: "legitimate_interest", objectable: true });
    expect(purposes.billing).toBeUndefined(); // billing processes account holders only
    expect(doc.recipients.map((r: { id: string }) => r.id)).toContain("aws");
    expect(doc.recipients.find((r: { id: string }) => r.id === "aws")).toMatchObject({
      location: expect.stringContaining("Frankfurt"),
      transferSafeguard: expect.any(String),
    });
    expect(doc.retention.map((r: { id: string; period: string }) => `${r.id}=${r.period}`)).toEqual(
      expect.arrayContaining(["account_lifetime_plus_6_months=P6M", "until_consent_withdrawn=P30D", "legal_limitation_period=P5Y"]),
    );
    expect(doc.source[0].source).toContain("Provided by the customer");
    expect(doc.rights.map((r: { article: string }) => r.article).join(" ")).toMatch(/Art\. 15.*Art\. 16.*Art\. 17.*Art\. 18.*Art\. 20.*Art\. 21/);
    for (const key of ["deals", "restrictionsAndObjections", "privacyRequests", "breachNotices"]) expect(Array.isArray(doc[key]), key).toBe(true);
  });

  it("lists the addresses the person's record held before: the workspace still holds them", async () => {
    const owner = await t.login("owner@acme.test");
    const made = await t.gql(
      `mutation { createContact(input: { firstName: "Flo", lastName: "Former", email: "Flo.First@example.test" }) { id } }`,
      {},
      { token: owner },
    );
    const id = made.data!.createContact.id;
    for (const e of ["flo.second@example.test", "flo.third@example.test"]) {
      const moved = await t.gql(`mutation($id: ID!, $e: EmailAddress!) { updateContact(id: $id, input: { email: $e }) { id } }`, { id, e }, { token: owner });
      expect(moved.errors).toBeUndefined();
    }
    const doc = JSON.parse((await exportAs(dpo, id, "JSON")).content);
    expect(doc.contact).toMatchObject({ email: "flo.third@example.test", formerEmails: ["flo.first@example.test", "flo.second@example.test"] });
    const csv: string = (await exportAs(dpo, id, "CSV")).content;
    expect(csv).toContain("flo.first@example.test; flo.second@example.test");
  });

  it("is audited with counts and size, never content", async () => {
    const out = await exportAs(dpo, alice, "JSON");
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "export"), eq(auditLog.subjectId, alice)))
      .orderBy(auditLog.seq);
    expect(entry).toMatchObject({ decision: "allow", subject: "Contact", actorRole: "dpo" });
    const entries = await db(t).select().from(auditLog).where(eq(auditLog.action, "export"));
    const mine = entries.find((e) => (e.detail as { exportId?: string }).exportId === out.id)!;
    expect(mine.detail).toMatchObject({ format: "json", sizeBytes: out.sizeBytes, delivery: "inline", counts: { interactions: 3, contact: 1 } });
    expect(JSON.stringify(mine.detail)).not.toContain("alice");
  });

  it("CSV: a BOM, a header row per section, formulas escaped, E.164 phones and numbers kept", async () => {
    await db(t).update(contacts).set({ firstName: '=HYPERLINK("http://x","y")', lastName: "-2+3", position: "@SUM(A1)" }).where(eq(contacts.id, ines));
    const out = await exportAs(dpo, ines, "CSV");
    expect(out.format).toBe("CSV");
    const text: string = out.content;
    expect(text.startsWith("\uFEFF")).toBe(true);
    const lines = text.slice(1).split("\r\n");
    expect(lines[0]).toMatch(/^section,id,exportedAt,format,subject,subjectId/);
    const header = lines.find((l) => l.startsWith("section,id,firstName,"));
    expect(header).toBe(
      "section,id,firstName,lastName,email,formerEmails,phone,position,companyId,consentedPurposes,objectedPurposes,processingRestricted,erasedAt,createdAt,updatedAt",
    );
    const row = lines[lines.indexOf(header!) + 1];
    expect(row.startsWith(`contact,${ines},`)).toBe(true);
    expect(row).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(row).toContain(",'-2+3,");
    expect(row).toContain(",'@SUM(A1),");
    expect(row).toContain(",+33612345609,");
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    // Every section has its header row, even an empty one.
    for (const section of ["purposes", "recipients", "retention", "rights", "deals", "interactions", "consentEvents", "privacyRequests", "breachNotices"]) {
      expect(lines.some((l) => l.startsWith("section,")) && text.includes(`\r\n\r\nsection,`), section).toBe(true);
    }
    expect(lines.filter((l) => l.startsWith("section,")).length).toBe(14);
  });

  it("roles without the export action are FORBIDDEN, and the refusal is logged", async () => {
    for (const email of ["sales@acme.test", "marketing@acme.test", "support@acme.test", "auditor@acme.test"]) {
      const token = await t.login(email);
      const res = await t.gql(EXPORT, { id: alice, format: "JSON" }, { token });
      expect(res.errors?.[0].extensions.code, email).toBe("FORBIDDEN");
      expect(res.data?.exportContactData ?? null).toBeNull();
    }
    const denials = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "export"), eq(auditLog.decision, "deny")));
    expect(denials.length).toBeGreaterThanOrEqual(4);
  });

  it("the owner may export; another tenant's contact is NOT_FOUND both ways", async () => {
    const owner = await t.login("owner@acme.test");
    expect(JSON.parse((await exportAs(owner, alice, "JSON")).content).contact.email).toBe("alice.martin@initech.test");
    const globex = await t.login("owner@globex.test");
    const res = await t.gql(EXPORT, { id: alice, format: "JSON" }, { token: globex });
    expect(res.errors?.[0].extensions.code).toBe("NOT_FOUND");
    expect(JSON.stringify(res)).not.toContain("alice.martin");
    const back = await t.gql(EXPORT, { id: homer, format: "CSV" }, { token: dpo });
    expect(back.errors?.[0].extensions.code).toBe("NOT_FOUND");
  });

  it("bad input is coded and exports nothing", async () => {
    const before = (await db(t).select().from(auditLog).where(eq(auditLog.action, "export"))).length;
    // A malformed id is NOT_FOUND, as everywhere in the API (ids are opaque).
    const res = await t.gql(EXPORT, { id: "nope", format: "JSON" }, { token: dpo });
    expect(res.errors?.[0].extensions.code).toBe("NOT_FOUND");
    const badFormat = await t.gql(EXPORT, { id: alice, format: "XML" }, { token: dpo });
    expect(badFormat.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const badRequest = await t.gql(EXPORT, { id: alice, format: "JSON", requestId: "x" }, { token: dpo });
    expect(badRequest.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await db(t).select().from(auditLog).where(eq(auditLog.action, "export"))).length).toBe(before);
  });

  it("answers an ACCESS request: the export is linked to it", async () => {
    const submitted = await t.gql(
      `mutation($input: PrivacyRequestInput!) { submitPrivacyRequest(input: $input) { id } }`,
      { input: { type: "ACCESS", contactId: alice } },
      { token: dpo },
    );
    expect(submitted.errors, JSON.stringify(submitted.errors)).toBeUndefined();
    const requestId = submitted.data!.submitPrivacyRequest.id;
    // Not verified yet: refused, nothing linked.
    const early = await t.gql(EXPORT, { id: alice, format: "JSON", requestId }, { token: dpo });
    expect(early.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    const started = await t.gql(
      `mutation($id: ID!, $v: IdentityVerificationInput) { startPrivacyRequest(id: $id, verification: $v) { id } }`,
      { id: requestId, v: { method: "EMAIL_LINK", note: "Confirmed from the address on record" } },
      { token: dpo },
    );
    expect(started.errors, JSON.stringify(started.errors)).toBeUndefined();
    const out = await exportAs(dpo, alice, "JSON", requestId);
    const req = await t.gql(`query($id: ID!) { privacyRequest(id: $id) { status answers { kind ref } } }`, { id: requestId }, { token: dpo });
    expect(req.errors, JSON.stringify(req.errors)).toBeUndefined();
    expect(req.data!.privacyRequest.answers).toContainEqual({ kind: "EXPORT", ref: out.id });
    // The request is in the export made after it.
    const doc = JSON.parse((await exportAs(dpo, alice, "JSON")).content);
    expect(doc.privacyRequests.map((r: { id: string }) => r.id)).toContain(requestId);
    // Another person's request is refused.
    const wrong = await t.gql(EXPORT, { id: ines, format: "JSON", requestId }, { token: dpo });
    expect(wrong.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("large exports: a signed, expiring link that streams", () => {
  let big: string;
  const MANY = 1200;

  beforeAll(async () => {
    const [row] = await db(t)
      .insert(contacts)
      .values({ workspaceId: acme, firstName: "Bulky", lastName: "Talker", email: "bulky@example.test" })
      .returning({ id: contacts.id });
    big = row.id;
    const body = "x".repeat(300);
    for (let start = 0; start < MANY; start += 400) {
      await db(t)
        .insert(interactions)
        .values(
          Array.from({ length: 400 }, (_, k) => ({
            workspaceId: acme,
            contactId: big,
            kind: "note",
            purpose: "sales_pipeline",
            subject: `Note ${start + k}`,
            body,
            occurredAt: new Date(Date.UTC(2026, 0, 1) + (start + k) * 1000),
          })),
        );
    }
  });

  it("returns a downloadUrl instead of content, and the URL streams the whole export", async () => {
    const out = await exportAs(dpo, big, "JSON");
    expect(out.content).toBeNull();
    expect(out.sizeBytes).toBeGreaterThan(INLINE_LIMIT_BYTES);
    expect(out.downloadUrl.startsWith(`${t.config.publicUrl}/exports/`)).toBe(true);
    const ttl = new Date(out.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    const res = await t.app.server.inject({ method: "GET", url: pathOf(out.downloadUrl) });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(String(res.headers["content-disposition"])).toMatch(/^attachment; filename="alpha-crm-export-contact-/);
    const doc = JSON.parse(res.body);
    expect(doc.contact.email).toBe("bulky@example.test");
    expect(doc.interactions).toHaveLength(MANY);
    expect(doc.interactions[MANY - 1].subject).toBe(`Note ${MANY - 1}`);
    expect(new Set(doc.interactions.map((i: { id: string }) => i.id)).size).toBe(MANY);
    const downloads = await db(t).select().from(auditLog).where(eq(auditLog.action, "download_export"));
    expect(downloads.find((d) => (d.detail as { exportId: string }).exportId === out.id)?.detail).toMatchObject({ counts: { interactions: MANY } });
  });

  it("CSV downloads stream too", async () => {
    const out = await exportAs(dpo, big, "CSV");
    expect(out.content).toBeNull();
    const res = await t.app.server.inject({ method: "GET", url: pathOf(out.downloadUrl) });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    expect(res.body.split("\r\n").filter((l) => l.startsWith("interactions,")).length).toBe(MANY);
  });

  it("a tampered, foreign or expired token is refused and leaks nothing", async () => {
    const out = await exportAs(dpo, big, "JSON");
    const path = pathOf(out.downloadUrl);
    const token = path.split("/").pop()!;
    const flipped = token.slice(0, 20) + (token[20] === "A" ? "B" : "A") + token.slice(21);
    for (const bad of [`/exports/${flipped}`, "/exports/nope", `/exports/${"A".repeat(900)}`, "/exports/"]) {
      const res = await t.app.server.inject({ method: "GET", url: bad });
      expect(res.statusCode, bad).toBe(400);
      expect(res.body).not.toContain("bulky");
      expect(res.body).not.toContain("Note");
    }
    const links = new ExportLinks(t.app.signingSecret, t.config.publicUrl);
    const base = {
      exportId: out.id,
      workspaceId: acme,
      kind: "contact" as const,
      subjectId: big,
      format: "json" as const,
      principalId: await userId(t, "dpo@acme.test"),
      purpose: "legal_compliance",
    };
    const expired = await t.app.server.inject({ method: "GET", url: pathOf(links.url({ ...base, expiresAt: new Date(Date.now() - 1000) })) });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).not.toContain("bulky");
    // A key from another secret: not ours.
    const foreign = new ExportLinks("another-secret-another-secret-another-secret", t.config.publicUrl);
    const res = await t.app.server.inject({ method: "GET", url: pathOf(foreign.url({ ...base, expiresAt: new Date(Date.now() + 60_000) })) });
    expect(res.statusCode).toBe(400);
  });

  it("the permission is checked again at download: a role without export, or another workspace's user, gets nothing", async () => {
    const links = new ExportLinks(t.app.signingSecret, t.config.publicUrl);
    const base = {
      exportId: crypto.randomUUID(),
      workspaceId: acme,
      kind: "contact" as const,
      subjectId: big,
      format: "json" as const,
      purpose: "sales_pipeline",
    };
    const expiresAt = new Date(Date.now() + 60_000);
    const sales = await t.app.server.inject({ method: "GET", url: pathOf(links.url({ ...base, principalId: await userId(t, "sales@acme.test"), expiresAt })) });
    expect(sales.statusCode).toBe(403);
    expect(sales.body).not.toContain("bulky");
    const globex = await t.app.server.inject({
      method: "GET",
      url: pathOf(links.url({ ...base, principalId: await userId(t, "owner@globex.test"), expiresAt })),
    });
    expect(globex.statusCode).toBe(403);
    expect(globex.body).not.toContain("bulky");
  });
});

describe("exportMyData", () => {
  it("holds the user's profile, sessions without token hashes, and their own usage events, nobody else's", async () => {
    const token = await t.login("sales@acme.test");
    await t.login("marketing@acme.test");
    const res = await t.gql(MINE, { format: "JSON" }, { token });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const out = res.data!.exportMyData;
    const doc = JSON.parse(out.content);
    const me = await userId(t, "sales@acme.test");
    expect(doc.export).toMatchObject({ subject: "user", subjectId: me, controller: "Alpha CRM" });
    expect(doc.profile).toMatchObject({ id: me, email: "sales@acme.test", name: "Sam Sales", role: "sales_rep" });
    expect(doc.profile.passwordHash).toBeUndefined();
    expect(doc.sessions.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(doc.sessions)).not.toMatch(/token/i);
    const own = await db(t).select({ id: usageEvents.id }).from(usageEvents).where(eq(usageEvents.userId, me));
    // Every event exported is the user's own, and every one recorded before the export is in it
    // (the export mutation's own usage event is written after it).
    const exported: string[] = doc.usageEvents.map((e: { id: string }) => e.id);
    expect(exported.length).toBeGreaterThanOrEqual(1);
    expect(own.map((e) => e.id)).toEqual(expect.arrayContaining(exported));
    expect(own.length - exported.length).toBeLessThanOrEqual(1);
    expect(doc.usageEvents.some((e: { kind: string }) => e.kind === "login")).toBe(true);
    expect(out.content).not.toContain("marketing@acme.test");
    expect(out.content).not.toContain("alice.martin");
    const purposes = doc.purposes.map((p: { id: string }) => p.id);
    expect(purposes).toEqual(expect.arrayContaining(["service_provision", "billing", "analytics", "marketing_email"]));
    expect(purposes).not.toContain("sales_pipeline");
    expect(doc.recipients.map((r: { id: string }) => r.id)).toContain("stripe");
    for (const key of ["consentEvents", "policyAcknowledgements", "policyNotices", "breachNotices", "privacyRequests"])
      expect(Array.isArray(doc[key]), key).toBe(true);
    const [entry] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "export"), eq(auditLog.subject, "User"), eq(auditLog.subjectId, me)));
    expect(entry.detail).toMatchObject({ exportId: out.id, format: "json", delivery: "inline" });
  });

  it("CSV works for any role, and signing in is required", async () => {
    const token = await t.login("auditor@acme.test");
    const res = await t.gql(MINE, { format: "CSV" }, { token });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.exportMyData.content).toContain("auditor@acme.test");
    const anonymous = await t.gql(MINE, { format: "CSV" });
    expect(anonymous.errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
  });
});
