import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksumOf, parseApiToken } from "../../src/auth/api-tokens.js";
import { apiTokens, auditLog, usageEvents, users } from "../../src/db/schema/index.js";
import { runRetention } from "../../src/modules/retention/retention.service.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name scopes purposes defaultPurpose expiresAt } } }`;
const CONTACTS = `{ contacts(first: 3) { nodes { id firstName } } }`;
const DEALS = `{ deals(first: 3) { nodes { id } } }`;
const NEW_CONTACT = `mutation { createContact(input: { firstName: "Token", lastName: "Writer" }) { id } }`;

interface Created {
  token: string;
  apiToken: { id: string; name: string; scopes: string[]; purposes: string[]; defaultPurpose: string; expiresAt: string };
}

async function mint(email: string, input: Record<string, unknown>): Promise<GqlResult<{ createApiToken: Created }>> {
  return t.gql<{ createApiToken: Created }>(CREATE, { input: { name: "integration", ...input } }, { token: await t.login(email) });
}

async function minted(email: string, input: Record<string, unknown>): Promise<Created> {
  const res = await mint(email, input);
  expect(res.errors).toBeUndefined();
  return res.data!.createApiToken;
}

describe("API tokens", () => {
  it("are acrm_ + base62 + a checksum, shown once and stored as a digest with a 90-day expiry", async () => {
    const before = Date.now();
    const { token, apiToken } = await minted("sales@acme.test", { scopes: ["contacts:read"] });
    expect(token).toMatch(/^acrm_[0-9A-Za-z]{57}$/);
    expect(parseApiToken(token)).toBeDefined();
    expect(apiToken.scopes).toEqual(["contacts:read"]);
    expect(apiToken.purposes).toEqual(["sales_pipeline"]);
    expect(apiToken.defaultPurpose).toBe("sales_pipeline");
    const days = (Date.parse(apiToken.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    const db = t.app.database.handle();
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, apiToken.id));
    expect(JSON.stringify(row)).not.toContain(token.slice(13, 50));
    // The list shows it, never the secret.
    const list = await t.gql(
      `{ apiTokens(first: 10) { nodes { id name scopes lastUsedAt createdBy { email } } } }`,
      {},
      { token: await t.login("sales@acme.test") },
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.apiTokens.nodes.map((n: { id: string }) => n.id)).toContain(apiToken.id);
    expect(JSON.stringify(list.data)).not.toContain(token);
    const audit = await db.select().from(auditLog).where(eq(auditLog.subjectId, apiToken.id));
    expect(audit.map((a) => a.action)).toEqual(["create"]);
  });

  it("with contacts:read reads contacts and is refused writes and deals", async () => {
    const { token, apiToken } = await minted("sales@acme.test", { scopes: ["contacts:read"] });
    const read = await t.gql(CONTACTS, {}, { token });
    expect(read.errors).toBeUndefined();
    expect(read.data!.contacts.nodes.length).toBeGreaterThan(0);

    const write = await t.gql(NEW_CONTACT, {}, { token });
    expect(write.errors![0].extensions.code).toBe("FORBIDDEN");
    expect(write.errors![0].extensions.rule).toBe("token.scopes");
    expect(write.errors![0].extensions.reason).toContain("contacts:write");

    const deals = await t.gql(DEALS, {}, { token });
    expect(deals.errors![0].extensions.code).toBe("FORBIDDEN");
    expect(deals.errors![0].extensions.reason).toContain("deals:read");

    // The same user signed in does all three.
    const session = await t.login("sales@acme.test");
    expect((await t.gql(DEALS, {}, { token: session })).errors).toBeUndefined();

    // First use is audited once, and lastUsedAt is set.
    const db = t.app.database.handle();
    const audit = await db.select().from(auditLog).where(eq(auditLog.subjectId, apiToken.id));
    expect(audit.map((a) => a.action).sort()).toEqual(["create", "use"]);
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, apiToken.id));
    expect(row.lastUsedAt).not.toBeNull();
  });

  it("explainAccess names the scope that decided", async () => {
    const { token } = await minted("owner@acme.test", {
      scopes: ["audit_entries:read", "contacts:read"],
      purposes: ["legal_compliance", "sales_pipeline"],
      defaultPurpose: "legal_compliance",
    });
    const EXPLAIN = `query($s: String!) { explainAccess(action: "read", subject: $s, purpose: "sales_pipeline") { allowed rule reason chain { check outcome detail } } }`;
    const deal = await t.gql(EXPLAIN, { s: "Deal" }, { token });
    expect(deal.errors).toBeUndefined();
    expect(deal.data!.explainAccess).toMatchObject({ allowed: false, rule: "token.scopes" });
    expect(deal.data!.explainAccess.reason).toContain("deals:read");
    const contact = await t.gql(EXPLAIN, { s: "Contact" }, { token });
    expect(contact.data!.explainAccess.allowed).toBe(true);
    const step = contact.data!.explainAccess.chain.find((c: { check: string }) => c.check === "TOKEN_SCOPE");
    expect(step).toMatchObject({ outcome: "PASS" });
    expect(step.detail).toContain("contacts:read");
  });

  it("explainAccess checks the token's own purposes, not only its role's, and names token.purposes when it decides", async () => {
    // The owner's role may act under sales_pipeline; this token was given legal_compliance only.
    const { token } = await minted("owner@acme.test", {
      scopes: ["audit_entries:read", "contacts:read"],
      purposes: ["legal_compliance"],
      defaultPurpose: "legal_compliance",
    });
    const EXPLAIN = `query($p: String!) { explainAccess(action: "read", subject: "Contact", purpose: $p) { allowed rule reason chain { check outcome detail } } }`;
    const refused = await t.gql(EXPLAIN, { p: "sales_pipeline" }, { token });
    expect(refused.errors).toBeUndefined();
    expect(refused.data!.explainAccess).toMatchObject({ allowed: false, rule: "token.purposes" });
    expect(refused.data!.explainAccess.reason).toContain("legal_compliance");
    expect(refused.data!.explainAccess.chain).toEqual([{ check: "TOKEN_PURPOSES", outcome: "DENY", detail: expect.stringContaining("sales_pipeline") }]);
    // The request itself under that purpose is refused by the same rule.
    const direct = await t.gql(`{ contacts(first: 1) { totalCount } }`, {}, { token, purpose: "sales_pipeline" });
    expect(direct.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "token.purposes" });

    const allowed = await t.gql(EXPLAIN, { p: "legal_compliance" }, { token });
    const steps = allowed.data!.explainAccess.chain as Array<{ check: string; outcome: string }>;
    expect(steps.map((c) => c.check).slice(0, 2)).toEqual(["TOKEN_PURPOSES", "PURPOSE"]);
    expect(steps[0].outcome).toBe("PASS");
    // A person's explanation has no token step.
    const person = await t.gql(EXPLAIN, { p: "sales_pipeline" }, { token: await t.login("owner@acme.test"), purpose: "legal_compliance" });
    expect(person.data!.explainAccess.chain.map((c: { check: string }) => c.check)).not.toContain("TOKEN_PURPOSES");
  });

  it("a sales rep cannot mint a token wider than its role; unknown scopes and purposes are bad input", async () => {
    const db = t.app.database.handle();
    const before = (await db.select({ n: sql<number>`count(*)::int` }).from(apiTokens))[0].n;
    const wide = await mint("sales@acme.test", { scopes: ["contacts:read", "audit_entries:read"] });
    expect(wide.errors![0].extensions.code).toBe("FORBIDDEN");
    expect(wide.errors![0].extensions.rule).toBe("token.within_role");
    expect(wide.errors![0].message + wide.errors![0].extensions.reason).toContain("audit_entries:read");

    const erase = await mint("sales@acme.test", { scopes: ["contacts:erase"] });
    expect(erase.errors![0].extensions.code).toBe("FORBIDDEN");

    const purpose = await mint("sales@acme.test", { scopes: ["contacts:read"], purposes: ["marketing_email"] });
    expect(purpose.errors![0].extensions.code).toBe("FORBIDDEN");

    const unknown = await mint("sales@acme.test", { scopes: ["contacts:admin"] });
    expect(unknown.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    expect(unknown.errors![0].extensions.field).toBe("input.scopes");

    const tooLong = await mint("sales@acme.test", { scopes: ["contacts:read"], expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() });
    expect(tooLong.errors![0].extensions.code).toBe("BAD_USER_INPUT");
    const past = await mint("sales@acme.test", { scopes: ["contacts:read"], expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(past.errors![0].extensions.code).toBe("BAD_USER_INPUT");

    expect((await db.select({ n: sql<number>`count(*)::int` }).from(apiTokens))[0].n).toBe(before);
    // The DPO may: its role erases.
    expect((await mint("dpo@acme.test", { scopes: ["contacts:erase", "consents:withdraw"] })).errors).toBeUndefined();
  });

  it("revoked, expired or mistyped tokens are UNAUTHENTICATED; a mistyped one costs no look-up", async () => {
    const revoked = await minted("support@acme.test", { scopes: ["contacts:read"] });
    expect((await t.gql(CONTACTS, {}, { token: revoked.token })).errors).toBeUndefined();
    const res = await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: revoked.apiToken.id }, { token: await t.login("support@acme.test") });
    expect(res.data!.revokeApiToken).toBe(true);
    const afterRevoke = await t.gql(CONTACTS, {}, { token: revoked.token });
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.errors![0].extensions.code).toBe("UNAUTHENTICATED");

    const expired = await minted("support@acme.test", { scopes: ["contacts:read"] });
    await t.app.database
      .handle()
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, expired.apiToken.id));
    expect((await t.gql(CONTACTS, {}, { token: expired.token })).errors![0].extensions.code).toBe("UNAUTHENTICATED");

    const good = await minted("support@acme.test", { scopes: ["contacts:read"] });
    const last = good.token.at(-10) === "a" ? "b" : "a";
    const typo = `${good.token.slice(0, -10)}${last}${good.token.slice(-9)}`;
    expect(parseApiToken(typo)).toBeUndefined();
    const mistyped = await t.gql(CONTACTS, {}, { token: typo });
    expect(mistyped.errors![0].extensions.code).toBe("UNAUTHENTICATED");
    // A well-formed token with a valid checksum but unknown secret is looked up (1 more statement).
    const body = `acrm_${"x".repeat(51)}`;
    const unknown = await t.gql(CONTACTS, {}, { token: `${body}${checksumOf(body)}` });
    expect(unknown.errors![0].extensions.code).toBe("UNAUTHENTICATED");
    // The mistyped one: only the anonymous per-address count, no token look-up.
    expect(mistyped.queries).toBe(1);
    expect(unknown.queries).toBe(2);
  });

  it("only the owner revokes a colleague's token; Globex never sees Acme's tokens", async () => {
    const sales = await minted("sales@acme.test", { scopes: ["contacts:read"] });
    const other = await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: sales.apiToken.id }, { token: await t.login("marketing@acme.test") });
    expect(["NOT_FOUND", "FORBIDDEN"]).toContain(other.errors![0].extensions.code);
    const globex = await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: sales.apiToken.id }, { token: await t.login("owner@globex.test") });
    expect(["NOT_FOUND", "FORBIDDEN"]).toContain(globex.errors![0].extensions.code);
    const globexList = await t.gql(`{ apiTokens(first: 100) { nodes { id } } }`, {}, { token: await t.login("owner@globex.test") });
    expect(JSON.stringify(globexList.data)).not.toContain(sales.apiToken.id);
    expect((await t.gql(CONTACTS, {}, { token: sales.token })).errors).toBeUndefined();
    const owner = await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: sales.apiToken.id }, { token: await t.login("owner@acme.test") });
    expect(owner.data!.revokeApiToken).toBe(true);
    expect((await t.gql(CONTACTS, {}, { token: sales.token })).errors![0].extensions.code).toBe("UNAUTHENTICATED");
    const audit = await t.app.database.handle().select().from(auditLog).where(eq(auditLog.subjectId, sales.apiToken.id));
    expect(audit.map((a) => a.action)).toContain("revoke");
  });

  it("follows its creator's current role: a downgrade narrows the token", async () => {
    const { token } = await minted("marketing@acme.test", { scopes: ["contacts:read", "consents:withdraw"], purposes: ["marketing_email"] });
    const db = t.app.database.handle();
    expect((await t.gql(`{ contacts(first: 1) { nodes { id } } }`, {}, { token })).errors).toBeUndefined();
    await db.update(users).set({ role: "auditor" }).where(eq(users.email, "marketing@acme.test"));
    try {
      const res = await t.gql(`{ contacts(first: 1) { nodes { id } } }`, {}, { token });
      expect(res.errors![0].extensions.code).toBe("FORBIDDEN");
    } finally {
      await db.update(users).set({ role: "marketing" }).where(eq(users.email, "marketing@acme.test"));
    }
  });

  it("acts only under the purposes it declared", async () => {
    const { token } = await minted("sales@acme.test", { scopes: ["contacts:read"], purposes: ["sales_pipeline"] });
    const res = await t.gql(CONTACTS, {}, { token, purpose: "customer_support" });
    expect(res.errors![0].extensions.code).toBe("FORBIDDEN");
    expect(res.errors![0].extensions.rule).toBe("token.purposes");
  });

  it("stops at once when its creator is deactivated", async () => {
    const { token } = await minted("support@acme.test", { scopes: ["contacts:read"], purposes: ["customer_support"] });
    expect((await t.gql(CONTACTS, {}, { token })).errors).toBeUndefined();
    const owner = await t.login("owner@acme.test");
    const [support] = await t.app.database.handle().select({ id: users.id }).from(users).where(eq(users.email, "support@acme.test"));
    const deactivated = await t.gql(`mutation($id: ID!) { deactivateUser(userId: $id) { id } }`, { id: support.id }, { token: owner });
    expect(deactivated.errors).toBeUndefined();
    const res = await t.gql(CONTACTS, {}, { token });
    expect(res.status).toBe(401);
    expect(res.errors![0].extensions.code).toBe("UNAUTHENTICATED");
  });
});

