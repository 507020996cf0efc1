import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { PERSON_STATE, PERSON_STATE_FIELDS } from "./gates.js";
import { policyDigest } from "./policy-digest.js";
import type { Registry } from "./registry.js";
import { ACTION_ALIASES, ACTIONS, CONDITION_OPERATORS, type Action, type ActionAlias, type ConditionField } from "./subjects.js";
import { ajvMessage, compileSchema, lineOf, parseYamlFile, pointer, type ParsedFile } from "./yaml-source.js";

export const POLICIES_DIR = fileURLToPath(new URL("../../policies", import.meta.url));

export type LawfulBasis = "consent" | "contract" | "legal_obligation" | "vital_interests" | "public_task" | "legitimate_interest";

export interface Purpose {
  id: string;
  name: string;
  description: string;
  policySection?: string;
  lawfulBasis: LawfulBasis;
  gdprRole: "controller" | "processor";
  channel?: "email" | "sms";
  dataCategories: string[];
  dataSubjects: string[];
  /** Subjects whose records this purpose creates, changes and deletes. */
  writes: string[];
  /** When set, the only interaction kinds recorded under this purpose. */
  interactionKinds?: string[];
  retention: string;
  processors: string[];
  objectable: boolean;
  allowedWhenRestricted: boolean;
  directMarketing: boolean;
}

export interface Processor {
  id: string;
  name: string;
  service: string;
  purposes: string[];
  location: string;
  transferSafeguard: string;
  contract?: string;
}

/** What starts a retention clock (policies/retention.yaml). */
export type RetentionTrigger = "workspace_cancelled" | "consent_withdrawn" | "recorded" | "last_event" | "expired";

/** One retention period (privacy policy section 8): how long, counted from what. */
export interface RetentionRule {
  id: string;
  name: string;
  description: string;
  policySection?: string;
  trigger: RetentionTrigger;
  /** ISO 8601 duration (P6M, P12M, P5Y, P30D, PT1H). */
  period: string;
}

export type Conditions = Record<string, unknown>;

export interface PolicyRule {
  id: string;
  effect: "allow" | "deny";
  actions: Array<Action | "manage">;
  subject: string;
  fields?: string[];
  conditions?: Conditions;
  reason: string;
  /** Where the rule was read from: `policies/roles/sales_rep.yaml:12`. */
  source: string;
}

export interface RolePolicy {
  role: string;
  description: string;
  purposes: string[];
  defaultPurpose: string;
  rules: PolicyRule[];
  file: string;
}

export interface PolicySet {
  /** The subjects the policies speak of, as the modules declare them. */
  registry: Registry;
  roles: Map<string, RolePolicy>;
  purposes: Map<string, Purpose>;
  processors: Map<string, Processor>;
  retention: Map<string, RetentionRule>;
  rulesById: Map<string, PolicyRule>;
  /** The policy files read, by path (`policies/roles/owner.yaml`): what policy:show prints. */
  files: Record<string, string>;
  /** sha256 of the files, the gate table and the registry (src/authz/policy-digest.ts): which policy decided. */
  digest: string;
}

