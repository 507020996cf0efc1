// policy:diff and policy:lint logic on modified copies of policies/ (no git history needed).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { implies, policyDiff } from "../../src/authz/policy-diff.js";
import { lintPolicies, unsatisfiable } from "../../src/authz/policy-lint.js";
import { loadPolicies, POLICIES_DIR } from "../../src/authz/policy-loader.js";
import { registry } from "../../src/modules/registry.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of policies/ with `from` replaced by `to` in each named file. */
function fixture(edits: Array<[file: string, from: string, to: string]>): string {
  const root = join(mkdtempSync(join(tmpdir(), "policy-review-")), "policies");
  dirs.push(root);
  cpSync(POLICIES_DIR, root, { recursive: true });
  for (const [file, from, to] of edits) {
    const path = join(root, file);
    const text = readFileSync(path, "utf8");
    expect(text, `fixture for ${file}`).toContain(from);
    writeFileSync(path, text.replace(from, to));
  }
  return root;
}

const shipped = loadPolicies(registry);
const labels = { from: "before", to: "after" };

const WIDEN_DELETE: Array<[string, string, string]> = [
  ["roles/sales_rep.yaml", "    actions: [read, create, update]\n    subject: Contact", "    actions: [read, create, update, delete]\n    subject: Contact"],
  [
    "roles/sales_rep.yaml",
    "  - id: sales_rep.contacts.no_delete\n    effect: deny\n    actions: [delete]\n    subject: Contact\n    reason: Sales reps cannot delete contacts; deleting a person's record is for an owner, who answers for it.\n",
    "",
  ],
];

describe("policyDiff", () => {
  it("no change between a folder and itself", () => {
    const diff = policyDiff(shipped, shipped, labels);
    expect(diff).toMatchObject({ widened: false, grants: [], declarations: [] });
  });

  it("widening sales_rep to delete Contact is a gained grant under each of its purposes, and widens", () => {
    const wide = loadPolicies(registry, fixture(WIDEN_DELETE));
    const diff = policyDiff(shipped, wide, labels);
    expect(diff.widened).toBe(true);
    const gained = diff.grants.filter((g) => g.kind === "gained" && g.role === "sales_rep" && g.action === "delete" && g.subject === "Contact" && g.row);
    expect(gained.map((g) => g.purpose).sort()).toEqual(["customer_support", "sales_pipeline", "service_provision"]);
    expect(gained[0].after.rule).toBe("sales_rep.contacts.work");
    expect(gained[0].before.rule).toBe("sales_rep.contacts.no_delete");
    expect(diff.grants.every((g) => g.role === "sales_rep")).toBe(true);

    const back = policyDiff(wide, shipped, labels);
    expect(back.widened).toBe(false);
    expect(back.grants.filter((g) => g.kind === "lost" && g.action === "delete" && g.subject === "Contact").length).toBe(3);
  });

  it("a purpose gaining a data category widens every role that uses it; losing it narrows", () => {
    const wide = loadPolicies(
      registry,
      fixture([["purposes.yaml", "dataCategories: [usage, network]\n", "dataCategories: [usage, network, business_records]\n"]]),
    );
    const diff = policyDiff(shipped, wide, labels);
    expect(diff.widened).toBe(true);
    expect(diff.declarations).toContainEqual({ kind: "purpose", id: "analytics", what: "dataCategories +business_records", widens: false });
    expect(diff.grants).toContainEqual(expect.objectContaining({ kind: "gained", role: "owner", purpose: "analytics", action: "read", subject: "Deal" }));
    expect(policyDiff(wide, shipped, labels).widened).toBe(false);
  });

  it("a condition list that shrinks narrows, one that grows widens; a changed basis shows the consent gate going", () => {
    const narrow = loadPolicies(registry, fixture([["roles/sales_rep.yaml", "kind: { $in: [call, email, meeting, note] }", "kind: { $in: [call, email] }"]]));
    const d = policyDiff(shipped, narrow, labels);
    expect(d.widened).toBe(false);
    expect(new Set(d.grants.map((g) => g.kind))).toEqual(new Set(["narrowed"]));
    expect(new Set(policyDiff(narrow, shipped, labels).grants.map((g) => g.kind))).toEqual(new Set(["widened"]));

    const basis = loadPolicies(
      registry,
      fixture([["purposes.yaml", "    lawfulBasis: consent\n    channel: sms\n", "    lawfulBasis: legitimate_interest\n"]]),
    );
    const b = policyDiff(shipped, basis, labels);
    expect(b.widened).toBe(true);
    expect(b.declarations).toContainEqual(expect.objectContaining({ id: "marketing_sms", what: "lawfulBasis: consent -> legitimate_interest" }));
    expect(b.grants.some((g) => g.purpose === "marketing_sms" && g.before.unless.some((u) => u.includes("consentedPurposes")))).toBe(true);
  });

  it("implies compares conditions operator by operator", () => {
    expect(implies('{"kind":{"$in":["call"]}}', '{"kind":{"$in":["call","email"]}}')).toBe(true);
    expect(implies('{"kind":{"$in":["call","sms"]}}', '{"kind":{"$in":["call","email"]}}')).toBe(false);
    expect(implies('{"kind":"call","ownerId":"u"}', '{"kind":{"$in":["call"]}}')).toBe(true);
    expect(implies("always", '{"kind":"call"}')).toBe(false);
    expect(implies('{"kind":"call"}', "always")).toBe(true);
    expect(implies('{"tags":{"$nin":["a","b"]}}', '{"tags":{"$nin":["a"]}}')).toBe(true);
  });
});

