import { subject } from "@casl/ability";
import { describe, expect, it } from "vitest";
import { buildAbility, buildRightsAbility, decide, type Principal } from "../../src/authz/ability.js";
import { loadPolicies, type PolicyRule, type PolicySet } from "../../src/authz/policy-loader.js";
import { registry } from "../../src/modules/registry.js";

const policies = loadPolicies(registry);
const me: Principal = {
  kind: "user",
  userId: "11111111-1111-4111-8111-111111111111",
  workspaceId: "22222222-2222-4222-8222-222222222222",
  role: "sales_rep",
  email: "",
  name: "",
};
const OTHER_WS = "33333333-3333-4333-8333-333333333333";

/** The shipped policies with one role's rules replaced. */
function withRules(role: string, rules: Array<Omit<PolicyRule, "source">>): PolicySet {
  const roles = new Map(policies.roles);
  roles.set(role, { ...policies.roles.get(role)!, rules: rules.map((r) => ({ ...r, source: "test" })) });
  return { ...policies, roles };
}

type Row = Record<string, unknown>;
const contact = (over: Row = {}) =>
  subject("Contact", { workspaceId: me.workspaceId, consentedPurposes: [], objectedPurposes: [], processingRestricted: false, erasedAt: null, ...over } as Row);

describe("buildAbility", () => {
  it("scopes every allow rule to the principal's workspace, whatever the rule says", () => {
    const set = withRules("sales_rep", [
      {
        id: "sales_rep.x",
        effect: "allow",
        actions: ["read"],
        subject: "Contact",
        conditions: { workspaceId: OTHER_WS },
        reason: "tries to reach another tenant",
      },
    ]);
    const ability = buildAbility(set, me, "sales_pipeline");
    expect(ability.can("read", contact())).toBe(true);
    expect(ability.can("read", contact({ workspaceId: OTHER_WS }))).toBe(false);
  });

  it("lets a deny win whatever the order of the rules", () => {
    const allow = { id: "sales_rep.a", effect: "allow" as const, actions: ["delete" as const], subject: "Contact" as const, reason: "allow deleting contacts" };
    const deny = { id: "sales_rep.d", effect: "deny" as const, actions: ["delete" as const], subject: "Contact" as const, reason: "deny deleting contacts" };
    for (const rules of [
      [allow, deny],
      [deny, allow],
    ]) {
      const ability = buildAbility(withRules("sales_rep", rules), me, "sales_pipeline");
      expect(decide(ability, "delete", "Contact", contact())).toMatchObject({ allowed: false, rule: "sales_rep.d" });
    }
  });

  it("interpolates the principal's user id into conditions", () => {
    const set = withRules("sales_rep", [
      { id: "sales_rep.own", effect: "allow", actions: ["update"], subject: "Deal", conditions: { ownerId: "${user.id}" }, reason: "own deals only" },
    ]);
    const ability = buildAbility(set, me, "sales_pipeline");
    expect(ability.can("update", subject("Deal", { workspaceId: me.workspaceId, ownerId: me.userId } as Row))).toBe(true);
    expect(ability.can("update", subject("Deal", { workspaceId: me.workspaceId, ownerId: OTHER_WS } as Row))).toBe(false);
  });

  it("grants nothing for an unknown role, an unknown purpose, or a purpose the role may not use", () => {
    for (const [role, purpose] of [
      ["nobody", "sales_pipeline"],
      ["sales_rep", "nope"],
      ["sales_rep", "marketing_email"],
      ["sales_rep", ""],
    ]) {
      const ability = buildAbility(policies, { ...me, role }, purpose);
      expect(ability.rules).toEqual([]);
      expect(decide(ability, "read", "Contact", contact()).rule).toBe("default.deny");
    }
  });

  it("derives the purpose gates for every role, the owner included", () => {
    const owner = { ...me, role: "owner" };
    expect(decide(buildAbility(policies, owner, "marketing_email"), "read", "Contact", contact()).rule).toBe("gate.consent.marketing_email");
    expect(decide(buildAbility(policies, owner, "marketing_email"), "read", "Contact", contact({ consentedPurposes: ["marketing_email"] })).allowed).toBe(true);
    expect(decide(buildAbility(policies, owner, "sales_pipeline"), "update", "Contact", contact({ objectedPurposes: ["sales_pipeline"] })).rule).toBe(
      "gate.objection.sales_pipeline",
    );
    expect(decide(buildAbility(policies, owner, "customer_support"), "read", "Contact", contact({ objectedPurposes: ["sales_pipeline"] })).allowed).toBe(true);
    expect(decide(buildAbility(policies, owner, "service_provision"), "read", "Contact", contact({ processingRestricted: true })).rule).toBe(
      "gate.restriction.service_provision",
    );
    expect(decide(buildAbility(policies, owner, "legal_compliance"), "read", "Contact", contact({ processingRestricted: true })).allowed).toBe(true);
    expect(decide(buildAbility(policies, owner, "service_provision"), "read", "Contact", contact({ erasedAt: new Date() })).rule).toBe(
      "gate.erasure.service_provision",
    );
    expect(decide(buildAbility(policies, owner, "legal_compliance"), "read", "Contact", contact({ erasedAt: new Date() })).allowed).toBe(true);
  });

  it("applies the gates to a person's deals and interactions through the linked contact", () => {
    const ability = buildAbility(policies, me, "sales_pipeline");
    const person = { consentedPurposes: [], objectedPurposes: [], processingRestricted: true, erasedAt: null };
    expect(decide(ability, "read", "Deal", subject("Deal", { workspaceId: me.workspaceId, contact: person } as Row)).rule).toBe(
      "gate.restriction.sales_pipeline",
    );
    expect(ability.can("read", subject("Deal", { workspaceId: me.workspaceId } as Row))).toBe(true);
    const marketing = buildAbility(policies, { ...me, role: "marketing" }, "marketing_sms");
    const sms = { kind: "sms", purpose: "marketing_sms", workspaceId: me.workspaceId };
    expect(
      marketing.can(
        "create",
        subject("Interaction", { ...sms, contact: { ...person, processingRestricted: false, consentedPurposes: ["marketing_sms"] } } as Row),
      ),
    ).toBe(true);
    expect(
      marketing.can(
        "create",
        subject("Interaction", { ...sms, contact: { ...person, processingRestricted: false, consentedPurposes: ["marketing_email"] } } as Row),
      ),
    ).toBe(false);
  });

  it("finds people for rights operations under legal_compliance, whatever their state", () => {
    const rights = buildRightsAbility(policies, { ...me, role: "marketing" });
    expect(rights.can("withdraw_consent", contact({ processingRestricted: true, objectedPurposes: ["analytics"] }))).toBe(true);
    expect(rights.can("grant_consent", contact({ processingRestricted: true, objectedPurposes: ["analytics"] }))).toBe(true);
    expect(rights.can("withdraw_consent", contact({ workspaceId: OTHER_WS }))).toBe(false);
    expect(rights.can("erase", contact())).toBe(false);
  });
});

describe("tombstones", () => {
  it("serves an erased person under legal_compliance without any personal field", () => {
    const ability = buildAbility(policies, { ...me, role: "dpo" }, "legal_compliance");
    const erased = contact({ erasedAt: new Date(), firstName: "Gone" });
    expect(ability.can("read", erased)).toBe(true);
    for (const field of ["firstName", "lastName", "email", "phone", "position"]) {
      expect(decide(ability, "read", "Contact", erased, field)).toMatchObject({ allowed: false, rule: "gate.tombstone.legal_compliance" });
    }
    expect(ability.can("read", erased, "processingRestricted")).toBe(true);
    expect(ability.can("read", contact(), "email")).toBe(true);
  });
});
