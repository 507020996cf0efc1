import { createMongoAbility, subject as asSubject, type MongoAbility, type MongoQuery, type RawRuleOf } from "@casl/ability";
import { LEGAL_COMPLIANCE, purposeGates } from "./gates.js";
import type { Conditions, PolicyRule, PolicySet } from "./policy-loader.js";
import type { Registry } from "./registry.js";
import { scopeRules } from "./scopes.js";

export type AppAbility = MongoAbility<[string, string | Record<string, unknown>], MongoQuery>;

/**
 * Who is asking: a signed-in user, or the system itself (jobs, the unsubscribe page, command-line
 * tools), which acts under the rules of policies/roles/system.yaml, or an API token, which acts
 * as its creator (their CURRENT role, `userId`) narrowed by the token's scopes.
 */
export interface Principal {
  kind: "user" | "system" | "token";
  userId: string;
  workspaceId: string;
  role: string;
  email: string;
  name: string;
  /** kind `token`: the token's id, scopes (src/authz/scopes.ts) and the purposes it was given. */
  tokenId?: string;
  scopes?: readonly string[];
  purposes?: readonly string[];
}

/** The user who acted, for ledgers and logs; none when the system itself did. */
export function actorId(principal: Principal | undefined): string | null {
  // A token acts for its creator: the ledgers name the user, the audit detail names the token.
  return (principal?.kind === "user" || principal?.kind === "token") && principal.userId ? principal.userId : null;
}

/** What every compiled CASL rule carries back to explain and decision logs. */
export interface RuleMeta {
  id: string;
  reason: string;
  kind: "role" | "gate" | "scope";
  source?: string;
}

export type AppRawRule = RawRuleOf<AppAbility> & { meta: RuleMeta };

export const DEFAULT_DENY = "default.deny";
/** The role of the system principal (policies/roles/system.yaml); never a user's. */
export const SYSTEM_ROLE = "system";

/** The system role belongs to the system principal only: anyone else holding it gets nothing. */
function roleFits(principal: Principal): boolean {
  return (principal.role === SYSTEM_ROLE) === (principal.kind === "system");
}
export const SELF_PROFILE = "self.profile";
export const SELF_USAGE = "self.usage_events";
export const SELF_CONSENT = "self.consent";
export const SELF_RECTIFY = "self.rectify";
/** The personal fields of their own profile a user corrects themself (updateMyProfile). */
export const SELF_RECTIFIABLE = ["name", "phone", "position"] as const;
/** The rules every user holds over their own data, after the gates (policy-cases and README name them). */
export const SELF_RULES = [SELF_PROFILE, SELF_USAGE, SELF_CONSENT, SELF_RECTIFY] as const;
export { LEGAL_COMPLIANCE };

function interpolate(value: unknown, principal: Principal): unknown {
  if (value === "${user.id}") return principal.userId;
  if (value === "${user.workspaceId}") return principal.workspaceId;
  if (Array.isArray(value)) return value.map((v) => interpolate(v, principal));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, principal)]));
  }
  return value;
}

function tenantCondition(registry: Registry, subject: string, principal: Principal): Conditions {
  return { [registry.get(subject).tenant]: principal.workspaceId };
}

function roleRules(registry: Registry, rule: PolicyRule, principal: Principal): AppRawRule[] {
  const meta: RuleMeta = { id: rule.id, reason: rule.reason, kind: "role", source: rule.source };
  const subjects = rule.subject === "all" ? registry.names : [rule.subject];
  return subjects.map((subject) => {
    const own = rule.conditions ? (interpolate(rule.conditions, principal) as Conditions) : {};
    // Tenant isolation is the engine's job, not the rule author's: every allow is scoped to
    // the principal's workspace. Deny rules stay unscoped, which can only deny more.
    const conditions = rule.effect === "allow" ? { ...own, ...tenantCondition(registry, subject, principal) } : rule.conditions ? own : undefined;
    return {
      action: rule.actions,
      subject,
      ...(rule.fields ? { fields: rule.fields } : {}),
      ...(conditions ? { conditions: conditions as MongoQuery } : {}),
      inverted: rule.effect === "deny",
      reason: rule.reason,
      meta,
    };
  });
}

/**
 * Everyone may read their own profile (Art. 15 access, and `me` must work under any purpose),
 * give or withdraw their own marketing consent (Art. 7(3): as easy as giving it), and correct
 * their own name, phone and position (Art. 16, `rectify`, those fields only): placed
 * after the gates, so no purpose hides a user from themselves.
 */