/** A policy file that does not load; the message names file, rule id and line. */
export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid policy:\n  ${problems.join("\n  ")}`);
  }
}

const WILDCARD_ROLE = "owner";
const PLACEHOLDERS = new Set(["${user.id}", "${user.workspaceId}"]);

function ruleIdAt(parsed: ParsedFile, path: Array<string | number>): string | undefined {
  if (path[0] !== "rules" || typeof path[1] !== "number") return undefined;
  const rules = (parsed.data as { rules?: Array<{ id?: unknown }> }).rules;
  const id = rules?.[path[1]]?.id;
  return typeof id === "string" ? id : undefined;
}

function describe(parsed: ParsedFile, path: Array<string | number>, message: string): string {
  const rule = ruleIdAt(parsed, path);
  return `${parsed.file}:${lineOf(parsed, path)}: ${rule ? `rule ${rule}: ` : ""}${message}`;
}

function loadSchemas(root: string): Record<string, ValidateFunction> {
  return {
    role: compileSchema(root, "role.schema.json"),
    purposes: compileSchema(root, "purposes.schema.json"),
    processors: compileSchema(root, "processors.schema.json"),
    retention: compileSchema(root, "retention.schema.json"),
  };
}

const parseYaml = (path: string, root: string) => parseYamlFile(path, root, (problems) => new PolicyError(problems));

function validate(parsed: ParsedFile, check: ValidateFunction, problems: string[]): boolean {
  if (check(parsed.data)) return true;
  for (const error of check.errors ?? []) {
    if (error.keyword === "if") continue;
    problems.push(describe(parsed, pointer(error.instancePath), ajvMessage(error)));
  }
  return false;
}

// Lower case only: PostgreSQL compares uuids as values, CASL compares strings, and rows come
// back lower-case, so an upper-case id would mean one thing in SQL and another in can().
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why `value` cannot be compared with `field`, or undefined when it can. */
function operandProblem(field: ConditionField, value: unknown): string | undefined {
  if (value === null) return field.nullable ? undefined : "this field is never null";
  if (typeof value === "object") return "operands are plain values: no nested lists or operator objects";
  if (typeof value === "string" && value.includes("\u0000")) return "contains a NUL character";
  // PostgreSQL cannot encode half of a surrogate pair: the query would fail where can() says no.
  if (typeof value === "string" && /\p{Cs}/u.test(value)) return "is not well-formed Unicode (a lone surrogate)";
  if (typeof value === "string" && value.includes("${")) {
    if (!PLACEHOLDERS.has(value)) return `unknown placeholder ${value} (allowed: ${[...PLACEHOLDERS].join(", ")})`;
    return field.type === "uuid" ? undefined : "placeholders hold ids: use them on id fields only";
  }
  switch (field.type) {
    case "uuid":
      return typeof value === "string" && UUID.test(value) ? undefined : "needs a lower-case id (uuid) or ${user.id} / ${user.workspaceId}";
    case "boolean":
      return typeof value === "boolean" ? undefined : "needs true or false (unquoted)";
    case "timestamp":
      return "timestamps can only be compared with null";
    default:
      return typeof value === "string" ? undefined : "needs a string";
  }
}

type Report = (path: Array<string | number>, message: string) => void;

/**
 * The field a condition key names: the subject's own, or through a relation only the person's
 * privacy state (what loaded rows carry for can()). Own-property lookups only, so `constructor`
 * or `__proto__` never reach Object.prototype.
 */
function conditionField(registry: Registry, subject: string, key: string): { field?: ConditionField; hint: string } {
  const spec = registry.get(subject);
  const person = spec.personPath ? spec.personPath.slice(0, -1) : undefined;
  const [head, tail, ...rest] = key.split(".");
  if (tail === undefined) {
    const hint = head === person ? ` (write ${head}.<field>, one of ${PERSON_STATE_FIELDS.join(", ")})` : "";
    return { field: Object.hasOwn(spec.conditionFields, head) ? spec.conditionFields[head] : undefined, hint };
  }
  if (head !== person) return { hint: "" };
  const hint = ` (through ${head}. only ${PERSON_STATE_FIELDS.join(", ")})`;
  const reachable = rest.length === 0 && Object.hasOwn(PERSON_STATE, tail);
  return { field: reachable ? PERSON_STATE[tail as keyof typeof PERSON_STATE] : undefined, hint };
}

const LIST_OPERATORS = new Set(["$in", "$nin", "$all"]);

/**
 * One field's comparisons. Every shape CASL's in-memory matcher and the SQL filter could read
 * differently is refused: an empty operator object (`stage: {}`), a bare list (CASL compares
 * arrays as values), a scalar where a list is expected and back, nested operator objects.
 */
function checkComparisons(field: ConditionField, value: unknown, path: Array<string | number>, report: Report): void {
  if (Array.isArray(value)) {
    report(path, `a bare list is ambiguous: write { $in: [...] } (any of)${field.array ? " or { $all: [...] } (all of)" : ""}`);
    return;
  }
  const operators = value !== null && typeof value === "object" ? Object.entries(value) : [["$eq", value] as const];
  if (operators.length === 0) report(path, `an empty operator object compares nothing a reviewer can read (can() tests equality with {}): write a comparison`);
  for (const [op, operand] of operators) {
    if (!(CONDITION_OPERATORS as readonly string[]).includes(op)) {
      report([...path, op], `unknown or unsupported operator "${op}" (allowed: ${CONDITION_OPERATORS.join(", ")})`);
      continue;
    }
    if (op === "$all" && !field.array) report([...path, op], `"$all" needs an array field`);
    const listOp = LIST_OPERATORS.has(op);
    if (listOp !== Array.isArray(operand)) {
      report([...path, op], listOp ? `"${op}" needs a list` : `"${op}" needs a single value`);
      continue;
    }
    // An array field holds strings: each operand is one element (eq = contains).
    const element: ConditionField = field.array ? { type: "text", nullable: false } : field;
    for (const v of Array.isArray(operand) ? operand : [operand]) {
      const problem = operandProblem(element, v);
      if (problem) report([...path, op], `${JSON.stringify(v)}: ${problem}`);
    }
  }
}

/** Checks one rule's condition tree: known fields, known operators, operands of the right type. */
function checkConditions(registry: Registry, subject: string, conditions: Conditions, at: Array<string | number>, report: Report): void {
  for (const [key, value] of Object.entries(conditions)) {
    const path = [...at, key];
    if (key.startsWith("$")) {
      report(path, `operator "${key}" is not allowed at the top of conditions; list field conditions (they are combined with AND)`);
      continue;
    }
    const { field, hint } = conditionField(registry, subject, key);
    if (!field) report(path, `unknown condition field "${key}" for ${subject}${hint}`);
    else checkComparisons(field, value, path, report);
  }
}

/** A rule's actions with aliases (`manage_consent`) replaced by the actions they stand for. */
function expandAliases(actions: string[]): Array<Action | "manage"> {
  const expanded = actions.flatMap((a) => (Object.hasOwn(ACTION_ALIASES, a) ? ACTION_ALIASES[a as ActionAlias] : [a]));
  return [...new Set(expanded)] as Array<Action | "manage">;
}

function checkRule(registry: Registry, parsed: ParsedFile, role: string, rule: PolicyRule, index: number, problems: string[]): void {
  const at = ["rules", index];
  const report: Report = (path, message) => problems.push(describe(parsed, path, message));
  if (!rule.id.startsWith(`${role}.`)) report([...at, "id"], `rule ids start with the role: "${role}."`);
  const wildcard = rule.subject === "all" || rule.actions.includes("manage");
  if (wildcard && role !== WILDCARD_ROLE) {
    report([...at, rule.subject === "all" ? "subject" : "actions"], `wildcards (manage, all) are for the ${WILDCARD_ROLE} role only`);
  }
  if (rule.subject !== "all" && !registry.has(rule.subject)) {
    report([...at, "subject"], `unknown subject "${rule.subject}"`);
    return;
  }
  rule.actions.forEach((action, i) => {
    const known = action === "manage" || (ACTIONS as readonly string[]).includes(action) || Object.hasOwn(ACTION_ALIASES, action);
    if (!known) report([...at, "actions", i], `unknown action "${action}" (allowed: ${[...ACTIONS, ...Object.keys(ACTION_ALIASES)].join(", ")})`);
  });
  if (rule.subject === "all") {
    if (rule.fields || rule.conditions) report([...at, "subject"], `a rule on "all" subjects cannot name fields or conditions`);
    return;
  }
  const spec = registry.get(rule.subject);
  rule.fields?.forEach((field, i) => {
    if (!spec.policyFields.includes(field)) report([...at, "fields", i], `unknown field "${field}" for ${rule.subject}`);
    if (rule.effect === "deny" && spec.requiredFields.includes(field)) {
      report([...at, "fields", i], `"${field}" is non-null in the API and cannot be masked`);
    }
  });
  if (rule.effect === "allow" && rule.fields) {
    const missing = spec.requiredFields.filter((f) => !rule.fields!.includes(f));
    if (missing.length > 0) report([...at, "fields"], `an allow with fields must keep the non-null fields: add ${missing.join(", ")}`);
  }
  if (rule.conditions) checkConditions(registry, rule.subject, rule.conditions, [...at, "conditions"], report);
}

function loadRole(registry: Registry, parsed: ParsedFile, schemas: Record<string, ValidateFunction>, problems: string[]): RolePolicy | undefined {
  if (!validate(parsed, schemas.role, problems)) return undefined;
  const raw = parsed.data as Omit<RolePolicy, "file" | "rules"> & { rules: Array<Omit<PolicyRule, "source">> };
  const expected = basename(parsed.file, ".yaml");
  if (raw.role !== expected) problems.push(describe(parsed, ["role"], `role "${raw.role}" must match the file name "${expected}"`));
  const rules = raw.rules.map((rule, i) => ({ ...rule, source: `${parsed.file}:${lineOf(parsed, ["rules", i])}` }));
  rules.forEach((rule, i) => checkRule(registry, parsed, raw.role, rule, i, problems));
  return { ...raw, rules: rules.map((rule) => ({ ...rule, actions: expandAliases(rule.actions) })), file: parsed.file };
}

/** Reads and validates every policy file against the subject registry; throws PolicyError listing all problems. */
export function loadPolicies(registry: Registry, root: string = POLICIES_DIR): PolicySet {
  const schemas = loadSchemas(root);
  const problems: string[] = [];
  const purposesFile = parseYaml(join(root, "purposes.yaml"), root);
  const processorsFile = parseYaml(join(root, "processors.yaml"), root);
  const retentionFile = parseYaml(join(root, "retention.yaml"), root);
  const purposes = new Map<string, Purpose>();
  const processors = new Map<string, Processor>();
  const retention = new Map<string, RetentionRule>();
  if (validate(retentionFile, schemas.retention, problems)) {
    (retentionFile.data as { retention: RetentionRule[] }).retention.forEach((r, i) => {
      if (retention.has(r.id)) problems.push(describe(retentionFile, ["retention", i, "id"], `duplicate retention id "${r.id}"`));
      retention.set(r.id, r);
    });
  }
  if (validate(purposesFile, schemas.purposes, problems)) {
    for (const p of (purposesFile.data as { purposes: Purpose[] }).purposes) purposes.set(p.id, p);
  }
  if (validate(processorsFile, schemas.processors, problems)) {
    for (const p of (processorsFile.data as { processors: Processor[] }).processors) processors.set(p.id, p);
  }
  (purposesFile.data as { purposes?: Purpose[] }).purposes?.forEach((p, i) =>
    p.processors?.forEach((id, j) => {
      if (!processors.has(id)) problems.push(describe(purposesFile, ["purposes", i, "processors", j], `unknown processor "${id}"`));
    }),
  );
  (processorsFile.data as { processors?: Processor[] }).processors?.forEach((p, i) =>
    p.purposes?.forEach((id, j) => {
      if (!purposes.has(id)) problems.push(describe(processorsFile, ["processors", i, "purposes", j], `unknown purpose "${id}"`));
    }),
  );
  (purposesFile.data as { purposes?: Purpose[] }).purposes?.forEach((p, i) =>
    p.writes?.forEach((subject, j) => {
      if (!registry.has(subject)) problems.push(describe(purposesFile, ["purposes", i, "writes", j], `unknown subject "${subject}"`));
    }),
  );
  (purposesFile.data as { purposes?: Purpose[] }).purposes?.forEach((p, i) => {
    if (p.retention && !retention.has(p.retention)) {
      problems.push(describe(purposesFile, ["purposes", i, "retention"], `unknown retention "${p.retention}" (ids are declared in retention.yaml)`));
    }
  });
  if (!purposes.has("legal_compliance")) problems.push(`${purposesFile.file}:1: the legal_compliance purpose is required (privacy rights run under it)`);

  const roles = new Map<string, RolePolicy>();
  const rulesById = new Map<string, PolicyRule>();
  const roleFiles = readdirSync(join(root, "roles"))
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  for (const name of roleFiles) {
    const parsed = parseYaml(join(root, "roles", name), root);
    const role = loadRole(registry, parsed, schemas, problems);
    if (!role) continue;
    role.purposes.forEach((p, i) => {
      if (!purposes.has(p)) problems.push(describe(parsed, ["purposes", i], `unknown purpose "${p}"`));
    });
    if (!role.purposes.includes(role.defaultPurpose)) {
      problems.push(describe(parsed, ["defaultPurpose"], `default purpose "${role.defaultPurpose}" is not in this role's purposes`));
    }
    role.rules.forEach((rule, i) => {
      const seen = rulesById.get(rule.id);
      if (seen) problems.push(describe(parsed, ["rules", i, "id"], `duplicate rule id (also at ${seen.source})`));
      rulesById.set(rule.id, rule);
    });
    roles.set(role.role, role);
  }
  if (problems.length > 0) throw new PolicyError(problems);
  const read = [join(root, "purposes.yaml"), join(root, "processors.yaml"), join(root, "retention.yaml"), ...roleFiles.map((f) => join(root, "roles", f))];
  const files = Object.fromEntries(read.map((path) => [`policies/${relative(root, path)}`, readFileSync(path, "utf8")]));
  const loaded = { registry, roles, purposes, processors, retention, rulesById, files };
  return { ...loaded, digest: policyDigest(loaded) };
}