describe("what a token may not do, what it leaves behind, and how long it is kept", () => {
  it("a token cannot mint a token, even with api_tokens:write (FORBIDDEN token.cannot_mint, logged as a denial)", async () => {
    const { token, apiToken } = await minted("owner@acme.test", { scopes: ["api_tokens:read", "api_tokens:write"] });
    const db = t.app.database.handle();
    const before = (await db.select({ n: sql<number>`count(*)::int` }).from(apiTokens))[0].n;
    const res = await t.gql(CREATE, { input: { name: "child", scopes: ["contacts:read"] } }, { token });
    expect(res.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "token.cannot_mint" });
    expect((await db.select({ n: sql<number>`count(*)::int` }).from(apiTokens))[0].n).toBe(before);
    const denials = await db.select().from(auditLog).where(sql`${auditLog.rule} = 'token.cannot_mint' and ${auditLog.decision} = 'deny'`);
    expect(denials).toHaveLength(1);
    expect(denials[0].subject).toBe("ApiToken");
    // The same token may still list and revoke tokens (its scopes say so).
    expect((await t.gql(`{ apiTokens(first: 5) { nodes { id } } }`, {}, { token })).errors).toBeUndefined();
    expect((await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: apiToken.id }, { token })).data).toEqual({ revokeApiToken: true });
  });

  it("a token's writes are in the audit log under its creator; they write no usage event (the person did not act)", async () => {
    const { token } = await minted("sales@acme.test", { scopes: ["contacts:read", "contacts:write"] });
    const db = t.app.database.handle();
    const sales = (await db.select({ id: users.id }).from(users).where(eq(users.email, "sales@acme.test")))[0].id;
    const usage = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(usageEvents).where(eq(usageEvents.userId, sales)))[0].n;
    const before = await usage();
    const created = await t.gql(NEW_CONTACT, {}, { token });
    expect(created.errors).toBeUndefined();
    expect(await usage()).toBe(before);
    const [write] = await db.select().from(auditLog).where(sql`${auditLog.subjectId} = ${created.data!.createContact.id} and ${auditLog.action} = 'create'`);
    expect(write).toMatchObject({ actorId: sales, subject: "Contact", decision: "allow" });
  });

  it("retention api_tokens_expired_90_days deletes tokens 90 days after expiry or revocation; their audit entries stay", async () => {
    const db = t.app.database.handle();
    const expired = (await minted("owner@acme.test", { scopes: ["contacts:read"] })).apiToken.id;
    const revoked = (await minted("owner@acme.test", { scopes: ["contacts:read"] })).apiToken.id;
    const recent = (await minted("owner@acme.test", { scopes: ["contacts:read"] })).apiToken.id;
    const live = (await minted("owner@acme.test", { scopes: ["contacts:read"] })).apiToken.id;
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    await db
      .update(apiTokens)
      .set({ expiresAt: daysAgo(91) })
      .where(eq(apiTokens.id, expired));
    await db
      .update(apiTokens)
      .set({ revokedAt: daysAgo(91) })
      .where(eq(apiTokens.id, revoked));
    await db
      .update(apiTokens)
      .set({ revokedAt: daysAgo(89) })
      .where(eq(apiTokens.id, recent));

    const run = await runRetention(db, t.app.policies, { now: new Date(), dryRun: false, batchSize: 100 });
    const entry = run.entries.find((e) => e.id === "api_tokens_expired_90_days")!;
    expect(entry).toMatchObject({ trigger: "expired", period: "P90D" });
    expect(entry.sweeps[0].deleted).toBeGreaterThanOrEqual(2);
    const left = (await db.select({ id: apiTokens.id }).from(apiTokens)).map((r) => r.id);
    expect(left).not.toContain(expired);
    expect(left).not.toContain(revoked);
    expect(left).toEqual(expect.arrayContaining([recent, live]));
    const kept = await db.select().from(auditLog).where(sql`${auditLog.subjectId} in (${expired}, ${revoked}) and ${auditLog.action} = 'create'`);
    expect(kept).toHaveLength(2);
  });
});
