import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicies, POLICIES_DIR, PolicyError } from "../../src/authz/policy-loader.js";
import { registry } from "../../src/modules/registry.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** 1-based line of the first occurrence of `needle`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  expect(at, `"${needle}" in the fixture`).toBeGreaterThanOrEqual(0);
  return text.slice(0, at).split("\n").length;
}

interface Fixture {
  /** The policies root, a modified copy of policies/. */
  root: string;
  /** The modified file's text. */
  text: string;
}

/** Copies policies/ to a temp dir and replaces `from` with `to` in roles/<role>.yaml. */
function fixture(role: string, from: string, to: string): Fixture {
  const root = join(mkdtempSync(join(tmpdir(), "policy-loader-")), "policies");
  dirs.push(root);
  cpSync(POLICIES_DIR, root, { recursive: true });
  const file = join(root, "roles", `${role}.yaml`);
  const original = readFileSync(file, "utf8");
  expect(original, `fixture for ${role}.yaml`).toContain(from);
  const text = original.replace(from, to);
  writeFileSync(file, text);
  return { root, text };
}

function loadError(root: string): string {
  try {
    loadPolicies(registry, root);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).message;
  }
  throw new Error("loadPolicies accepted a broken policy");
}

describe("loadPolicies", () => {
  it("loads the shipped policies", () => {
    const policies = loadPolicies(registry);
    expect([...policies.roles.keys()].sort()).toEqual(["auditor", "dpo", "marketing", "owner", "sales_rep", "support", "system"]);
    expect(policies.purposes.has("legal_compliance")).toBe(true);
    for (const rule of policies.rulesById.values()) expect(rule.source).toMatch(/^policies\/roles\/[a-z_]+\.yaml:\d+$/);
  });

  it("rejects an unknown key", () => {
    const f = fixture(
      "sales_rep",
      "  - id: sales_rep.companies.work\n    effect: allow\n",
      "  - id: sales_rep.companies.work\n    effect: allow\n    priority: 1\n",
    );
    const line = lineOf(f.text, "- id: sales_rep.companies.work");
    expect(loadError(f.root)).toContain(`policies/roles/sales_rep.yaml:${line}: rule sales_rep.companies.work: unknown key "priority"`);
  });

  it("rejects an unknown subject", () => {
    const f = fixture("sales_rep", "    subject: Company\n", "    subject: Firm\n");
    const line = lineOf(f.text, "subject: Firm");
    expect(loadError(f.root)).toContain(`policies/roles/sales_rep.yaml:${line}: rule sales_rep.companies.work: unknown subject "Firm"`);
  });

  it("rejects an unknown action", () => {
    const f = fixture(
      "sales_rep",
      "  - id: sales_rep.deals.work\n    effect: allow\n    actions: [read, create, update, delete]",
      "  - id: sales_rep.deals.work\n    effect: allow\n    actions: [read, create, update, delete, archive]",
    );
    const line = lineOf(f.text, "archive");
    expect(loadError(f.root)).toContain(`policies/roles/sales_rep.yaml:${line}: rule sales_rep.deals.work: unknown action "archive"`);
  });

  it("rejects an unknown field", () => {
    const f = fixture("sales_rep", "fields: [id, name, email, role, workspace]", "fields: [id, name, email, role, workspace, salary]");
    const line = lineOf(f.text, "salary");
    expect(loadError(f.root)).toContain(`policies/roles/sales_rep.yaml:${line}: rule sales_rep.users.read: unknown field "salary" for User`);
  });

  it.each([
    ["$regex", '      ownerId: { $regex: "^u-" }\n', /unknown or unsupported operator "\$regex"/],
    ["$where", '      $where: "this.ownerId == 1"\n', /operator "\$where" is not allowed at the top of conditions/],
  ])("rejects the %s operator", (operator, condition, message) => {
    const f = fixture("sales_rep", "    subject: Company\n", `    subject: Company\n    conditions:\n${condition}`);
    const line = lineOf(f.text, operator);
    const error = loadError(f.root);
    expect(error).toContain(`policies/roles/sales_rep.yaml:${line}: rule sales_rep.companies.work: `);
    expect(error).toMatch(message);
  });

  it.each([
    ["manage", "    actions: [read]\n    subject: Workspace\n", "    actions: [manage]\n    subject: Workspace\n", "actions: [manage]"],
    ["all", "    actions: [read]\n    subject: Workspace\n", "    actions: [read]\n    subject: all\n", "subject: all"],
  ])("rejects the %s wildcard outside the owner role", (_, from, to, needle) => {
    const f = fixture("sales_rep", from, to);
    const line = lineOf(f.text, needle);
    expect(loadError(f.root)).toContain(
      `policies/roles/sales_rep.yaml:${line}: rule sales_rep.workspace.read: wildcards (manage, all) are for the owner role only`,
    );
  });

  it("rejects a duplicate rule id", () => {
    const f = fixture("sales_rep", "  - id: sales_rep.deals.work\n", "  - id: sales_rep.companies.work\n");
    const first = lineOf(f.text, "- id: sales_rep.companies.work");
    const second = f.text.split("\n").findIndex((l, i) => i + 1 > first && l.includes("id: sales_rep.companies.work")) + 1;
    expect(loadError(f.root)).toContain(
      `policies/roles/sales_rep.yaml:${second}: rule sales_rep.companies.work: duplicate rule id (also at policies/roles/sales_rep.yaml:${first})`,
    );
  });

  it("rejects an unknown purpose in a role", () => {
    const f = fixture(
      "sales_rep",
      "purposes: [service_provision, sales_pipeline, customer_support]",
      "purposes: [service_provision, sales_pipeline, customer_support, cold_calling]",
    );
    const line = lineOf(f.text, "cold_calling");
    expect(loadError(f.root)).toContain(`policies/roles/sales_rep.yaml:${line}: unknown purpose "cold_calling"`);
  });

  it("rejects a deny rule that masks a non-null field", () => {
    const f = fixture("auditor", "    fields: [email, phone]\n", "    fields: [email, phone, id]\n");
    const line = lineOf(f.text, "fields: [email, phone, id]");
    expect(loadError(f.root)).toContain(
      `policies/roles/auditor.yaml:${line}: rule auditor.contacts.mask_details: "id" is non-null in the API and cannot be masked`,
    );
  });
});

