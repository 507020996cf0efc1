// Lint that finds mistakes, not only typos: rules that never decide, allows that never hold,
// purposes a role lists but cannot use, purposes nobody uses, processors no purpose uses.
// The loader has already refused what is invalid; these are valid policies that say less (or
// something else) than their author meant.
import { join } from "node:path";
import { buildAbility, decide } from "./ability.js";
import { principalFor } from "./policy-cases.js";
import { implies } from "./policy-diff.js";
import { stableJson } from "./policy-digest.js";
import { type PolicyRule, PolicyError, type PolicySet } from "./policy-loader.js";
import { CRUD_ACTIONS } from "./subjects.js";
import { lineOf, parseYamlFile } from "./yaml-source.js";

export interface Finding {
  level: "error" | "warning";
  /** `policies/roles/sales_rep.yaml:12` */
  at: string;
  rule?: string;
  message: string;
}

export function findingText(f: Finding): string {
  return `${f.level.toUpperCase()} ${f.at}: ${f.rule ? `rule ${f.rule}: ` : ""}${f.message}`;
}

const covers = (wide: PolicyRule, narrow: PolicyRule) =>
  (wide.subject === "all" || wide.subject === narrow.subject) &&
  (wide.actions.includes("manage") || narrow.actions.every((a) => a !== "manage" && wide.actions.includes(a))) &&
  (wide.fields === undefined || narrow.fields?.every((f) => wide.fields!.includes(f)) === true);

const conditionKey = (r: PolicyRule) => (r.conditions ? stableJson(r.conditions) : "always");

/** `narrow` never decides anything `wide` (same role, same effect) would not decide the same way. */
function shadowedBy(wide: PolicyRule, narrow: PolicyRule): boolean {
  return wide !== narrow && wide.effect === narrow.effect && covers(wide, narrow) && implies(conditionKey(narrow), conditionKey(wide));
}

function rules(policies: PolicySet, out: Finding[]): void {
  for (const role of policies.roles.values()) {
    for (const rule of role.rules) {
      const wider = role.rules.find((other) => shadowedBy(other, rule) && !(shadowedBy(rule, other) && role.rules.indexOf(other) > role.rules.indexOf(rule)));
      if (wider) {
        out.push({
          level: "warning",
          at: rule.source,
          rule: rule.id,
          message: `shadowed by the wider ${wider.effect} ${wider.id} (${wider.source}): it never changes a decision; remove it or narrow ${wider.id}`,
        });
      }
      if (rule.effect === "allow") {
        const denied = role.rules.filter((d) => d.effect === "deny" && !d.conditions && covers(d, { ...rule, fields: rule.fields ?? [] }));
        const actions = rule.actions.filter((a) => !denied.some((d) => d.actions.includes("manage") || d.actions.includes(a)));
        if (denied.length > 0 && actions.length === 0 && denied.every((d) => d.fields === undefined)) {
          out.push({
            level: "error",
            at: rule.source,
            rule: rule.id,
            message: `fully overridden by ${denied.map((d) => `${d.id} (${d.source})`).join(", ")}: this allow never allows anything`,
          });
        }
        const never = unsatisfiable(rule);
        if (never) out.push({ level: "error", at: rule.source, rule: rule.id, message: `its conditions can never hold: ${never}` });
      }
    }
  }
}

type Ops = Record<string, unknown>;

/** Why the AND of one rule's field comparisons matches no row, or undefined when some row may match. */
export function unsatisfiable(rule: Pick<PolicyRule, "conditions">): string | undefined {
  for (const [field, value] of Object.entries(rule.conditions ?? {})) {
    const ops: Ops = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Ops) : { $eq: value };
    const list = (v: unknown) => (Array.isArray(v) ? v : []);
    // Values the field may take, when the comparisons name them (undefined: any value).
    let allowed: unknown[] | undefined;
    if (Object.hasOwn(ops, "$eq")) allowed = [ops.$eq];
    if (Object.hasOwn(ops, "$in")) allowed = (allowed ?? list(ops.$in)).filter((v) => list(ops.$in).includes(v));
    const excluded = [...list(ops.$nin), ...(Object.hasOwn(ops, "$ne") ? [ops.$ne] : [])];
    const required = list(ops.$all);
    if (required.some((v) => excluded.includes(v))) return `${field} must contain and must not hold ${required.filter((v) => excluded.includes(v)).join(", ")}`;
    if (allowed?.every((v) => excluded.includes(v))) {
      return allowed.length === 0
        ? `${field} must equal two different values, or be in an empty list`
        : `${field} is both required to be and refused to be ${allowed.map(String).join(", ")}`;
    }
  }
  return undefined;
}

/** A role's purpose under which none of its rules reaches any subject (the own profile aside). */
function purposes(policies: PolicySet, root: string, out: Finding[]): void {
  for (const role of policies.roles.values()) {
    const parsed = parseYamlFile(join(root, "roles", `${role.role}.yaml`), root, (p) => new PolicyError(p));
    role.purposes.forEach((purpose, i) => {
      const ability = buildAbility(policies, principalFor(role.role), purpose);
      const reached = policies.registry.names.filter((subject) =>
        [...CRUD_ACTIONS, ...(policies.registry.get(subject).privacyActions ?? [])].some((action) => {
          const d = decide(ability, action, subject);
          return d.allowed && d.kind === "role";
        }),
      );
      if (reached.length === 0) {
        const p = policies.purposes.get(purpose)!;
        out.push({
          level: "warning",
          at: `${parsed.file}:${lineOf(parsed, ["purposes", i])}`,
          message: `role ${role.role} lists purpose ${purpose}, but none of its rules reaches any record under it (its data subjects: ${p.dataSubjects.join(", ")}; categories: ${p.dataCategories.join(", ")})`,
        });
      }
    });
  }
  const parsed = parseYamlFile(join(root, "purposes.yaml"), root, (p) => new PolicyError(p));
  [...policies.purposes.values()].forEach((purpose, i) => {
    if (![...policies.roles.values()].some((r) => r.purposes.includes(purpose.id))) {
      out.push({ level: "warning", at: `${parsed.file}:${lineOf(parsed, ["purposes", i])}`, message: `no role may act under purpose ${purpose.id}` });
    }
  });
  const processorsFile = parseYamlFile(join(root, "processors.yaml"), root, (p) => new PolicyError(p));
  [...policies.processors.values()].forEach((processor, i) => {
    if (![...policies.purposes.values()].some((p) => p.processors.includes(processor.id))) {
      out.push({
        level: "warning",
        at: `${processorsFile.file}:${lineOf(processorsFile, ["processors", i])}`,
        message: `no purpose in purposes.yaml uses processor ${processor.id}`,
      });
    }
  });
}

/** Everything lint finds in loaded policies read from `root`. */
export function lintPolicies(policies: PolicySet, root: string): Finding[] {
  const out: Finding[] = [];
  rules(policies, out);
  purposes(policies, root, out);
  return out;
}
