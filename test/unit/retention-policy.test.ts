// policies/retention.yaml: validated by schema, one source for purposes.yaml's `retention:` ids,
// every entry enforced by a sweep; and the calendar arithmetic of its ISO 8601 periods.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicies, POLICIES_DIR, PolicyError } from "../../src/authz/policy-loader.js";
import { registry } from "../../src/modules/registry.js";
import { addPeriod, cutoffFor, parsePeriod } from "../../src/modules/retention/period.js";
import { retentionProblems } from "../../src/modules/retention/retention.service.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function edited(file: string, from: string, to: string): string {
  const root = join(mkdtempSync(join(tmpdir(), "retention-policy-")), "policies");
  dirs.push(root);
  cpSync(POLICIES_DIR, root, { recursive: true });
  const path = join(root, file);
  const text = readFileSync(path, "utf8");
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
  return root;
}

function loadError(root: string): string {
  try {
    loadPolicies(registry, root);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).message;
  }
  throw new Error("loadPolicies accepted a broken retention policy");
}

describe("policies/retention.yaml", () => {
  it("loads, and every purpose's retention names one of its entries", () => {
    const policies = loadPolicies(registry);
    for (const purpose of policies.purposes.values()) expect(policies.retention.has(purpose.retention), purpose.id).toBe(true);
    expect(policies.retention.get("usage_logs_12_months")).toMatchObject({ trigger: "recorded", period: "P12M" });
    expect(policies.retention.get("account_lifetime_plus_6_months")).toMatchObject({ trigger: "workspace_cancelled", period: "P6M" });
  });

  it("refuses a purpose naming a retention id the file does not declare, with file and line", () => {
    const root = edited("purposes.yaml", "retention: usage_logs_12_months", "retention: usage_logs_forever");
    expect(loadError(root)).toMatch(/purposes\.yaml:\d+: unknown retention "usage_logs_forever"/);
  });

  it("refuses a period that is not an ISO 8601 duration, and an unknown trigger", () => {
    expect(loadError(edited("retention.yaml", "period: P12M", "period: 12 months"))).toMatch(/retention\.yaml:\d+/);
    expect(loadError(edited("retention.yaml", "trigger: recorded", "trigger: whenever"))).toMatch(/retention\.yaml:\d+/);
  });

  it("refuses a duplicate entry id", () => {
    const root = edited("retention.yaml", "  - id: rate_limit_windows", "  - id: expired_sessions");
    expect(loadError(root)).toContain('duplicate retention id "expired_sessions"');
  });

  it("every entry has a sweep that applies its trigger, and no sweep lacks an entry", () => {
    expect(retentionProblems(loadPolicies(registry))).toEqual([]);
    const renamed = loadPolicies(registry, edited("retention.yaml", "  - id: rate_limit_windows", "  - id: rate_limit_windows_v2"));
    expect(retentionProblems(renamed).join("\n")).toMatch(/entry rate_limit_windows_v2 has no sweep[\s\S]*sweep for rate_limit_windows/);
    const retriggered = loadPolicies(registry, edited("retention.yaml", "trigger: recorded", "trigger: expired"));
    expect(retentionProblems(retriggered).join("\n")).toContain("usage_logs_12_months has trigger expired");
  });
});

describe("retention periods", () => {
  it("parses years, months, days and hours, and refuses anything else", () => {
    expect(parsePeriod("P5Y")).toEqual({ years: 5, months: 0, days: 0, hours: 0 });
    expect(parsePeriod("P1Y2M3DT4H")).toEqual({ years: 1, months: 2, days: 3, hours: 4 });
    for (const bad of ["P", "PT", "6M", "P1W", "P-1D", "P1.5Y", "PT30M"]) expect(() => parsePeriod(bad), bad).toThrow();
  });

  it("adds calendar months in UTC, clamping the day like PostgreSQL", () => {
    expect(addPeriod(new Date("2026-01-15T10:00:00Z"), "P6M").toISOString()).toBe("2026-07-15T10:00:00.000Z");
    expect(addPeriod(new Date("2026-08-31T00:00:00Z"), "P6M").toISOString()).toBe("2027-02-28T00:00:00.000Z");
    expect(addPeriod(new Date("2028-02-29T00:00:00Z"), "P1Y").toISOString()).toBe("2029-02-28T00:00:00.000Z");
    expect(addPeriod(new Date("2026-11-30T00:00:00Z"), "PT72H").toISOString()).toBe("2026-12-03T00:00:00.000Z");
  });

  it("the cutoff is the start whose period runs out now", () => {
    expect(cutoffFor(new Date("2027-11-30T12:00:00Z"), "P12M").toISOString()).toBe("2026-11-30T12:00:00.000Z");
    expect(cutoffFor(new Date("2026-11-30T12:00:00Z"), "P0D").toISOString()).toBe("2026-11-30T12:00:00.000Z");
  });
});
