// Policy test cases (policies/tests/<role>_test.yaml): each one asks the real engine
// (buildAbility + decide) one question and states the answer and the rule that must give it.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import type { ValidateFunction } from "ajv";
import { buildAbility, buildRightsAbility, decide, DEFAULT_DENY, SELF_CONSENT, SELF_PROFILE, SYSTEM_ROLE, type Decision, type Principal } from "./ability.js";
import { purposeGates } from "./gates.js";
import { POLICIES_DIR, PolicyError, type PolicySet } from "./policy-loader.js";
import type { Registry } from "./registry.js";
import { ACTIONS } from "./subjects.js";
import { ajvMessage, compileSchema, lineOf, parseYamlFile, pointer, type ParsedFile } from "./yaml-source.js";

type Scalar = string | number | boolean | null;
type Value = Scalar | Scalar[];
export type CaseRow = Record<string, Value> & { contact?: Record<string, Value> };

export interface PolicyCase {
  name: string;
  role: string;
  purpose?: string;
  /** Decide as privacy-rights operations do (legal_compliance ability). */
  rights?: boolean;
  action: string;
  subject: string;
  field?: string;
  object?: CaseRow;
  expect: "allow" | "deny";
  rule?: string;
  covers: string[];
  /** Where the case was read from: `policies/tests/sales_rep_test.yaml:12`. */
  source: string;
}

export interface CaseResult {
  case: PolicyCase;
  purpose: string;
  decision: Decision;
  /** Why the case failed; undefined when it passed. */
  failure?: string;
}

/** The principal every case runs as; `own` / `other` in a case's object refer to it. */
const OWN = { userId: "u-own", workspaceId: "w-own" };
const OTHER = { userId: "u-other", workspaceId: "w-other" };
/** Condition fields that hold a user id (besides User.id). */
const USER_FIELDS = new Set(["ownerId", "createdBy", "actorId", "userId"]);
const FILE_SUFFIX = "_test.yaml";

function reporter(parsed: ParsedFile, problems: string[]) {
  return (path: Array<string | number>, message: string) => {
    const name = path[0] === "cases" && typeof path[1] === "number" ? (parsed.data as { cases: Array<{ name?: unknown }> }).cases[path[1]]?.name : undefined;
    problems.push(`${parsed.file}:${lineOf(parsed, path)}: ${typeof name === "string" ? `case "${name}": ` : ""}${message}`);
  };
}

/** Every gate id purposes.yaml derives, e.g. `gate.consent.marketing_email`. */
function gateIds(policies: PolicySet): Set<string> {
  return new Set([...[...policies.purposes.values()].flatMap((p) => purposeGates(policies, p).map((g) => g.meta.id)), SELF_PROFILE, SELF_CONSENT]);
}

type Report = (path: Array<string | number>, message: string) => void;

function checkRow(registry: Registry, subject: string, row: CaseRow, at: Array<string | number>, report: Report): void {
  const spec = registry.get(subject);
  for (const [key, value] of Object.entries(row)) {
    const related = spec.relations?.[key]?.subject;
    if (related && value !== null && typeof value === "object" && !Array.isArray(value)) checkRow(registry, related, value, [...at, key], report);
    else if (!Object.hasOwn(spec.conditionFields, key)) report([...at, key], `"${key}" is not a condition field of ${subject}`);
  }
}

/** Names in a case that the schema cannot check: role, purpose, action, subject, fields, rule ids. */
function checkCase(policies: PolicySet, role: string, c: PolicyCase, at: Array<string | number>, known: Set<string>, report: Report): void {
  if (c.role !== role) report([...at, "role"], `role "${c.role}" does not match the file (${role}${FILE_SUFFIX})`);
  if (c.purpose && !policies.purposes.has(c.purpose)) report([...at, "purpose"], `unknown purpose "${c.purpose}"`);
  if (!(ACTIONS as readonly string[]).includes(c.action)) report([...at, "action"], `unknown action "${c.action}"`);
  if (!policies.registry.has(c.subject)) {
    report([...at, "subject"], `unknown subject "${c.subject}"`);
    return;
  }
  if (c.field && !policies.registry.get(c.subject).policyFields.includes(c.field)) report([...at, "field"], `unknown field "${c.field}" for ${c.subject}`);
  if (c.object) checkRow(policies.registry, c.subject, c.object, [...at, "object"], report);
  if (c.rule && c.rule !== DEFAULT_DENY && !known.has(c.rule)) report([...at, "rule"], `"${c.rule}" is not a rule of ${role}, a gate or ${DEFAULT_DENY}`);
  c.covers.forEach((id, i) => {
    if (!known.has(id)) report([...at, "covers", i], `"${id}" is not a rule of ${role} or a gate`);
  });
}

