// Abilities are compiled once per principal, role, purpose, token scopes and policy set
// (cachedAbility), and each SQL filter once per ability (accessibleWhere). Whatever the ability
// depends on must be part of the key: a cached answer for another role, user, workspace, purpose,
// token scope or policy set would grant what the request may not have.
import { describe, expect, it } from "vitest";
import { PgDialect } from "drizzle-orm/pg-core";
import { buildAbility, cachedAbility, cachedAbilityCount, type Principal } from "../../src/authz/ability.js";
import { loadPolicies, type PolicySet } from "../../src/authz/policy-loader.js";
import { accessibleWhere } from "../../src/authz/sql-filter.js";
import { registry } from "../../src/modules/registry.js";

const policies = loadPolicies(registry);
const WS = "22222222-2222-4222-8222-222222222222";
const OTHER_WS = "33333333-3333-4333-8333-333333333333";
const USER = "11111111-1111-4111-8111-111111111111";
const OTHER_USER = "44444444-4444-4444-8444-444444444444";
const user = (over: Partial<Principal> = {}): Principal => ({ kind: "user", userId: USER, workspaceId: WS, role: "owner", email: "", name: "", ...over });
const rulesOf = (p: PolicySet, principal: Principal, purpose: string) => cachedAbility(p, principal, purpose).rules;
const built = (p: PolicySet, principal: Principal, purpose: string) => buildAbility(p, principal, purpose).rules;

describe("cachedAbility", () => {
  it("compiles once for the same principal, purpose and policy set", () => {
    expect(cachedAbility(policies, user(), "service_provision")).toBe(cachedAbility(policies, user({ email: "x@y.test", name: "X" }), "service_provision"));
  });

  // Each case asks first for one principal, then for one that differs in a single thing: the
  // second answer must be its own, not the first's.
  const cases: Array<[string, Principal, Principal, string, string]> = [
    ["a role change", user({ role: "owner" }), user({ role: "support" }), "customer_support", "customer_support"],
    ["a demotion to a role without the purpose", user({ role: "owner" }), user({ role: "marketing" }), "service_provision", "service_provision"],
    ["another user (rules name ${user.id})", user(), user({ userId: OTHER_USER }), "service_provision", "service_provision"],
    ["another workspace", user(), user({ workspaceId: OTHER_WS }), "service_provision", "service_provision"],
    ["another purpose", user(), user(), "service_provision", "legal_compliance"],
    ["a token instead of a session", user(), user({ kind: "token", tokenId: "t", scopes: ["contacts:read"] }), "service_provision", "service_provision"],
    [
      "other token scopes",
      user({ kind: "token", tokenId: "t", scopes: ["contacts:read"] }),
      user({ kind: "token", tokenId: "t", scopes: ["deals:read"] }),
      "service_provision",
      "service_provision",
    ],
    ["the system role held by a user", user({ role: "owner" }), user({ role: "system" }), "service_provision", "service_provision"],
  ];
  it.each(cases)("answers %s with the new principal's rules", (_what, first, second, purpose1, purpose2) => {
    rulesOf(policies, first, purpose1);
    expect(rulesOf(policies, second, purpose2)).toEqual(built(policies, second, purpose2));
    expect(rulesOf(policies, second, purpose2)).not.toEqual(built(policies, first, purpose1));
  });

  it("starts again for a reloaded policy set", () => {
    const before = cachedAbility(policies, user({ role: "support" }), "customer_support");
    // A reload that takes every rule away from support.
    const support = policies.roles.get("support")!;
    const reloaded: PolicySet = { ...policies, roles: new Map([...policies.roles, ["support", { ...support, rules: [] }]]) };
    const after = cachedAbility(reloaded, user({ role: "support" }), "customer_support");
    expect(after).not.toBe(before);
    expect(after.rules).toEqual(built(reloaded, user({ role: "support" }), "customer_support"));
    expect(after.can("read", "Contact")).toBe(false);
    expect(before.can("read", "Contact")).toBe(true);
  });
});

describe("cachedAbility bound", () => {
  it("keeps at most 1000 abilities per policy set, the most recently used", () => {
    // Its own policy set: the count is this test's alone (a compiled ability with its SQL
    // filters is about 100 kB, so the bound is about 100 MB whatever callers send).
    const own: PolicySet = { ...policies };
    const first = cachedAbility(own, user(), "service_provision");
    for (let i = 0; i < 1500; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
      cachedAbility(own, user({ userId: id }), "service_provision");
      if (i % 100 === 0) expect(cachedAbility(own, user(), "service_provision")).toBe(first);
    }
    expect(cachedAbilityCount(own)).toBe(1000);
    expect(cachedAbility(own, user({ userId: `00000000-0000-4000-8000-${String(0).padStart(12, "0")}` }), "service_provision")).toBeDefined();
    expect(cachedAbilityCount(own)).toBe(1000);
  });
});

describe("accessibleWhere per ability", () => {
  const text = (ability: ReturnType<typeof buildAbility>) => {
    const q = new PgDialect().sqlToQuery(accessibleWhere(registry, ability, "read", "Contact"));
    return { sql: q.sql, params: q.params };
  };
  it("is compiled per ability: another role or workspace gets its own filter", () => {
    const owner = text(cachedAbility(policies, user(), "service_provision"));
    const otherWorkspace = text(cachedAbility(policies, user({ workspaceId: OTHER_WS }), "service_provision"));
    const marketing = text(cachedAbility(policies, user({ role: "marketing" }), "marketing_email"));
    expect(otherWorkspace.params).toContain(OTHER_WS);
    expect(otherWorkspace.params).not.toContain(WS);
    expect(owner.params).toContain(WS);
    expect(marketing.sql).not.toBe(owner.sql);
    // And the same as a fresh compile.
    expect(text(buildAbility(policies, user({ role: "marketing" }), "marketing_email"))).toEqual(marketing);
  });
});
