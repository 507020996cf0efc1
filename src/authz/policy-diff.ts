// What a policy change does, in words: the grants every role gains and loses under every
// purpose between two policies/ folders (policy:diff). Both sides are compiled by the real
// engine (buildAbility, with the purpose gates of purposes.yaml), so a change to a purpose's
// categories, basis or writes shows up exactly as it changes access.
import { buildAbility, buildRightsAbility, decide, type AppAbility } from "./ability.js";
import { LEGAL_COMPLIANCE } from "./gates.js";
import { principalFor } from "./policy-cases.js";
import { stableJson } from "./policy-digest.js";
import { PURPOSE_NOT_PERMITTED } from "./purpose.js";
import type { PolicySet } from "./policy-loader.js";
import { CRUD_ACTIONS, PRIVACY_ACTIONS } from "./subjects.js";

/** What one (role, purpose, action, subject, field) cell allows. */
export interface CellState {
  allowed: boolean;
  /** The rule that decides the type-level question (a role rule, a gate, default.deny, purpose.not_permitted). */
  rule: string;
  /** Conditions of the allows in force (the engine's own-workspace condition left out); "always" when unconditional. */
  when: string[];
  /** Conditions of the denies (role denies and purpose gates) that still refuse some rows. */
  unless: string[];
}

/**
 * gained / lost: allowed on no row before / after. widened / narrowed: the rows allowed are
 * provably more / fewer (conditions compared operator by operator). changed: conditions differ
 * and neither is provably wider; it counts as widening (fail closed).
 */
export type ChangeKind = "gained" | "lost" | "widened" | "narrowed" | "changed";

/** One change: a grant gained or lost, or its conditions changed. */
export interface GrantChange {
  kind: ChangeKind;
  role: string;
  /** The purpose the role acts under; `rights` marks privacy-rights operations (always under legal_compliance). */
  purpose: string;
  rights: boolean;
  action: string;
  subject: string;
  /** Whether the question about the record itself (no field) changes. */
  row: boolean;
  /** The fields that change alike; null when every field does. */
  fields: string[] | null;
  /** The subject's other fields (which do not change this way). */
  except: string[];
  before: CellState;
  after: CellState;
  /** Where the deciding rule now is (or was, for a loss): `policies/roles/sales_rep.yaml:12`. */
  source: string | null;
}

/** A change to a purpose or a role's list of purposes, read from the files themselves. */
export interface DeclarationChange {
  kind: "purpose" | "role" | "processor";
  id: string;
  what: string;
  widens: boolean;
}

export interface PolicyDiff {
  from: string;
  to: string;
  widened: boolean;
  grants: GrantChange[];
  declarations: DeclarationChange[];
}

const OWN_USER = principalFor("x").userId;
const OWN_WORKSPACE = principalFor("x").workspaceId;

/** A condition as a reviewer reads it: the principal's ids as placeholders, no tenant key. */
function conditionText(conditions: unknown, tenant: string): string {
  if (conditions === undefined) return "always";
  const own = { ...(conditions as Record<string, unknown>) };
  if (own[tenant] === OWN_WORKSPACE) delete own[tenant];
  if (Object.keys(own).length === 0) return "always";
  return stableJson(own).replaceAll(`"${OWN_USER}"`, '"${user.id}"').replaceAll(`"${OWN_WORKSPACE}"`, '"${user.workspaceId}"');
}

function cellState(
  ability: AppAbility,
  action: string,
  subject: string,
  field: string | undefined,
  tenant: string,
  ctx: { role: string; purpose: string },
): CellState {
  const d = decide(ability, action, subject, undefined, field, ctx);
  if (!d.allowed) return { allowed: false, rule: d.rule, when: [], unless: [] };
  const when = new Set<string>();
  const unless = new Set<string>();
  for (const rule of ability.rulesFor(action, subject, field)) {
    // Nothing after an unconditional deny decides anything.
    if (rule.inverted && !rule.conditions) break;
    (rule.inverted ? unless : when).add(conditionText(rule.conditions, tenant));
  }
  return { allowed: true, rule: d.rule, when: [...when].sort(), unless: [...unless].sort() };
}

interface Context {
  role: string;
  purpose: string;
  rights: boolean;
  ability: AppAbility;
}

/** Every context a role acts in: each purpose it lists, and the privacy-rights operations. */
function contexts(policies: PolicySet, role: string): Context[] {
  const policy = policies.roles.get(role);
  if (!policy) return [];
  const principal = principalFor(role);
  return [
    ...policy.purposes
      .filter((p) => policies.purposes.has(p))
      .map((purpose) => ({ role, purpose, rights: false, ability: buildAbility(policies, principal, purpose) })),
    { role, purpose: LEGAL_COMPLIANCE, rights: true, ability: buildRightsAbility(policies, principal) },
  ];
}

