// The reviewers' CLI: the committed matrix is what the policies give (so a policy change shows
// its matrix diff in review), explain answers by its exit code, and every command has --help.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicies, POLICIES_DIR } from "../../src/authz/policy-loader.js";
import { MATRIX_FILE, policyMatrix } from "../../src/authz/policy-matrix.js";
import { registry } from "../../src/modules/registry.js";

function policy(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/bin/policy.ts", ...args], { encoding: "utf8", timeout: 60_000 });
}

// Each test spawns the CLI several times (a second or more each, much more on a loaded machine).
describe("policy CLI", { timeout: 180_000 }, () => {
  it("policies/MATRIX.md is the matrix of the current policies (npm run policy:matrix -- --write)", () => {
    expect(readFileSync(MATRIX_FILE, "utf8")).toBe(policyMatrix(loadPolicies(registry)));
  });

  it("explain exits 0 on allow, 1 on deny, 2 on bad arguments", () => {
    expect(policy("explain", "--role", "owner", "--action", "read", "--subject", "Contact").status).toBe(0);
    const denied = policy("explain", "--role", "support", "--action", "grant_consent", "--subject", "Contact");
    expect(denied.status).toBe(1);
    expect(denied.stdout).toContain("decision: deny");
    expect(policy("explain", "--role", "nobody", "--action", "read", "--subject", "Contact").status).toBe(2);
    // The API's vocabulary: a purpose the role does not list is purpose.not_permitted, not default.deny.
    const notPermitted = policy("explain", "--role", "support", "--action", "read", "--subject", "Contact", "--purpose", "billing");
    expect(notPermitted.status).toBe(1);
    expect(notPermitted.stdout).toContain("rule: purpose.not_permitted");
  });

  it("answers --help for every command", () => {
    for (const command of ["lint", "test", "matrix", "readme", "explain", "diff", "show"]) {
      const res = policy(command, "--help");
      expect(res.status, command).toBe(0);
      expect(res.stdout, command).toContain(`policy ${command}`);
    }
    expect(policy("--help").stdout).toContain("usage: policy");
  });
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of policies/ where sales_rep may delete contacts (its no_delete deny removed). */
function widened(): string {
  const root = join(mkdtempSync(join(tmpdir(), "policy-cli-")), "policies");
  dirs.push(root);
  cpSync(POLICIES_DIR, root, { recursive: true });
  const file = join(root, "roles", "sales_rep.yaml");
  const text = readFileSync(file, "utf8")
    .replace("    actions: [read, create, update]\n    subject: Contact", "    actions: [read, create, update, delete]\n    subject: Contact")
    .replace(/ {2}- id: sales_rep\.contacts\.no_delete\n( {4}.*\n)+?(?= {2}- id:)/, "");
  expect(text).not.toContain("no_delete");
  writeFileSync(file, text);
  return root;
}

describe("policy diff, lint --dir, matrix --html, show", { timeout: 180_000 }, () => {
  it("diff: widening sales_rep to delete Contact prints the grant and exits 1; narrowing prints the loss and exits 0", () => {
    const wide = widened();
    const up = policy("diff", "--from-dir", POLICIES_DIR, "--dir", wide);
    expect(up.status, up.stderr).toBe(1);
    expect(up.stdout).toContain("sales_rep under purpose sales_pipeline:");
    expect(up.stdout).toMatch(/\+ may now delete Contact .*\[sales_rep\.contacts\.work \(policies\/roles\/sales_rep\.yaml:\d+\)\]/);
    expect(up.stdout).toContain("access WIDENED");
    const down = policy("diff", "--from-dir", wide, "--dir", POLICIES_DIR);
    expect(down.status, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/- may no longer delete Contact \[was sales_rep\.contacts\.work .*now denied by sales_rep\.contacts\.no_delete\]/);
    const json = JSON.parse(policy("diff", "--from-dir", POLICIES_DIR, "--dir", wide, "--json").stdout);
    expect(json.widened).toBe(true);
    expect(json.grants).toContainEqual(
      expect.objectContaining({ kind: "gained", role: "sales_rep", purpose: "sales_pipeline", action: "delete", subject: "Contact" }),
    );
    expect(policy("diff", "--from-dir", POLICIES_DIR, "--dir", POLICIES_DIR).status).toBe(0);
    expect(policy("diff", "no-such-revision-xyz").status).toBe(2);
    // A git revision: policies/ at HEAD extracted with git archive, against the working tree's.
    const head = policy("diff", "HEAD", "--json");
    expect(head.status, head.stderr).toBeLessThanOrEqual(1);
    expect(JSON.parse(head.stdout).from).toMatch(/^HEAD \([0-9a-f]+\)$/);
  });

  it("lint --dir lints another folder: a shadowed rule is a warning naming both rule ids (exit 0)", () => {
    const root = join(mkdtempSync(join(tmpdir(), "policy-cli-")), "policies");
    dirs.push(root);
    cpSync(POLICIES_DIR, root, { recursive: true });
    const file = join(root, "roles", "support.yaml");
    const extra =
      "  - id: support.contacts.read_again\n    effect: allow\n    actions: [read]\n    subject: Contact\n    reason: Reads contacts, as the wider rule already does.\n";
    writeFileSync(file, readFileSync(file, "utf8").replace("  - id: support.users.read", `${extra}  - id: support.users.read`));
    const res = policy("lint", "--dir", root);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /WARNING policies\/roles\/support\.yaml:\d+: rule support\.contacts\.read_again: shadowed by the wider allow support\.contacts\.read/,
    );
    writeFileSync(file, "role: support\n  rules: [\n");
    const broken = policy("lint", "--dir", root);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/policies\/roles\/support\.yaml:1:\d+: .*\n {4}\| role: support/);
  });

  it("matrix --html writes one self-contained page with filters", () => {
    const out = join(mkdtempSync(join(tmpdir(), "policy-cli-")), "matrix.html");
    dirs.push(out);
    expect(policy("matrix", "--html", "--out", out).status).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<select id="role">');
    expect(html).toContain('<select id="purpose">');
    expect(html).toContain('<select id="subject">');
    expect(html).toContain('data-role="sales_rep" data-purpose="sales_pipeline" data-subject="Contact"');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/);
  });

  it("show prints the files of the working tree's digest, and refuses a malformed one", () => {
    const { digest } = loadPolicies(registry);
    const res = spawnSync(process.execPath, ["--import", "tsx", "src/bin/policy.ts", "show", digest], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, DATA_DIR: "memory://", DATABASE_URL: "" },
    });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(`policy ${digest}`);
    expect(res.stdout).toContain("==> policies/roles/sales_rep.yaml <==");
    expect(policy("show", "abc").status).toBe(2);
  });
});
