import { eq } from "drizzle-orm";
import { buildAbility, decide, type Decision } from "../../authz/ability.js";
import { explainGates, type PersonState } from "../../authz/gates.js";
import { purposeNotPermitted } from "../../authz/purpose.js";
import { decidingScope, scopeFor, TOKEN_PURPOSES_RULE, TOKEN_SCOPE_RULE } from "../../authz/scopes.js";
import { ACTION_ALIASES, ACTIONS, type ActionAlias } from "../../authz/subjects.js";
import { badInput } from "../../errors.js";
import { isUuid } from "../common/crud.service.js";
import { findByIds } from "../common/entity-store.js";
import { purposeArg } from "../common/rights.js";
import type { Scope } from "../common/scope.js";
import type { AccessCheck, AccessDecision } from "./explain.type.js";

export const TENANT_NOT_FOUND = "tenant.not_found";

/** The row in the caller's workspace, whatever its privacy state: explaining needs to see it. */
async function loadInTenant(ctx: Scope, subjectName: string, id: string) {
  if (!isUuid(id)) return undefined;
  const subject = ctx.registry.get(subjectName);
  const [row] = await findByIds<Record<string, unknown> & { id: string }>(
    ctx.db,
    ctx.registry,
    subject,
    [id],
    eq(subject.columns[subject.tenant], ctx.principal!.workspaceId),
  );
  return row;
}

function verdict(base: Omit<AccessDecision, "allowed" | "rule" | "reason" | "source">, decision: Decision, source: string | null): AccessDecision {
  return { ...base, allowed: decision.allowed, rule: decision.rule, reason: decision.reason, source };
}

/** Which of an API token's scopes lets the action through, or the one it would need. */
function tokenScopeCheck(ctx: Scope, scopes: readonly string[], action: string, subjectName: string): AccessCheck {
  const scope = decidingScope(ctx.registry, scopes, action, subjectName);
  if (scope) return { check: "token_scope", outcome: "pass", detail: `${TOKEN_SCOPE_RULE}: the token's scope ${scope} includes ${action} ${subjectName}.` };
  const needs = scopeFor(subjectName, action);
  return {
    check: "token_scope",
    outcome: "deny",
    detail: `${TOKEN_SCOPE_RULE}: ${needs ? `the token's scopes do not include ${needs}` : `no token scope grants ${action} ${subjectName}`}.`,
  };
}

export const explainService = {
  async explain(ctx: Scope, action: string, subjectName: string, id: string | null | undefined, purposeId: string | null | undefined): Promise<AccessDecision> {
    if (Object.hasOwn(ACTION_ALIASES, action))
      throw badInput("action", `${action} stands for ${ACTION_ALIASES[action as ActionAlias].join(" and ")}: ask about one of them`);
    if (!(ACTIONS as readonly string[]).includes(action)) throw badInput("action", `must be one of ${ACTIONS.join(", ")}`);
    if (!ctx.registry.has(subjectName)) throw badInput("subject", `must be one of ${ctx.registry.names.join(", ")}`);
    const principal = ctx.principal!;
    const purpose = purposeId ? purposeArg(ctx, purposeId) : ctx.purpose!;
    const role = ctx.policies.roles.get(principal.role);
    const base = { role: principal.role, purpose: purpose.id, lawfulBasis: purpose.lawfulBasis, policyDigest: ctx.policies.digest, chain: [] as AccessCheck[] };
    // A token acts only under the purposes it was given, checked before its creator's role (as a request is).
    if (principal.kind === "token") {
      const given = principal.purposes ?? [];
      if (!given.includes(purpose.id)) {
        const reason = `This API token may act only under ${given.join(", ") || "no purpose"}; it was not given purpose ${purpose.id}.`;
        base.chain.push({ check: "token_purposes", outcome: "deny", detail: `${TOKEN_PURPOSES_RULE}: ${reason}` });
        return verdict(base, { allowed: false, rule: TOKEN_PURPOSES_RULE, reason }, null);
      }
      base.chain.push({ check: "token_purposes", outcome: "pass", detail: `${TOKEN_PURPOSES_RULE}: the token was given ${purpose.id} (${given.join(", ")}).` });
    }
    if (!role?.purposes.includes(purpose.id)) {
      const denied = purposeNotPermitted(principal.role, purpose.id, role?.purposes);
      base.chain.push({ check: "purpose", outcome: "deny", detail: denied.reason });
      return verdict(base, { allowed: false, ...denied }, null);
    }
    base.chain.push({ check: "purpose", outcome: "pass", detail: `${principal.role} may act under ${purpose.id} (lawful basis: ${purpose.lawfulBasis}).` });
    const ability = buildAbility(ctx.policies, principal, purpose.id);
    const who = { role: principal.role, purpose: purpose.id };
    const byType = decide(ability, action, subjectName, undefined, undefined, who);
    base.chain.push({ check: "role_rule", outcome: byType.allowed ? "pass" : "deny", detail: `${byType.rule}: ${byType.reason}` });
    if (principal.kind === "token") base.chain.push(tokenScopeCheck(ctx, principal.scopes ?? [], action, subjectName));
    if (!id) return verdict(base, byType, ctx.policies.rulesById.get(byType.rule)?.source ?? null);
    // A row's chain tells whether it exists and its person's state (objections, restriction,
    // consent, erasure): a token learns that only of the subjects its scopes let it read.
    if (principal.kind === "token" && !decidingScope(ctx.registry, principal.scopes ?? [], "read", subjectName)) {
      const reason = `This API token's scopes do not include ${scopeFor(subjectName, "read") ?? `read ${subjectName}`}: it is told nothing about one ${subjectName}.`;
      return verdict(base, { allowed: false, rule: TOKEN_SCOPE_RULE, reason }, null);
    }

    const row = await loadInTenant(ctx, subjectName, id);
    if (!row) {
      const reason = `No ${subjectName} with this id exists in your workspace.`;
      base.chain.push({ check: "tenant", outcome: "deny", detail: reason });
      return verdict(base, { allowed: false, rule: TENANT_NOT_FOUND, reason }, null);
    }
    base.chain.push({ check: "tenant", outcome: "pass", detail: "The record belongs to your workspace." });
    const subject = ctx.registry.get(subjectName);
    const person = (subject.personPath === "" ? row : subject.personPath ? row[subject.personPath.slice(0, -1)] : undefined) as PersonState | undefined;
    base.chain.push(...explainGates(purpose, subject, row, person));
    const decision = decide(ability, action, subjectName, row, undefined, who);
    return verdict(base, decision, ctx.policies.rulesById.get(decision.rule)?.source ?? null);
  },
};