const contextKey = (c: { role: string; purpose: string; rights: boolean }) => `${c.role}|${c.rights ? "rights" : c.purpose}`;

/** Privacy-rights operations only ever ask about the privacy actions. */
function actionsFor(policies: PolicySet, subject: string, rights: boolean): string[] {
  const privacy = policies.registry.get(subject).privacyActions ?? [];
  return rights ? privacy.filter((a) => (PRIVACY_ACTIONS as readonly string[]).includes(a)) : [...CRUD_ACTIONS, ...privacy];
}

/** A purpose the role does not list: refused before any rule, as the API says it. */
const DENIED: CellState = { allowed: false, rule: PURPOSE_NOT_PERMITTED, when: [], unless: [] };

type Ops = Record<string, unknown>;
const opsOf = (v: unknown): Ops => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Ops) : { $eq: v });
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const has = (o: Ops, op: string) => Object.hasOwn(o, op);

/** Whether every value that passes the comparisons `a` also passes the single comparison `op: v`. */
function opImplied(a: Ops, op: string, v: unknown): boolean {
  const eq = has(a, "$eq") ? [a.$eq] : undefined;
  const within = eq ?? (has(a, "$in") ? list(a.$in) : undefined);
  switch (op) {
    case "$eq":
      return eq !== undefined && eq[0] === v;
    case "$in":
      return within?.every((x) => list(v).includes(x)) === true;
    case "$nin":
      return within?.every((x) => !list(v).includes(x)) === true || (has(a, "$nin") && list(v).every((x) => list(a.$nin).includes(x)));
    case "$ne":
      return (within !== undefined && !within.includes(v)) || (has(a, "$nin") && list(a.$nin).includes(v)) || (has(a, "$ne") && a.$ne === v);
    case "$all":
      return has(a, "$all") && list(v).every((x) => list(a.$all).includes(x));
    default:
      return false;
  }
}

/** Whether the rows matching condition `a` are a subset of those matching `b` (both stable JSON or "always"). */
export function implies(a: string, b: string): boolean {
  if (b === "always") return true;
  if (a === "always") return false;
  const ca = JSON.parse(a) as Ops;
  const cb = JSON.parse(b) as Ops;
  return Object.entries(cb).every(
    ([key, value]) => Object.hasOwn(ca, key) && Object.entries(opsOf(value)).every(([op, v]) => opImplied(opsOf(ca[key]), op, v)),
  );
}

/** Whether `after` allows no row that `before` does not: each allow is inside an old one, each old deny inside a new one. */
function narrower(before: CellState, after: CellState): boolean {
  return after.when.every((n) => before.when.some((o) => implies(n, o))) && before.unless.every((o) => after.unless.some((n) => implies(o, n)));
}

function classify(before: CellState, after: CellState): ChangeKind | undefined {
  if (!before.allowed && !after.allowed) return undefined;
  if (!before.allowed) return "gained";
  if (!after.allowed) return "lost";
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (same(before.when, after.when) && same(before.unless, after.unless)) return undefined;
  if (narrower(before, after)) return "narrowed";
  return narrower(after, before) ? "widened" : "changed";
}

const stateKey = (s: CellState) => stableJson(s);