describe("lintPolicies", () => {
  it("the shipped policies lint clean", () => {
    expect(lintPolicies(shipped, POLICIES_DIR)).toEqual([]);
  });

  it("reports a rule shadowed by a wider rule of the same effect with both rule ids, file and line", () => {
    const root = fixture([
      [
        "roles/sales_rep.yaml",
        "  - id: sales_rep.users.read",
        "  - id: sales_rep.deals.read\n    effect: allow\n    actions: [read]\n    subject: Deal\n    reason: Reads deals, as the wider rule already allows.\n  - id: sales_rep.users.read",
      ],
    ]);
    const text = readFileSync(join(root, "roles/sales_rep.yaml"), "utf8");
    const line = text.slice(0, text.indexOf("  - id: sales_rep.deals.read")).split("\n").length;
    const wideLine = text.slice(0, text.indexOf("  - id: sales_rep.deals.work")).split("\n").length;
    const findings = lintPolicies(loadPolicies(registry, root), root);
    expect(findings).toContainEqual(
      expect.objectContaining({
        level: "warning",
        at: `policies/roles/sales_rep.yaml:${line}`,
        rule: "sales_rep.deals.read",
        message: expect.stringContaining(`sales_rep.deals.work (policies/roles/sales_rep.yaml:${wideLine})`),
      }),
    );
  });

  it("reports an allow fully overridden by a deny, and one whose conditions never hold, as errors", () => {
    const root = fixture([
      [
        "roles/sales_rep.yaml",
        "  - id: sales_rep.users.read",
        "  - id: sales_rep.contacts.remove\n    effect: allow\n    actions: [delete]\n    subject: Contact\n    reason: Deletes contacts, but the deny wins.\n" +
          "  - id: sales_rep.interactions.never\n    effect: allow\n    actions: [read]\n    subject: Interaction\n    conditions:\n      kind: { $in: [call], $nin: [call] }\n    reason: A condition that can never hold.\n" +
          "  - id: sales_rep.users.read",
      ],
    ]);
    const findings = lintPolicies(loadPolicies(registry, root), root);
    expect(findings).toContainEqual(
      expect.objectContaining({ level: "error", rule: "sales_rep.contacts.remove", message: expect.stringContaining("sales_rep.contacts.no_delete") }),
    );
    expect(findings).toContainEqual(
      expect.objectContaining({ level: "error", rule: "sales_rep.interactions.never", message: expect.stringContaining("can never hold") }),
    );
  });

  it("finds contradictions in one field's comparisons", () => {
    expect(unsatisfiable({ conditions: { kind: { $eq: "call", $ne: "call" } } })).toContain("kind");
    expect(unsatisfiable({ conditions: { kind: { $in: ["call"], $eq: "email" } } })).toContain("kind");
    expect(unsatisfiable({ conditions: { tags: { $all: ["a"], $nin: ["a"] } } })).toContain("tags");
    expect(unsatisfiable({ conditions: { kind: { $in: ["call", "email"], $nin: ["call"] } } })).toBeUndefined();
  });

  it("warns of a role purpose its rules cannot reach, a purpose no role uses and a processor no purpose uses", () => {
    const root = fixture([["purposes.yaml", "processors: [aws, support_tools]", "processors: [aws]"]]);
    // A role whose only rule is about contacts, listing billing (whose data subjects are users only).
    writeFileSync(
      join(root, "roles", "probe.yaml"),
      [
        "role: probe",
        "description: A role made for this test.",
        "purposes: [legal_compliance, billing]",
        "defaultPurpose: legal_compliance",
        "rules:",
        "  - id: probe.contacts.read",
        "    effect: allow",
        "    actions: [read]",
        "    subject: Contact",
        "    reason: Reads contacts.",
        "",
      ].join("\n"),
    );
    const unused = fixture([
      ["roles/owner.yaml", "analytics, billing, security", "analytics, security"],
      ["roles/system.yaml", "purposes: [legal_compliance, billing]", "purposes: [legal_compliance]"],
    ]);
    const messages = [...lintPolicies(loadPolicies(registry, root), root), ...lintPolicies(loadPolicies(registry, unused), unused)].map(
      (f) => `${f.level} ${f.at}: ${f.message}`,
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^warning policies\/roles\/probe\.yaml:\d+: role probe lists purpose billing, but none of its rules reaches/),
    );
    expect(messages).toContainEqual(expect.stringMatching(/^warning policies\/purposes\.yaml:\d+: no role may act under purpose billing/));
    expect(messages).toContainEqual(
      expect.stringMatching(/^warning policies\/processors\.yaml:\d+: no purpose in purposes\.yaml uses processor support_tools/),
    );
  });
});
