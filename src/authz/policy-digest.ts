// Which policy decided: one sha256 over everything that decides a request (the policy files
// the loader read, the gate table they compile to, the subject registry's vocabulary).
import { createHash } from "node:crypto";
import { purposeGates } from "./gates.js";
import type { PolicySet } from "./policy-loader.js";
import type { Registry } from "./registry.js";
import { ACTION_ALIASES, ACTIONS, CONDITION_OPERATORS } from "./subjects.js";

/** JSON with object keys sorted at every depth, so equal values serialize to equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The registry as the policies see it: names, fields, condition fields, categories, person links. */
export function registryVocabulary(registry: Registry): unknown {
  return registry.names.map((name) => {
    const s = registry.get(name);
    return {
      name,
      tenant: s.tenant,
      key: s.key,
      policyFields: s.policyFields,
      requiredFields: s.requiredFields,
      conditionFields: s.conditionFields,
      personalFields: s.personalFields,
      personPath: s.personPath ?? null,
      category: s.category ?? null,
      dataSubject: s.dataSubject ?? null,
      privacyActions: s.privacyActions ?? [],
      recordPurpose: s.recordPurpose ?? null,
      relations: Object.fromEntries(Object.entries(s.relations ?? {}).map(([k, r]) => [k, r.subject])),
    };
  });
}

/** Every purpose's compiled gates (what src/authz/gates.ts makes of purposes.yaml). */
export function gateTable(policies: Omit<PolicySet, "digest">): unknown {
  return [...policies.purposes.values()].map((p) => ({
    purpose: p.id,
    gates: purposeGates(policies as PolicySet, p).map((g) => ({
      id: g.meta.id,
      action: g.action,
      subject: g.subject,
      fields: g.fields ?? null,
      conditions: g.conditions ?? null,
    })),
  }));
}

/**
 * sha256 (hex) of the stable serialization of: the policy files' contents (by path), the gate
 * table and the registry's vocabulary (plus the actions and operators a rule may use).
 */
export function policyDigest(policies: Omit<PolicySet, "digest">): string {
  const input = stableJson({
    files: policies.files,
    gates: gateTable(policies),
    registry: registryVocabulary(policies.registry),
    vocabulary: { actions: ACTIONS, aliases: ACTION_ALIASES, operators: CONDITION_OPERATORS },
  });
  return createHash("sha256").update(input).digest("hex");
}