function selfRules(registry: Registry, principal: Principal): AppRawRule[] {
  if (principal.kind !== "user" || !registry.has("User")) return [];
  const reason = "Every user may read their own profile.";
  const conditions = { id: principal.userId, ...tenantCondition(registry, "User", principal) };
  const consent = "Every user grants and withdraws their own marketing consent, and nobody else's.";
  const rectify = "Every user corrects their own name, phone and position (Art. 16), and nobody else's; role and sign-in email are not theirs to change.";
  return [
    { action: "read", subject: "User", conditions: conditions as MongoQuery, reason, meta: { id: SELF_PROFILE, reason, kind: "gate" } },
    {
      action: ["grant_consent", "withdraw_consent"],
      subject: "User",
      conditions: conditions as MongoQuery,
      reason: consent,
      meta: { id: SELF_CONSENT, reason: consent, kind: "gate" },
    },
    {
      action: "rectify",
      subject: "User",
      fields: [...SELF_RECTIFIABLE],
      conditions: conditions as MongoQuery,
      reason: rectify,
      meta: { id: SELF_RECTIFY, reason: rectify, kind: "gate" },
    },
  ];
}

/**
 * Everyone reads the usage log kept about them (Art. 15) and reports their own page views and
 * feature use, under any purpose: Alpha CRM keeps that log as controller whatever CRM work the
 * request does (privacy policy 2.2), so, like the own profile, it comes after the gates.
 * Nobody else's events: those need a role rule and a purpose that declares `usage`.
 */
function selfUsage(registry: Registry, principal: Principal): AppRawRule[] {
  if (principal.kind !== "user" || !registry.has("UsageEvent")) return [];
  const reason = "Every user may read their own usage events and report their own page views and feature use.";
  const conditions = { userId: principal.userId, ...tenantCondition(registry, "UsageEvent", principal) };
  return [{ action: ["read", "create"], subject: "UsageEvent", conditions: conditions as MongoQuery, reason, meta: { id: SELF_USAGE, reason, kind: "gate" } }];
}

/** An API token gets nothing its scopes leave out (compiled last: CASL gives later rules priority). */
function tokenScopes(registry: Registry, principal: Principal): AppRawRule[] {
  return principal.kind === "token" ? scopeRules(registry, principal.scopes ?? []) : [];
}

function ordered(policies: PolicySet, rules: PolicyRule[], principal: Principal): AppRawRule[] {
  const compile = (effect: PolicyRule["effect"]) => rules.filter((r) => r.effect === effect).flatMap((r) => roleRules(policies.registry, r, principal));
  return [...compile("allow"), ...compile("deny")];
}

// Compiled abilities per policy set (a new set, as a policy reload makes, starts empty), by
// everything buildAbility reads of the principal: a role change, another token scope or purpose
// is another key, so it takes effect at the next request; revocation and deactivation end the
// session itself. Bounded: the oldest key goes first. Abilities are never changed after build.
const ABILITY_CACHE_SIZE = 1000;
const abilityCache = new WeakMap<PolicySet, Map<string, AppAbility>>();

function abilityKey(principal: Principal, purposeId: string): string {
  const scopes = principal.kind === "token" ? (principal.scopes ?? []).join(",") : "";
  return JSON.stringify([principal.kind, principal.userId, principal.workspaceId, principal.role, purposeId, scopes]);
}

/** How many compiled abilities a policy set keeps (tests: the cache stays bounded). */
export function cachedAbilityCount(policies: PolicySet): number {
  return abilityCache.get(policies)?.size ?? 0;
}

/** buildAbility, compiled once per principal, role, purpose, token scopes and policy set. */
export function cachedAbility(policies: PolicySet, principal: Principal, purposeId: string): AppAbility {
  let perPolicies = abilityCache.get(policies);
  if (!perPolicies) abilityCache.set(policies, (perPolicies = new Map()));
  const key = abilityKey(principal, purposeId);
  let ability = perPolicies.get(key);
  if (ability) {
    // Most recently used last.
    perPolicies.delete(key);
  } else {
    ability = buildAbility(policies, principal, purposeId);
    if (perPolicies.size >= ABILITY_CACHE_SIZE) perPolicies.delete(perPolicies.keys().next().value as string);
  }
  perPolicies.set(key, ability);
  return ability;
}

