// Abilities are compiled once per (kind, user, workspace, role, purpose, token scopes) and
// policy set, and kept across requests (src/authz/ability.ts cachedAbility). Through the API:
// whatever changes a caller's rights between two requests must show in the next answer (no
// stale grant from the cache), and what a caller sends (purpose headers, tokens) must not make
// the cache grow past its bound or keep entries for refused requests.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedAbilityCount } from "../../src/authz/ability.js";
import { users } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db } from "../helpers/fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const DEALS = "{ deals(first: 1) { totalCount } }";
const COMPANIES = "{ companies(first: 1) { nodes { id name owner { id } } } }";
const setRole = (email: string, role: string) => db(t).update(users).set({ role }).where(eq(users.email, email));
const codes = (r: { errors?: Array<{ extensions: Record<string, unknown> }> }) => (r.errors ?? []).map((e) => e.extensions.code);

describe("cached abilities through the API", () => {
  it("a role change decides the next request of a live session", async () => {
    const token = await t.login("sales@acme.test");
    const as = { token, purpose: "service_provision" };
    expect((await t.gql(DEALS, {}, as)).errors).toBeUndefined();
    await setRole("sales@acme.test", "support");
    expect(codes(await t.gql(DEALS, {}, as))).toEqual(["FORBIDDEN"]);
    await setRole("sales@acme.test", "sales_rep");
    expect((await t.gql(DEALS, {}, as)).errors).toBeUndefined();
  });

  it("a demotion narrows field masks at once (the per-ability whole-row shortcut)", async () => {
    const token = await t.login("dpo@acme.test");
    const as = { token, purpose: "service_provision" };
    await setRole("dpo@acme.test", "owner");
    const before = await t.gql<{ companies: { nodes: Array<{ owner: { id: string } | null }> } }>(COMPANIES, {}, as);
    expect(before.errors, JSON.stringify(before.errors)).toBeUndefined();
    expect(before.data!.companies.nodes.length).toBe(1);
    await setRole("dpo@acme.test", "support");
    const after = await t.gql<{ companies: { nodes: Array<{ owner: { id: string } | null }> } }>(COMPANIES, {}, as);
    expect(after.data!.companies.nodes[0].owner).toBeNull();
    expect(codes(after)).toContain("FORBIDDEN");
    await setRole("dpo@acme.test", "dpo");
  });

  it("an API token follows its creator's current role, and is not its creator", async () => {
    const owner = await t.login("owner@acme.test");
    const minted = await t.gql<{ createApiToken: { token: string } }>(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      { input: { name: "cache", scopes: ["deals:read"], purposes: ["service_provision"] } },
      { token: owner },
    );
    expect(minted.errors, JSON.stringify(minted.errors)).toBeUndefined();
    const token = minted.data!.createApiToken.token;
    expect((await t.gql(DEALS, {}, { token })).errors).toBeUndefined();
    // The creator reads companies; the token (same user, workspace, role, purpose) may not.
    expect((await t.gql(COMPANIES, {}, { token: owner, purpose: "service_provision" })).errors).toBeUndefined();
    expect(codes(await t.gql(COMPANIES, {}, { token }))).toEqual(["FORBIDDEN"]);
    await setRole("owner@acme.test", "support");
    try {
      expect(codes(await t.gql(DEALS, {}, { token }))).toEqual(["FORBIDDEN"]);
    } finally {
      await setRole("owner@acme.test", "owner");
    }
    expect((await t.gql(DEALS, {}, { token })).errors).toBeUndefined();
  });

  it("unknown or refused purposes add no entries", async () => {
    const token = await t.login("support@acme.test");
    await t.gql(DEALS, {}, { token, purpose: "customer_support" });
    const before = cachedAbilityCount(t.app.policies);
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) {
      const unknown = await t.gql(DEALS, {}, { token, purpose: `made-up-${i}-${"x".repeat(i)}` });
      expect(codes(unknown)).toEqual(["BAD_USER_INPUT"]);
    }
    // A real purpose the role may not use: refused, not compiled.
    expect(codes(await t.gql(DEALS, {}, { token, purpose: "billing" }))).toEqual(["FORBIDDEN"]);
    // At most the anonymous (refused-request) ability is new.
    expect(cachedAbilityCount(t.app.policies)).toBeLessThanOrEqual(before + 1);
  });
});