function loadFile(policies: PolicySet, parsed: ParsedFile, schema: ValidateFunction, problems: string[]): PolicyCase[] {
  const report = reporter(parsed, problems);
  if (!schema(parsed.data)) {
    for (const error of schema.errors ?? []) report(pointer(error.instancePath), ajvMessage(error));
    return [];
  }
  const role = basename(parsed.file, FILE_SUFFIX);
  const policy = policies.roles.get(role);
  if (!policy) {
    report([], `no role "${role}" in policies/roles (test files are named <role>${FILE_SUFFIX})`);
    return [];
  }
  const known = new Set([...policy.rules.map((r) => r.id), ...gateIds(policies)]);
  const cases = (parsed.data as { cases: Array<Omit<PolicyCase, "source">> }).cases;
  const names = new Set<string>();
  return cases.map((raw, i) => {
    const c = { ...raw, source: `${parsed.file}:${lineOf(parsed, ["cases", i])}` } as PolicyCase;
    if (names.has(c.name)) report(["cases", i, "name"], "duplicate case name");
    names.add(c.name);
    checkCase(policies, role, c, ["cases", i], known, report);
    return c;
  });
}

/** Reads and checks every `policies/tests/*.yaml`; throws PolicyError listing all problems. */
export function loadCases(policies: PolicySet, root: string = POLICIES_DIR): PolicyCase[] {
  const schema = compileSchema(root, "policy-test.schema.json");
  const problems: string[] = [];
  const dir = join(root, "tests");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const cases = files.flatMap((name) =>
    loadFile(
      policies,
      parseYamlFile(join(dir, name), root, (p) => new PolicyError(p)),
      schema,
      problems,
    ),
  );
  if (problems.length > 0) throw new PolicyError(problems);
  return cases;
}

function resolveId(registry: Registry, subject: string, field: string, value: Value): Value {
  if (value !== "own" && value !== "other") return value;
  const ids = value === "own" ? OWN : OTHER;
  if (field === registry.get(subject).tenant) return ids.workspaceId;
  if (USER_FIELDS.has(field) || (subject === "User" && field === "id")) return ids.userId;
  return value;
}

/** The row a case describes: in the principal's workspace unless it says otherwise. */
function rowOf(registry: Registry, subject: string, object: CaseRow): Record<string, unknown> {
  const spec = registry.get(subject);
  const row: Record<string, unknown> = { [spec.tenant]: OWN.workspaceId };
  for (const [key, value] of Object.entries(object)) {
    const related = spec.relations?.[key]?.subject;
    row[key] = related ? rowOf(registry, related, value as CaseRow) : resolveId(registry, subject, key, value as Value);
  }
  return row;
}

export function principalFor(role: string): Principal {
  return { kind: role === SYSTEM_ROLE ? "system" : "user", ...OWN, role, email: "policy-test@example.test", name: "Policy test" };
}

export function runCase(policies: PolicySet, c: PolicyCase): CaseResult {
  const purpose = c.purpose ?? policies.roles.get(c.role)!.defaultPurpose;
  // Privacy-rights operations find people under legal_compliance, as the API does.
  const ability = c.rights ? buildRightsAbility(policies, principalFor(c.role)) : buildAbility(policies, principalFor(c.role), purpose);
  const row = c.object ? rowOf(policies.registry, c.subject, c.object) : undefined;
  const decision = decide(ability, c.action, c.subject, row, c.field, { role: c.role, purpose });
  const got = decision.allowed ? "allow" : "deny";
  const passed = got === c.expect && (c.rule === undefined || c.rule === decision.rule);
  const wanted = `${c.expect}${c.rule ? ` by ${c.rule}` : ""}`;
  return {
    case: c,
    purpose,
    decision,
    ...(passed ? {} : { failure: `${c.source}: ${c.name}: expected ${wanted}, got ${got} by ${decision.rule} (${decision.reason})` }),
  };
}

/**
 * Rules no case pins down. Each rule needs an allow case and a deny case that list it in
 * `covers`, and must itself decide one of its passing cases (a deny rule: a deny case).
 */
export function coverageGaps(policies: PolicySet, results: CaseResult[]): string[] {
  const gaps: string[] = [];
  for (const rule of policies.rulesById.values()) {
    const covering = results.filter((r) => r.case.covers.includes(rule.id));
    for (const expect of ["allow", "deny"] as const) {
      if (!covering.some((r) => r.case.expect === expect)) gaps.push(`${rule.source}: rule ${rule.id} has no ${expect} case that covers it`);
    }
    if (!covering.some((r) => !r.failure && r.decision.rule === rule.id)) {
      gaps.push(`${rule.source}: rule ${rule.id} decides none of the passing cases that cover it`);
    }
  }
  return gaps;
}