/** The grant changes between two loaded policy sets, over the same subject registry. */
function grantChanges(before: PolicySet, after: PolicySet): GrantChange[] {
  const registry = after.registry;
  const roles = [...new Set([...before.roles.keys(), ...after.roles.keys()])].sort();
  const changes: GrantChange[] = [];
  for (const role of roles) {
    const was = new Map(contexts(before, role).map((c) => [contextKey(c), c]));
    const now = new Map(contexts(after, role).map((c) => [contextKey(c), c]));
    for (const key of new Set([...was.keys(), ...now.keys()])) {
      const b = was.get(key);
      const a = now.get(key);
      const ctx = (a ?? b)!;
      for (const subject of registry.names) {
        const tenant = registry.get(subject).tenant;
        for (const action of actionsFor(after, subject, ctx.rights)) {
          const state = (c: Context | undefined, field: string | undefined) =>
            c ? cellState(c.ability, action, subject, field, tenant, { role, purpose: c.purpose }) : DENIED;
          // One entry per (kind, before, after): the row itself (null) and the fields that change alike.
          const groups = new Map<string, { kind: ChangeKind; before: CellState; after: CellState; fields: Array<string | null> }>();
          for (const field of [undefined, ...registry.get(subject).policyFields]) {
            const s0 = state(b, field);
            const s1 = state(a, field);
            const kind = classify(s0, s1);
            if (!kind) continue;
            const k = `${kind}|${stateKey(s0)}|${stateKey(s1)}`;
            const group = groups.get(k) ?? { kind, before: s0, after: s1, fields: [] };
            group.fields.push(field ?? null);
            groups.set(k, group);
          }
          for (const g of groups.values()) {
            const all = registry.get(subject).policyFields;
            const named = g.fields.filter((f): f is string => f !== null);
            const decided = g.kind === "lost" ? g.before.rule : g.after.rule;
            const source = (g.kind === "lost" ? before : after).rulesById.get(decided)?.source ?? null;
            changes.push({
              kind: g.kind,
              role,
              purpose: ctx.purpose,
              rights: ctx.rights,
              action,
              subject,
              row: g.fields.includes(null),
              fields: all.every((f) => named.includes(f)) ? null : named,
              except: all.filter((f) => !named.includes(f)),
              before: g.before,
              after: g.after,
              source,
            });
          }
        }
      }
    }
  }
  return changes;
}

function listDiff(label: string, was: readonly string[] = [], now: readonly string[] = []): string | undefined {
  const added = now.filter((x) => !was.includes(x));
  const removed = was.filter((x) => !now.includes(x));
  if (added.length === 0 && removed.length === 0) return undefined;
  return `${label}${added.length ? ` +${added.join(", +")}` : ""}${removed.length ? ` -${removed.join(", -")}` : ""}`;
}

const PURPOSE_SCALARS = ["lawfulBasis", "gdprRole", "channel", "retention", "objectable", "allowedWhenRestricted", "directMarketing"] as const;
const PURPOSE_LISTS = ["dataCategories", "dataSubjects", "writes", "interactionKinds"] as const;

/** Changes to purposes.yaml, processors.yaml and the roles' purpose lists, in words. */
function declarationChanges(before: PolicySet, after: PolicySet): DeclarationChange[] {
  const out: DeclarationChange[] = [];
  for (const id of new Set([...before.purposes.keys(), ...after.purposes.keys()])) {
    const was = before.purposes.get(id);
    const now = after.purposes.get(id);
    if (!was || !now) {
      out.push({ kind: "purpose", id, what: now ? "added" : "removed", widens: false });
      continue;
    }
    for (const key of PURPOSE_SCALARS) {
      if (was[key] !== now[key])
        out.push({ kind: "purpose", id, what: `${key}: ${String(was[key] ?? "none")} -> ${String(now[key] ?? "none")}`, widens: false });
    }
    for (const key of PURPOSE_LISTS) {
      const what = listDiff(key, was[key] as string[] | undefined, now[key] as string[] | undefined);
      if (what) out.push({ kind: "purpose", id, what, widens: false });
    }
    // Data going to a processor it did not go to is a widening, whatever the roles say.
    const processors = listDiff("processors", was.processors, now.processors);
    if (processors) out.push({ kind: "purpose", id, what: processors, widens: now.processors.some((p) => !was.processors.includes(p)) });
  }
  for (const id of new Set([...before.processors.keys(), ...after.processors.keys()])) {
    const was = before.processors.get(id);
    const now = after.processors.get(id);
    if (!was || !now) out.push({ kind: "processor", id, what: now ? "added" : "removed", widens: false });
    else if (was.location !== now.location || was.transferSafeguard !== now.transferSafeguard) {
      out.push({ kind: "processor", id, what: `location or transfer safeguard changed: ${now.location}; ${now.transferSafeguard}`, widens: true });
    }
  }
  for (const id of new Set([...before.roles.keys(), ...after.roles.keys()])) {
    const was = before.roles.get(id);
    const now = after.roles.get(id);
    if (!was || !now) {
      out.push({ kind: "role", id, what: now ? "added" : "removed", widens: false });
      continue;
    }
    const purposes = listDiff("purposes", was.purposes, now.purposes);
    if (purposes) out.push({ kind: "role", id, what: purposes, widens: false });
    if (was.defaultPurpose !== now.defaultPurpose)
      out.push({ kind: "role", id, what: `defaultPurpose: ${was.defaultPurpose} -> ${now.defaultPurpose}`, widens: false });
  }
  return out;
}