describe("condition shapes SQL and can() could read differently", () => {
  const LOG_RULE = "      ownerId: ${user.id}\n      kind: { $in: [call, email, note] }\n";

  /** Replaces the conditions of support.interactions.log and returns the first problem's text. */
  function refused(conditions: string, needle: string): { line: number; error: string } {
    const f = fixture("support", LOG_RULE, conditions);
    return { line: lineOf(f.text, needle), error: loadError(f.root) };
  }

  it.each([
    ["an empty operator object (stage: {})", "      kind: {}\n", "kind: {}", /an empty operator object compares nothing/],
    ["a nested operator object as an operand", "      kind: { $eq: { $in: [call] } }\n", "kind: {", /"\$eq" needs a single value|operands are plain values/],
    ["an operator object inside a list", "      kind: { $in: [{ $eq: call }] }\n", "kind: {", /operands are plain values: no nested lists or operator objects/],
    ["a list inside a list", "      kind: { $in: [[call, email]] }\n", "kind: {", /operands are plain values/],
    ["a bare list where a scalar is expected", "      kind: [call, email]\n", "kind: [", /a bare list is ambiguous: write \{ \$in: \[\.\.\.\] \}/],
    ["a scalar where a list is expected", "      kind: { $in: call }\n", "kind: {", /"\$in" needs a list/],
    ["a list where a scalar is expected", "      kind: { $ne: [call] }\n", "kind: {", /"\$ne" needs a single value/],
    ["$all on a field that is not an array", "      kind: { $all: [call] }\n", "kind: {", /"\$all" needs an array field/],
    ["a number where a string is expected", "      kind: 3\n", "kind: 3", /3: needs a string/],
    [
      "a key inherited from Object.prototype (constructor)",
      "      constructor: call\n",
      "constructor:",
      /unknown condition field "constructor" for Interaction/,
    ],
    [
      "a key inherited from Object.prototype through a relation",
      "      constructor.processingRestricted: true\n",
      "constructor.",
      /unknown condition field "constructor\.processingRestricted"/,
    ],
    ["__proto__ as a field", '      "__proto__": call\n', "__proto__", /unknown condition field "__proto__"/],
    [
      "a relation written as a nested object",
      "      contact: { processingRestricted: true }\n",
      "contact:",
      /unknown condition field "contact" for Interaction \(write contact\.<field>/,
    ],
    ["a lone surrogate in a string", '      kind: "\\ud800"\n', "kind:", /is not well-formed Unicode/],
  ])("refuses %s, naming file, line and rule", (_, conditions, needle, message) => {
    const { line, error } = refused(conditions, needle);
    expect(error).toContain(`policies/roles/support.yaml:${line}: rule support.interactions.log: `);
    expect(error).toMatch(message);
  });

  it("refuses empty conditions (conditions: {})", () => {
    const f = fixture("support", `    conditions:\n${LOG_RULE}`, "    conditions: {}\n");
    const line = lineOf(f.text, "conditions: {}");
    expect(loadError(f.root)).toContain(`policies/roles/support.yaml:${line}: rule support.interactions.log: conditions must NOT have fewer than 1 properties`);
  });

  it("accepts empty lists ($in: [], $nin: [], $all: []): SQL and can() read them alike (sql-filter.test.ts proves it)", () => {
    const f = fixture("support", LOG_RULE, "      ownerId: { $nin: [] }\n      kind: { $in: [] }\n");
    expect(() => loadPolicies(registry, f.root)).not.toThrow();
  });
});

describe("action aliases", () => {
  it("expands manage_consent into grant_consent and withdraw_consent", () => {
    const f = fixture("support", "    actions: [withdraw_consent]\n", "    actions: [manage_consent]\n");
    const rule = loadPolicies(registry, f.root).rulesById.get("support.contacts.withdraw_consent")!;
    expect(rule.actions).toEqual(["grant_consent", "withdraw_consent"]);
  });

  it("lists each action once when an alias and one of its actions are both named", () => {
    const f = fixture("marketing", "    actions: [grant_consent, withdraw_consent]\n", "    actions: [withdraw_consent, manage_consent]\n");
    expect(loadPolicies(registry, f.root).rulesById.get("marketing.contacts.consent")!.actions).toEqual(["withdraw_consent", "grant_consent"]);
  });
});
