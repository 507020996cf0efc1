// The reviewers' CLI: the committed matrix is what the policies give (so a policy change shows
// its matrix diff in review), explain answers by its exit code, and every command has --help.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadPolicies } from "../../src/authz/policy-loader.js";
import { MATRIX_FILE, policyMatrix } from "../../src/authz/policy-matrix.js";
import { registry } from "../../src/modules/registry.js";

function policy(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/bin/policy.ts", ...args], { encoding: "utf8", timeout: 60_000 });
}

describe("policy CLI", () => {
  it("policies/MATRIX.md is the matrix of the current policies (npm run policy:matrix -- --write)", () => {
    expect(readFileSync(MATRIX_FILE, "utf8")).toBe(policyMatrix(loadPolicies(registry)));
  });

  it("explain exits 0 on allow, 1 on deny, 2 on bad arguments", () => {
    expect(policy("explain", "--role", "owner", "--action", "read", "--subject", "Contact").status).toBe(0);
    const denied = policy("explain", "--role", "support", "--action", "grant_consent", "--subject", "Contact");
    expect(denied.status).toBe(1);
    expect(denied.stdout).toContain("decision: deny");
    expect(policy("explain", "--role", "nobody", "--action", "read", "--subject", "Contact").status).toBe(2);
  });

  it("answers --help for every command", () => {
    for (const command of ["lint", "test", "matrix", "readme", "explain"]) {
      const res = policy(command, "--help");
      expect(res.status, command).toBe(0);
      expect(res.stdout, command).toContain(`policy ${command}`);
    }
    expect(policy("--help").stdout).toContain("usage: policy");
  });
});