/** Who gains and loses what between `before` and `after` (both loaded with the same registry). */
export function policyDiff(before: PolicySet, after: PolicySet, labels: { from: string; to: string }): PolicyDiff {
  const grants = grantChanges(before, after);
  const declarations = declarationChanges(before, after);
  const widened = grants.some((g) => g.kind === "gained" || g.kind === "widened" || g.kind === "changed") || declarations.some((d) => d.widens);
  return { ...labels, widened, grants, declarations };
}

const show = (v: unknown) => (v === null ? "null" : String(v));

/** One condition in words: `kind in (call, email) and ownerId = ${user.id}`. */
function conditionText2(condition: string): string {
  if (condition === "always") return "every row";
  return Object.entries(JSON.parse(condition) as Ops)
    .map(([key, value]) =>
      Object.entries(opsOf(value))
        .map(([op, v]) => {
          if (op === "$eq") return `${key} = ${show(v)}`;
          if (op === "$ne") return v === null ? `${key} is set` : `${key} != ${show(v)}`;
          if (op === "$in") return `${key} in (${list(v).map(show).join(", ")})`;
          if (op === "$nin") return `${key} not in (${list(v).map(show).join(", ")})`;
          return `${key} contains ${list(v).map(show).join(" and ")}`;
        })
        .join(" and "),
    )
    .join(" and ");
}

function conditionWords(s: CellState): string {
  const when = s.when.includes("always") ? "on every row of its workspace" : `where ${s.when.map(conditionText2).join(" or ")}`;
  return s.unless.length > 0 ? `${when}, except where ${s.unless.map(conditionText2).join(" or ")}` : when;
}

function grantWords(g: GrantChange): string {
  const all = g.fields === null;
  const others = g.row && !all ? g.except : [];
  const fields = all
    ? ""
    : others.length > 0 && others.length < g.fields!.length
      ? ` (every field but ${others.join(", ")})`
      : ` (fields ${g.fields!.join(", ") || "none"})`;
  const what = g.row
    ? `${g.action} ${g.subject}${fields}`
    : `${g.action} ${all ? `every field of ${g.subject}` : g.fields!.map((f) => `${g.subject}.${f}`).join(", ")}`;
  const rule = g.kind === "lost" ? g.before.rule : g.after.rule;
  const where = g.source ? ` (${g.source})` : "";
  const at = g.kind === "lost" ? ` [was ${rule}${where}; now denied by ${g.after.rule}]` : ` [${rule}${where}]`;
  switch (g.kind) {
    case "gained":
      return `+ may now ${what} ${conditionWords(g.after)}${at}`;
    case "lost":
      return `- may no longer ${what}${at}`;
    case "narrowed":
      return `- ${what} narrowed: was ${conditionWords(g.before)}; now ${conditionWords(g.after)}`;
    case "widened":
      return `+ ${what} widened: was ${conditionWords(g.before)}; now ${conditionWords(g.after)}`;
    default:
      return `~ ${what} conditions changed (may widen): was ${conditionWords(g.before)}; now ${conditionWords(g.after)}`;
  }
}

const purposeLabel = (g: { purpose: string; rights: boolean }) => (g.rights ? `privacy-rights operations (under ${g.purpose})` : `purpose ${g.purpose}`);

/** The diff in words, grouped by role and purpose. */
export function diffText(diff: PolicyDiff): string {
  const lines = [`policy diff: ${diff.from} -> ${diff.to}`];
  const byContext = new Map<string, GrantChange[]>();
  for (const g of diff.grants) {
    const key = `${g.role} under ${purposeLabel(g)}`;
    byContext.set(key, [...(byContext.get(key) ?? []), g]);
  }
  for (const [context, grants] of byContext) {
    lines.push("", `${context}:`);
    for (const g of grants) lines.push(`  ${grantWords(g)}`);
  }
  if (diff.declarations.length > 0) {
    lines.push("", "declarations (purposes.yaml, processors.yaml, role purposes):");
    for (const d of diff.declarations) lines.push(`  ${d.widens ? "+" : "*"} ${d.kind} ${d.id}: ${d.what}`);
  }
  const count = (k: ChangeKind) => diff.grants.filter((g) => g.kind === k).length;
  lines.push(
    "",
    `${count("gained")} gained, ${count("widened")} widened, ${count("changed")} changed, ${count("lost")} lost, ${count("narrowed")} narrowed; ${
      diff.widened
        ? "access WIDENED: ask for a second reviewer (exit 1)"
        : diff.grants.length + diff.declarations.length === 0
          ? "no change (exit 0)"
          : "nothing widened (exit 0)"
    }`,
  );
  return `${lines.join("\n")}\n`;
}