/** Compiles a principal's role rules and the purpose's guards into one CASL ability. */
export function buildAbility(policies: PolicySet, principal: Principal, purposeId: string): AppAbility {
  const role = policies.roles.get(principal.role);
  const purpose = policies.purposes.get(purposeId);
  // Fail closed: an unknown role or purpose, or one the role may not use, grants nothing.
  if (!role || !purpose || !role.purposes.includes(purposeId) || !roleFits(principal)) return createMongoAbility<AppAbility>([]);
  // CASL gives the later rule priority: allows first, then denies, then gates, then the own data.
  return createMongoAbility<AppAbility>([
    ...ordered(policies, role.rules, principal),
    ...purposeGates(policies, purpose),
    ...selfRules(policies.registry, principal),
    ...selfUsage(policies.registry, principal),
    ...tokenScopes(policies.registry, principal),
  ]);
}

/**
 * The ability for privacy-rights operations: the role's own rules, found under
 * legal_compliance whatever the request's purpose (answering rights is a legal obligation).
 */
export function buildRightsAbility(policies: PolicySet, principal: Principal): AppAbility {
  const role = policies.roles.get(principal.role);
  const purpose = policies.purposes.get(LEGAL_COMPLIANCE);
  if (!role || !purpose || !roleFits(principal)) return createMongoAbility<AppAbility>([]);
  return createMongoAbility<AppAbility>([
    ...ordered(policies, role.rules, principal),
    ...purposeGates(policies, purpose),
    ...tokenScopes(policies.registry, principal),
  ]);
}

/** What a privacy-rights answer shows of a person the caller's purpose does not let it see. */
export const PRIVACY_VIEW_FIELDS = ["id", "processingRestricted", "consents", "objections", "erased", "createdAt", "updatedAt"];
export const PRIVACY_VIEW_RULE = "rights.privacy_view";

/**
 * A rights operation may act on a person its purpose hides (a restricted contact's consent can
 * still be withdrawn); its answer then shows the privacy state, not the person's details.
 */
export function buildPrivacyViewAbility(registry: Registry, principal: Principal): AppAbility {
  const reason = "A privacy-rights answer shows only the person's privacy state: your purpose does not let you see their details.";
  const hidden = registry.get("Contact").policyFields.filter((f) => !PRIVACY_VIEW_FIELDS.includes(f));
  const meta: RuleMeta = { id: PRIVACY_VIEW_RULE, reason, kind: "gate" };
  return createMongoAbility<AppAbility>([
    { action: "read", subject: "Contact", conditions: tenantCondition(registry, "Contact", principal) as MongoQuery, reason, meta },
    { action: "read", subject: "Contact", fields: hidden, inverted: true, reason, meta },
  ] as AppRawRule[]);
}

export const WRITTEN_VIEW_RULE = "write.written_view";

/**
 * A write the caller was allowed to make may leave a row it may not read (a token with
 * `companies:write` but not `companies:read`): the answer still says the write happened, by
 * the row's required fields only (non-null in GraphQL, never personal data), instead of a
 * NOT_FOUND that would make the caller write again.
 */
export function buildWrittenViewAbility(registry: Registry, principal: Principal, subject: string): AppAbility {
  const reason = "The answer to your write shows only what identifies the record: you may not read it.";
  const meta: RuleMeta = { id: WRITTEN_VIEW_RULE, reason, kind: "gate" };
  const def = registry.get(subject);
  const hidden = def.policyFields.filter((f) => !def.requiredFields.includes(f));
  return createMongoAbility<AppAbility>([
    { action: "read", subject, conditions: tenantCondition(registry, subject, principal) as MongoQuery, reason, meta },
    ...(hidden.length > 0 ? [{ action: "read", subject, fields: hidden, inverted: true, reason, meta }] : []),
  ] as AppRawRule[]);
}

export interface Decision {
  allowed: boolean;
  rule: string;
  reason: string;
  kind?: RuleMeta["kind"];
}

export function typed(subjectName: string, row: object): Record<string, unknown> {
  return asSubject(subjectName, row as Record<string, unknown>);
}

/** CASL's own verdict, with the rule that decided it and why. */
export function decide(
  ability: AppAbility,
  action: string,
  subjectName: string,
  row?: object,
  field?: string,
  ctx?: { role: string; purpose: string },
): Decision {
  const target = row ? typed(subjectName, row) : subjectName;
  const rule = ability.relevantRuleFor(action, target, field);
  const meta = (rule?.origin as AppRawRule | undefined)?.meta;
  if (rule && meta && !rule.inverted) return { allowed: true, rule: meta.id, reason: meta.reason, kind: meta.kind };
  if (rule && meta) return { allowed: false, rule: meta.id, reason: meta.reason, kind: meta.kind };
  const what = `${action} ${subjectName}${field ? `.${field}` : ""}`;
  const who = ctx ? ` for role ${ctx.role} under purpose ${ctx.purpose}` : "";
  return { allowed: false, rule: DEFAULT_DENY, reason: `No policy rule allows ${what}${who}.` };
}
