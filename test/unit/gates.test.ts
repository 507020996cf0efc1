// The gate table (src/authz/gates.ts) is the one declaration of every purpose gate: abilities,
// explainAccess and the README table come from it. Each gate is checked here with a row that
// passes and a row that it denies, on the shipped policies.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { subject } from "@casl/ability";
import { describe, expect, it } from "vitest";
import { buildAbility, buildRightsAbility, decide, SELF_CONSENT, SELF_PROFILE, type Principal } from "../../src/authz/ability.js";
import { explainGates, GATES, withGatesTable } from "../../src/authz/gates.js";
import { loadPolicies, POLICIES_DIR } from "../../src/authz/policy-loader.js";
import { registry } from "../../src/modules/registry.js";

const policies = loadPolicies(registry);
const WS = "22222222-2222-4222-8222-222222222222";
const as = (role: string): Principal => ({ kind: "user", userId: "11111111-1111-4111-8111-111111111111", workspaceId: WS, role, email: "", name: "" });
const person = (over: Record<string, unknown> = {}) => ({ consentedPurposes: [], objectedPurposes: [], processingRestricted: false, erasedAt: null, ...over });
const row = (name: string, over: Record<string, unknown> = {}) => subject(name, { workspaceId: WS, ...over } as Record<string, unknown>);

describe("gate table", () => {
  it("is what policies/README.md shows (npm run policy:readme regenerates it)", () => {
    const text = readFileSync(join(POLICIES_DIR, "README.md"), "utf8");
    expect(withGatesTable(text)).toBe(text);
  });

  it("gives every gate a distinct kind", () => {
    expect(new Set(GATES.map((g) => g.kind)).size).toBe(GATES.length);
  });
});

describe("purpose-bound writes", () => {
  it("writes a subject only under a purpose that lists it (deals serve sales_pipeline)", () => {
    const deal = row("Deal", { contact: person() });
    expect(decide(buildAbility(policies, as("owner"), "sales_pipeline"), "create", "Deal", deal).allowed).toBe(true);
    for (const purpose of ["service_provision", "customer_support", "legal_compliance"]) {
      expect(decide(buildAbility(policies, as("owner"), purpose), "create", "Deal", deal)).toMatchObject({ allowed: false, rule: `gate.writes.${purpose}` });
    }
  });

  it("changes no contact field under legal_compliance, and records only notes there", () => {
    const owner = buildAbility(policies, as("owner"), "legal_compliance");
    expect(decide(owner, "update", "Contact", row("Contact", person()), "firstName")).toMatchObject({ allowed: false, rule: "gate.writes.legal_compliance" });
    const note = row("Interaction", { kind: "note", purpose: "legal_compliance", contact: person({ processingRestricted: true }) });
    expect(owner.can("create", note)).toBe(true);
    const email = row("Interaction", { kind: "email", purpose: "legal_compliance", contact: person({ processingRestricted: true }) });
    expect(decide(owner, "create", "Interaction", email)).toMatchObject({ allowed: false, rule: "gate.interaction_kind.legal_compliance" });
  });

  it("writes an interaction only under the purpose it serves", () => {
    const ability = buildAbility(policies, as("owner"), "service_provision");
    expect(ability.can("update", row("Interaction", { kind: "call", purpose: "service_provision", contact: person() }))).toBe(true);
    expect(decide(ability, "update", "Interaction", row("Interaction", { kind: "call", purpose: "sales_pipeline", contact: person() }))).toMatchObject({
      allowed: false,
      rule: "gate.record_purpose.service_provision",
    });
  });

  it("records on a consent channel only that channel's messages", () => {
    const sms = buildAbility(policies, as("owner"), "marketing_sms");
    const consenting = person({ consentedPurposes: ["marketing_sms"] });
    expect(sms.can("create", row("Interaction", { kind: "sms", purpose: "marketing_sms", contact: consenting }))).toBe(true);
    expect(decide(sms, "create", "Interaction", row("Interaction", { kind: "email", purpose: "marketing_sms", contact: consenting }))).toMatchObject({
      allowed: false,
      rule: "gate.interaction_kind.marketing_sms",
    });
  });
});

