import { createMongoAbility } from "@casl/ability";
import { describe, expect, it } from "vitest";
import { checksumOf, newApiToken, parseApiToken } from "../../src/auth/api-tokens.js";
import { type AppAbility, buildAbility, type Principal } from "../../src/authz/ability.js";
import { loadPolicies } from "../../src/authz/policy-loader.js";
import { allScopes, scopeFor, scopeGrants, scopeNoun, scopeRules } from "../../src/authz/scopes.js";
import { registry } from "../../src/modules/registry.js";

describe("API token format", () => {
  it("refuses any single-character typo by its checksum", () => {
    const { token, lookup } = newApiToken();
    expect(parseApiToken(token)).toBe(lookup);
    for (let i = 5; i < token.length; i++) {
      const typo = `${token.slice(0, i)}${token[i] === "a" ? "b" : "a"}${token.slice(i + 1)}`;
      expect(parseApiToken(typo), `position ${i}`).toBeUndefined();
    }
    expect(parseApiToken(token.slice(0, -1))).toBeUndefined();
    expect(parseApiToken(`acrs_${token.slice(5)}`)).toBeUndefined();
    const body = `acrm_${"A".repeat(51)}`;
    expect(parseApiToken(`${body}${checksumOf(body)}`)).toBe("AAAAAAAA");
  });

  it("draws different tokens every time", () => {
    const seen = new Set(Array.from({ length: 200 }, () => newApiToken().token));
    expect(seen.size).toBe(200);
  });
});

describe("token scopes", () => {
  it("names subjects in plural snake_case", () => {
    expect(["Contact", "Company", "ConsentEvent", "AuditEntry", "Breach", "ApiToken", "PrivacyRequest"].map(scopeNoun)).toEqual([
      "contacts",
      "companies",
      "consent_events",
      "audit_entries",
      "breaches",
      "api_tokens",
      "privacy_requests",
    ]);
    expect(scopeFor("Deal", "delete")).toBe("deals:write");
    expect(scopeFor("Contact", "withdraw_consent")).toBe("consents:withdraw");
    expect(scopeFor("Contact", "issue_unsubscribe_link")).toBeUndefined();
    expect(allScopes(registry)).toContain("contacts:erase");
    expect(scopeGrants(registry, "contacts:admin")).toBeUndefined();
    expect(scopeGrants(registry, "deals:write")?.map((g) => g.action)).toEqual(["create", "update", "delete"]);
  });

  it("a token's ability is the role's rules cut to its scopes", () => {
    const policies = loadPolicies(registry);
    const base: Principal = { kind: "user", userId: "u1", workspaceId: "w1", role: "owner", email: "", name: "" };
    const token: Principal = { ...base, kind: "token", tokenId: "t1", scopes: ["contacts:read", "consents:withdraw"] };
    const user = buildAbility(policies, base, "service_provision");
    const scoped = buildAbility(policies, token, "service_provision");
    expect(user.can("create", "Contact")).toBe(true);
    expect(scoped.can("read", "Contact")).toBe(true);
    expect(scoped.can("create", "Contact")).toBe(false);
    expect(scoped.can("read", "Deal")).toBe(false);
    // Scopes never widen: a sales rep's token with contacts:erase still cannot erase.
    const rep: Principal = { ...token, role: "sales_rep", scopes: ["contacts:erase"] };
    expect(buildAbility(policies, rep, "sales_pipeline").can("erase", "Contact")).toBe(false);
    const only = createMongoAbility<AppAbility>(scopeRules(registry, []));
    expect(only.can("read", "Contact")).toBe(false);
  });
});
