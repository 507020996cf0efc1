import type { MongoQuery } from "@casl/ability";
import type { AppRawRule, RuleMeta } from "./ability.js";
import type { Registry } from "./registry.js";
import { ACTIONS, CRUD_ACTIONS, type Action } from "./subjects.js";

/**
 * API token scopes (contract: "Token scopes"): `<plural lower-case subject>:<read|write>`
 * (`contacts:read`, `deals:write`; write = create, update and delete; subjects of two words
 * are snake_case: `consent_events:read`, `api_tokens:write`) and the privacy scopes below.
 * A token's ability is its creator's current role rules ∩ the purpose gates ∩ its scopes:
 * whatever the scopes do not grant is denied by rules compiled last (CASL: later wins).
 */
export const PRIVACY_SCOPES: Record<string, { action: Action; subject: string }> = {
  "consents:grant": { action: "grant_consent", subject: "Contact" },
  "consents:withdraw": { action: "withdraw_consent", subject: "Contact" },
  "contacts:restrict": { action: "restrict", subject: "Contact" },
  "contacts:object": { action: "object", subject: "Contact" },
  "contacts:export": { action: "export", subject: "Contact" },
  "contacts:erase": { action: "erase", subject: "Contact" },
};

export const TOKEN_SCOPE_RULE = "token.scopes";
/** A token asked to act under a purpose it was not given (src/http/authenticate.ts, explainAccess). */
export const TOKEN_PURPOSES_RULE = "token.purposes";

/** `ConsentEvent` -> `consent_events`, `Company` -> `companies`, `Breach` -> `breaches`. */
export function scopeNoun(subject: string): string {
  const snake = subject.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
  if (/[^aeiou]y$/.test(snake)) return `${snake.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(snake)) return `${snake}es`;
  return `${snake}s`;
}

/** The scope that an action on a subject needs; undefined when no scope grants it (tokens never do it). */
export function scopeFor(subject: string, action: string): string | undefined {
  if (action === "read") return `${scopeNoun(subject)}:read`;
  if ((CRUD_ACTIONS as readonly string[]).includes(action)) return `${scopeNoun(subject)}:write`;
  return Object.entries(PRIVACY_SCOPES).find(([, s]) => s.subject === subject && s.action === action)?.[0];
}

/** Every scope a token may carry, for the registry's subjects. */
export function allScopes(registry: Registry): string[] {
  const crud = registry.names.flatMap((name) => [`${scopeNoun(name)}:read`, `${scopeNoun(name)}:write`]);
  return [...crud, ...Object.keys(PRIVACY_SCOPES).filter((s) => registry.has(PRIVACY_SCOPES[s].subject))];
}

/** The (action, subject) pairs a scope grants; undefined for an unknown scope. */
export function scopeGrants(registry: Registry, scope: string): Array<{ action: Action; subject: string }> | undefined {
  const privacy = PRIVACY_SCOPES[scope];
  if (privacy) return registry.has(privacy.subject) ? [privacy] : undefined;
  const match = /^([a-z_]+):(read|write)$/.exec(scope);
  const subject = match ? registry.names.find((n) => scopeNoun(n) === match[1]) : undefined;
  if (!match || !subject) return undefined;
  const actions: readonly Action[] = match[2] === "read" ? ["read"] : ["create", "update", "delete"];
  return actions.map((action) => ({ action, subject }));
}

/**
 * Deny rules for everything the scopes leave out, one per (subject, missing scope), so a
 * refusal names the scope it would need. Compiled after every other rule.
 */
export function scopeRules(registry: Registry, scopes: readonly string[]): AppRawRule[] {
  const granted = new Set(scopes.flatMap((s) => (scopeGrants(registry, s) ?? []).map((g) => `${g.action} ${g.subject}`)));
  const rules: AppRawRule[] = [];
  for (const subject of registry.names) {
    const missing = new Map<string, string[]>();
    for (const action of ACTIONS) {
      if (granted.has(`${action} ${subject}`)) continue;
      const needs = scopeFor(subject, action) ?? "";
      missing.set(needs, [...(missing.get(needs) ?? []), action]);
    }
    for (const [needs, actions] of missing) {
      const reason = needs
        ? `This API token's scopes do not include ${needs}.`
        : `No API token scope grants ${actions.join(", ")} on ${subject}: only a signed-in user may.`;
      const meta: RuleMeta = { id: TOKEN_SCOPE_RULE, reason, kind: "scope" };
      rules.push({ action: actions, subject, inverted: true, reason, meta } as AppRawRule);
    }
  }
  return rules;
}

/** The token scope that lets `action` on `subject` through, for explainAccess; undefined when none does. */
export function decidingScope(registry: Registry, scopes: readonly string[], action: string, subject: string): string | undefined {
  return scopes.find((s) => (scopeGrants(registry, s) ?? []).some((g) => g.action === action && g.subject === subject));
}

export type { MongoQuery };