describe("purpose limitation for every category and subject", () => {
  it("masks consent proof outside consent_records, and keeps the state readable", () => {
    const marketing = buildAbility(policies, as("marketing"), "marketing_email");
    const event = row("ConsentEvent", { purpose: "marketing_email", contact: person({ consentedPurposes: ["marketing_email"] }) });
    expect(decide(marketing, "read", "ConsentEvent", event, "state").allowed).toBe(true);
    for (const field of ["subjectIp", "subjectUserAgent", "evidence"]) {
      expect(decide(marketing, "read", "ConsentEvent", event, field)).toMatchObject({ allowed: false, rule: "gate.data_category.marketing_email" });
    }
    expect(decide(buildAbility(policies, as("dpo"), "legal_compliance"), "read", "ConsentEvent", event, "subjectIp").allowed).toBe(true);
    // The proof's IP address is network data and consent records: security covers only the first.
    expect(decide(buildAbility(policies, as("owner"), "security"), "read", "ConsentEvent", event, "subjectIp")).toMatchObject({
      allowed: false,
      rule: "gate.data_category.security",
    });
  });

  it("keeps an erased person's consent proof out of reach under legal_compliance too (tombstone)", () => {
    const dpo = buildAbility(policies, as("dpo"), "legal_compliance");
    const erased = row("ConsentEvent", { purpose: "marketing_email", contact: person({ erasedAt: new Date() }) });
    for (const field of ["subjectIp", "subjectUserAgent", "evidence"]) {
      expect(decide(dpo, "read", "ConsentEvent", erased, field)).toMatchObject({ allowed: false, rule: "gate.tombstone.legal_compliance" });
    }
    expect(decide(dpo, "read", "ConsentEvent", erased, "state").allowed).toBe(true);
  });

  it("keeps the audit log out of purposes without the audit category", () => {
    expect(buildAbility(policies, as("auditor"), "legal_compliance").can("read", row("AuditEntry"))).toBe(true);
    expect(decide(buildAbility(policies, as("owner"), "marketing_email"), "read", "AuditEntry", row("AuditEntry"))).toMatchObject({ allowed: false });
    expect(decide(buildAbility(policies, as("owner"), "service_provision"), "read", "AuditEntry", row("AuditEntry"))).toMatchObject({
      allowed: false,
      rule: "gate.data_category.service_provision",
    });
  });

  it("hides colleagues under a purpose that does not process users, and usage data outside usage", () => {
    const colleague = row("User", { id: "44444444-4444-4444-8444-444444444444" });
    expect(decide(buildAbility(policies, as("sales_rep"), "sales_pipeline"), "read", "User", colleague, "email")).toMatchObject({
      allowed: false,
      rule: "gate.data_subjects.sales_pipeline",
    });
    expect(decide(buildAbility(policies, as("sales_rep"), "service_provision"), "read", "User", colleague, "email").allowed).toBe(true);
    expect(decide(buildAbility(policies, as("dpo"), "legal_compliance"), "read", "User", colleague, "lastLoginAt")).toMatchObject({
      allowed: false,
      rule: "gate.data_category.legal_compliance",
    });
  });

  it("always lets a user read their own profile, every field, under any purpose", () => {
    const principal = as("auditor");
    const self = row("User", { id: principal.userId });
    for (const purpose of ["legal_compliance", "security"]) {
      const ability = buildAbility(policies, principal, purpose);
      for (const field of registry.get("User").fieldNames)
        expect(decide(ability, "read", "User", self, field), `${purpose} ${field}`).toMatchObject({ allowed: true });
    }
    expect(decide(buildAbility(policies, principal, "legal_compliance"), "read", "User", self, "email").rule).toBe(SELF_PROFILE);
    // Only reading: the own profile grants no write.
    expect(buildAbility(policies, principal, "legal_compliance").can("update", self)).toBe(false);
  });

  it("gates account holders by their own consent under a consent purpose, and nowhere else", () => {
    const colleague = (consentedPurposes: string[]) => row("User", { id: "33333333-3333-4333-8333-333333333333", consentedPurposes });
    const email = buildAbility(policies, as("owner"), "marketing_email");
    expect(decide(email, "read", "User", colleague([]))).toMatchObject({ allowed: false, rule: "gate.consent.marketing_email" });
    expect(decide(email, "read", "User", colleague(["marketing_sms"]))).toMatchObject({ allowed: false, rule: "gate.consent.marketing_email" });
    expect(decide(email, "read", "User", colleague(["marketing_email"])).allowed).toBe(true);
    expect(decide(buildAbility(policies, as("owner"), "service_provision"), "read", "User", colleague([])).allowed).toBe(true);
    // The gate never hides a user from themselves, and they act on their own consent only.
    const principal = as("marketing");
    const self = row("User", { id: principal.userId, consentedPurposes: [] });
    expect(decide(buildAbility(policies, principal, "marketing_email"), "read", "User", self).rule).toBe(SELF_PROFILE);
    expect(decide(buildAbility(policies, principal, "marketing_email"), "grant_consent", "User", self).rule).toBe(SELF_CONSENT);
    expect(decide(buildAbility(policies, principal, "analytics"), "withdraw_consent", "User", colleague(["marketing_email"])).allowed).toBe(false);
  });
});

