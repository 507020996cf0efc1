import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { coverageGaps, loadCases, runCase } from "../../src/authz/policy-cases.js";
import { loadPolicies, POLICIES_DIR, PolicyError } from "../../src/authz/policy-loader.js";
import { registry } from "../../src/modules/registry.js";

const policies = loadPolicies(registry);
const cases = loadCases(policies);

describe("policy cases (policies/tests)", () => {
  for (const c of cases) {
    it(`${c.source} ${c.name}`, () => {
      expect(runCase(policies, c).failure).toBeUndefined();
    });
  }

  it("covers every rule with an allow case and a deny case, decided by the rule itself", () => {
    expect(
      coverageGaps(
        policies,
        cases.map((c) => runCase(policies, c)),
      ),
    ).toEqual([]);
  });

  it("has a test file for every role", () => {
    const files = new Set(cases.map((c) => c.source.split(":")[0]));
    expect([...files].sort()).toEqual([...policies.roles.keys()].map((r) => `policies/tests/${r}_test.yaml`).sort());
  });
});

describe("policy case loader", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A copy of policies/ whose sales_rep test file went through `edit`. */
  function broken(edit: (text: string) => string): string {
    const root = join(mkdtempSync(join(tmpdir(), "policy-cases-")), "policies");
    dirs.push(root);
    cpSync(POLICIES_DIR, root, { recursive: true });
    const file = join(root, "tests", "sales_rep_test.yaml");
    writeFileSync(file, edit(readFileSync(file, "utf8")));
    return root;
  }

  function problems(root: string): string {
    try {
      loadCases(policies, root);
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyError);
      return (error as PolicyError).message;
    }
    throw new Error("loadCases accepted a broken test file");
  }

  it("rejects an unknown key with file, case and line", () => {
    const root = broken((t) => t.replace("    expect: allow\n", "    expect: allow\n    priority: 1\n"));
    expect(problems(root)).toMatch(/policies\/tests\/sales_rep_test\.yaml:8: case "reads a contact of its workspace": unknown key "priority"/);
  });

  it("rejects a rule id that is not the role's, a gate or default.deny", () => {
    const root = broken((t) => t.replace("rule: sales_rep.contacts.no_delete", "rule: sales_rep.contacts.nodelete"));
    expect(problems(root)).toMatch(
      /sales_rep_test\.yaml:\d+: case "cannot delete a contact of its workspace": "sales_rep.contacts.nodelete" is not a rule of sales_rep/,
    );
  });

  it("rejects a covers entry naming another role's rule", () => {
    const root = broken((t) => t.replace("covers: [sales_rep.workspace.read]", "covers: [owner.manage_all]"));
    expect(problems(root)).toMatch(/"owner.manage_all" is not a rule of sales_rep or a gate/);
  });

  it("rejects unknown condition fields in an object, nested contact included", () => {
    const root = broken((t) => t.replace("contact: { objectedPurposes: [sales_pipeline] }", "contact: { objections: [sales_pipeline] }"));
    expect(problems(root)).toMatch(/"objections" is not a condition field of Contact/);
  });

  it("rejects unknown subjects, actions, fields and purposes", () => {
    const root = broken((t) =>
      t
        .replace("subject: Company\n", "subject: Firm\n")
        .replace("action: export\n", "action: sell\n")
        .replace("field: phone\n", "field: salary\n")
        .replace("purpose: customer_support\n", "purpose: cold_calling\n"),
    );
    const message = problems(root);
    for (const expected of ['unknown subject "Firm"', 'unknown action "sell"', 'unknown field "salary" for User', 'unknown purpose "cold_calling"']) {
      expect(message).toContain(expected);
    }
  });
});
