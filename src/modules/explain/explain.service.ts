import { eq, getTableColumns, type Column } from "drizzle-orm";
import { buildAbility, decide, type Decision } from "../../authz/ability.js";
import type { Purpose } from "../../authz/policy-loader.js";
import { ACTION_ALIASES, ACTIONS, isSubject, type ActionAlias, SUBJECTS, type SubjectName } from "../../authz/subjects.js";
import { PURPOSE_NOT_PERMITTED } from "../../http/authenticate.js";
import type { AppContext } from "../../graphql/context.js";
import { badInput } from "../../graphql/errors.js";
import { isUuid } from "../common/crud.service.js";
import { findByIds, type EntitySpec } from "../common/entity-store.js";
import { purposeArg } from "../common/rights.js";
import { companySpec } from "../companies/company.repository.js";
import { contactSpec } from "../contacts/contact.repository.js";
import { dealSpec } from "../deals/deal.repository.js";
import { interactionSpec } from "../interactions/interaction.repository.js";
import { userSpec, workspaceSpec } from "../users/user.repository.js";
import type { AccessCheck, AccessDecision } from "./explain.type.js";

export const TENANT_NOT_FOUND = "tenant.not_found";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const SPECS: Partial<Record<SubjectName, EntitySpec<any>>> = {
  Contact: contactSpec,
  Company: companySpec,
  Deal: dealSpec,
  Interaction: interactionSpec,
  User: userSpec,
  Workspace: workspaceSpec,
};

interface PersonState {
  consentedPurposes: string[];
  objectedPurposes: string[];
  processingRestricted: boolean;
  erasedAt: Date | null;
}

/** The person's state against each gate the purpose derives, in words. */
function personChecks(purpose: Purpose, person: PersonState | undefined): AccessCheck[] {
  if (!person) return [{ check: "person", outcome: "n/a", detail: "No person is linked to this record." }];
  const checks: AccessCheck[] = [];
  const yes = (ok: boolean) => (ok ? "pass" : "deny");
  if (purpose.lawfulBasis === "consent") {
    const ok = person.consentedPurposes.includes(purpose.id);
    checks.push({ check: "consent", outcome: yes(ok), detail: ok ? `Granted consent for ${purpose.id} is on record.` : `No granted, unwithdrawn consent for ${purpose.id}.` });
  }
  if (purpose.objectable) {
    const ok = !person.objectedPurposes.includes(purpose.id);
    checks.push({ check: "objection", outcome: yes(ok), detail: ok ? `No objection to ${purpose.id}.` : `The person objected to ${purpose.id}.` });
  }
  checks.push(
    purpose.allowedWhenRestricted
      ? { check: "restriction", outcome: "pass", detail: `${purpose.id} applies to restricted data (Art. 18(2)).` }
      : { check: "restriction", outcome: yes(!person.processingRestricted), detail: person.processingRestricted ? "Processing is restricted." : "Processing is not restricted." },
  );
  if (purpose.lawfulBasis !== "legal_obligation") {
    checks.push({ check: "erasure", outcome: yes(person.erasedAt === null), detail: person.erasedAt ? "The person was erased." : "Not erased." });
  }
  return checks;
}

async function loadInTenant(ctx: AppContext, subject: SubjectName, id: string) {
  const spec = SPECS[subject];
  if (!spec) throw badInput("id", `explanations for one ${subject} are not available; ask without id`);
  if (!isUuid(id)) return undefined;
  const tenant = (getTableColumns(spec.table) as Record<string, Column>)[SUBJECTS[subject].tenantField];
  const [row] = await findByIds(ctx.db, spec, [id], eq(tenant, ctx.principal!.workspaceId));
  return row as (Record<string, unknown> & { id: string }) | undefined;
}

function verdict(base: Omit<AccessDecision, "allowed" | "rule" | "reason" | "source">, decision: Decision, source: string | null): AccessDecision {
  return { ...base, allowed: decision.allowed, rule: decision.rule, reason: decision.reason, source };
}

export const explainService = {
  async explain(ctx: AppContext, action: string, subjectName: string, id: string | null | undefined, purposeId: string | null | undefined): Promise<AccessDecision> {
    if (Object.hasOwn(ACTION_ALIASES, action)) throw badInput("action", `${action} stands for ${ACTION_ALIASES[action as ActionAlias].join(" and ")}: ask about one of them`);
    if (!(ACTIONS as readonly string[]).includes(action)) throw badInput("action", `must be one of ${ACTIONS.join(", ")}`);
    if (!isSubject(subjectName)) throw badInput("subject", `must be one of ${Object.keys(SUBJECTS).join(", ")}`);
    const principal = ctx.principal!;
    const purpose = purposeId ? purposeArg(ctx, purposeId) : ctx.purpose!;
    const role = ctx.policies.roles.get(principal.role);
    const base = { role: principal.role, purpose: purpose.id, lawfulBasis: purpose.lawfulBasis, chain: [] as AccessCheck[] };
    if (!role?.purposes.includes(purpose.id)) {
      const reason = `Role ${principal.role} may not act under purpose ${purpose.id}.`;
      base.chain.push({ check: "purpose", outcome: "deny", detail: reason });
      return verdict(base, { allowed: false, rule: PURPOSE_NOT_PERMITTED, reason }, null);
    }
    base.chain.push({ check: "purpose", outcome: "pass", detail: `${principal.role} may act under ${purpose.id} (lawful basis: ${purpose.lawfulBasis}).` });
    const ability = buildAbility(ctx.policies, principal, purpose.id);
    const who = { role: principal.role, purpose: purpose.id };
    const byType = decide(ability, action, subjectName, undefined, undefined, who);
    base.chain.push({ check: "role_rule", outcome: byType.allowed ? "pass" : "deny", detail: `${byType.rule}: ${byType.reason}` });
    if (!id) return verdict(base, byType, ctx.policies.rulesById.get(byType.rule)?.source ?? null);

    const row = await loadInTenant(ctx, subjectName, id);
    if (!row) {
      const reason = `No ${subjectName} with this id exists in your workspace.`;
      base.chain.push({ check: "tenant", outcome: "deny", detail: reason });
      return verdict(base, { allowed: false, rule: TENANT_NOT_FOUND, reason }, null);
    }
    base.chain.push({ check: "tenant", outcome: "pass", detail: "The record belongs to your workspace." });
    const person = (subjectName === "Contact" ? row : row.contact) as PersonState | undefined;
    if (["Contact", "Deal", "Interaction"].includes(subjectName)) base.chain.push(...personChecks(purpose, person));
    const decision = decide(ability, action, subjectName, row, undefined, who);
    return verdict(base, decision, ctx.policies.rulesById.get(decision.rule)?.source ?? null);
  },
};