describe("explainGates", () => {
  it("explains each person gate for one record, in the table's words", () => {
    const purpose = policies.purposes.get("sales_pipeline")!;
    const checks = explainGates(purpose, registry.get("Deal"), {}, person({ objectedPurposes: ["sales_pipeline"] }));
    expect(checks.find((c) => c.check === "objection")).toMatchObject({ outcome: "deny" });
    expect(checks.find((c) => c.check === "restriction")).toMatchObject({ outcome: "pass" });
    expect(checks.find((c) => c.check === "data_category")).toMatchObject({ outcome: "pass" });
    expect(explainGates(purpose, registry.get("Deal"), {}, undefined).find((c) => c.check === "objection")).toMatchObject({ outcome: "n/a" });
  });
});

describe("the system principal", () => {
  const system: Principal = { kind: "system", userId: "", workspaceId: WS, role: "system", email: "", name: "Alpha CRM (system)" };

  it("reads a person's privacy state and withdraws consent, under policies/roles/system.yaml", () => {
    const ability = buildAbility(policies, system, "legal_compliance");
    const person = row("Contact", { consentedPurposes: ["marketing_email"], objectedPurposes: [], processingRestricted: false, erasedAt: null });
    expect(decide(ability, "read", "Contact", person, "consents").allowed).toBe(true);
    expect(decide(ability, "read", "Contact", person, "email").allowed).toBe(false);
    expect(buildRightsAbility(policies, system).can("withdraw_consent", person)).toBe(true);
    expect(buildRightsAbility(policies, system).can("grant_consent", person)).toBe(false);
  });

  it("is never a user's role, and the system holds no user's role (fail closed)", () => {
    const person = row("Contact", { consentedPurposes: [], objectedPurposes: [], processingRestricted: false, erasedAt: null });
    const userWithSystemRole: Principal = { ...system, kind: "user", userId: "11111111-1111-4111-8111-111111111111" };
    expect(buildAbility(policies, userWithSystemRole, "legal_compliance").can("read", person)).toBe(false);
    expect(buildRightsAbility(policies, userWithSystemRole).can("withdraw_consent", person)).toBe(false);
    expect(buildAbility(policies, { ...system, role: "owner" }, "legal_compliance").can("read", person)).toBe(false);
  });
});
