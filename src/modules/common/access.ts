import { decide, type AppAbility, type Decision } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import { accessibleWhere, fieldReadableWhere } from "../../authz/sql-filter.js";
import type { SubjectName } from "../registry.js";
import type { Scope } from "./scope.js";
import { forbidden } from "../../errors.js";

export function whereCan(ctx: Scope, action: string, subject: SubjectName, ability: AppAbility = ctx.ability) {
  return accessibleWhere(ctx.registry, ability, action, subject);
}

/** For filters: rows on which each field is readable to the caller (SQL), null when none. */
export function readableBy(ctx: Scope, subject: SubjectName) {
  return (field: string) => fieldReadableWhere(ctx.registry, ctx.ability, "read", subject, field);
}

export function decision(ctx: Scope, action: string, subject: SubjectName, row?: object, field?: string, ability: AppAbility = ctx.ability): Decision {
  return decide(ability, action, subject, row, field, { role: ctx.principal?.role ?? "", purpose: ctx.purpose?.id ?? "" });
}

export interface Denial {
  verdict: Decision;
  field?: string;
}

/** The first check that fails: the action on the row, or on one of the fields it touches. */
export function firstDenial(
  ctx: Scope,
  action: string,
  subject: SubjectName,
  row?: object,
  fields: readonly string[] = [],
  ability: AppAbility = ctx.ability,
): Denial | undefined {
  for (const field of fields.length > 0 ? fields : [undefined]) {
    const verdict = decision(ctx, action, subject, row, field, ability);
    if (!verdict.allowed) return { verdict, ...(field ? { field } : {}) };
  }
  return undefined;
}

/** Logs a denial in the decision log and throws FORBIDDEN with its rule and reason. */
export async function refuse(ctx: Scope, action: string, subject: SubjectName, row: (object & { id?: string }) | undefined, denial: Denial): Promise<never> {
  const { verdict, field } = denial;
  await recordDecision(ctx.db, ctx.policies, ctx.principal, {
    action,
    subject,
    subjectId: row?.id ?? null,
    purpose: ctx.purpose?.id,
    decision: "deny",
    rule: verdict.rule,
    reason: verdict.reason,
    ...(field ? { detail: { field } } : {}),
  });
  throw forbidden(verdict, field ? { field } : {});
}

/** Throws FORBIDDEN (rule and reason) and logs the denial, unless the ability allows. */
export async function ensureAllowed(
  ctx: Scope,
  action: string,
  subject: SubjectName,
  row?: object & { id?: string },
  fields: readonly string[] = [],
  ability: AppAbility = ctx.ability,
): Promise<void> {
  const denial = firstDenial(ctx, action, subject, row, fields, ability);
  if (denial) await refuse(ctx, action, subject, row, denial);
}
