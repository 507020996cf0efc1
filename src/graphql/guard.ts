import { permittedFieldsOf } from "@casl/ability/extra";
import { responsePathAsArray, type GraphQLObjectType, type GraphQLResolveInfo } from "graphql";
import { Extensions, type MiddlewareFn } from "type-graphql";
import { decide, typed, type AppAbility } from "../authz/ability.js";
import { recordDecision } from "../authz/decision-log.js";
import type { Registry } from "../authz/registry.js";
import type { Action } from "../authz/subjects.js";
import { DomainError, forbidden, unauthenticated } from "../errors.js";
import type { SubjectName } from "../modules/registry.js";
import type { AppContext } from "./context.js";
import { AppError, asGraphQLError, ErrorCode, toGraphQLError } from "./errors.js";

/**
 * What a field needs, declared where the field is declared:
 * - `ability`: the CASL (action, subject) on Query/Mutation fields; on object types the
 *   type's guard names the subject, and each field is checked against the row's field mask.
 * - `authenticated`: any signed-in principal (logout).
 * - `public`: the contract's public operations (login, processingPurposes...).
 * - `structure`: types that only carry rows (connections, edges, page info); the field that
 *   returned them was checked, and the rows inside guard their own fields.
 */
export type GuardSpec =
  | { kind: "ability"; action: Action; subject: SubjectName; field?: string }
  | { kind: "authenticated" }
  | { kind: "public" }
  | { kind: "structure" };

export const GUARD_KEY = "guard";

/**
 * Declares the (action, subject) a Query, Mutation, object type or field needs. `field`: the
 * parent type's policy field this GraphQL field shows, when the names differ (a connection
 * shows the rows of its plain list: `Contact.dealsConnection` is the policy field `deals`).
 */
export const Guard = (action: Action, subject: SubjectName, field?: string) =>
  Extensions({ [GUARD_KEY]: { kind: "ability", action, subject, ...(field ? { field } : {}) } satisfies GuardSpec });
export const Authenticated = () => Extensions({ [GUARD_KEY]: { kind: "authenticated" } satisfies GuardSpec });
export const Public = () => Extensions({ [GUARD_KEY]: { kind: "public" } satisfies GuardSpec });
export const Structure = () => Extensions({ [GUARD_KEY]: { kind: "structure" } satisfies GuardSpec });

export function guardOf(extensions: Readonly<Record<string, unknown>> | null | undefined): GuardSpec | undefined {
  return (extensions?.[GUARD_KEY] as GuardSpec | undefined) ?? undefined;
}

const ROOT_TYPES = new Set(["Query", "Mutation", "Subscription"]);

// Field masks per row, computed once per row object per request.
const fieldCache = new WeakMap<AppAbility, WeakMap<object, Set<string>>>();

export function readableFields(registry: Registry, ability: AppAbility, subject: string, row: object): Set<string> {
  let perAbility = fieldCache.get(ability);
  if (!perAbility) fieldCache.set(ability, (perAbility = new WeakMap()));
  let fields = perAbility.get(row);
  if (!fields) {
    const all = registry.get(subject).policyFields;
    fields = new Set(permittedFieldsOf(ability, "read", typed(subject, row), { fieldsFrom: (rule) => rule.fields ?? [...all] }));
    perAbility.set(row, fields);
  }
  return fields;
}

async function deny(ctx: AppContext, action: string, subject: string, decision: { rule: string; reason: string }): Promise<never> {
  await recordDecision(ctx.db, ctx.policies, ctx.principal, {
    action,
    subject,
    purpose: ctx.purpose?.id,
    decision: "deny",
    rule: decision.rule,
    reason: decision.reason,
  });
  throw toGraphQLError(forbidden(decision));
}

/** A request that cannot act at all (bad token, purpose not allowed): log purpose denials. */
async function refuse(ctx: AppContext, guard: GuardSpec, failure: DomainError): Promise<never> {
  const { rule, reason } = failure.details;
  if (failure.code === "forbidden" && guard.kind === "ability") {
    await recordDecision(ctx.db, ctx.policies, ctx.request.principal, { action: guard.action, subject: guard.subject, decision: "deny", rule, reason });
  }
  throw toGraphQLError(failure);
}

/** Nulls a field; the first place it was masked is the path its one FORBIDDEN error points at. */
function mask(ctx: AppContext, info: GraphQLResolveInfo, decision: { rule: string; reason: string }): null {
  const type = info.parentType.name;
  const field = info.fieldName;
  const key = `${type}.${field}`;
  if (!ctx.masked.has(key)) ctx.masked.set(key, { type, field, path: responsePathAsArray(info.path), rule: decision.rule, reason: decision.reason });
  return null;
}

/**
 * Runs before every field resolver in the schema. A field with no guard is refused (fail
 * closed), so forgetting a declaration breaks loudly instead of leaking.
 */
export const guardMiddleware: MiddlewareFn<AppContext> = async ({ context: ctx, info, root }, next) => {
  const parent = info.parentType as GraphQLObjectType;
  const fieldGuard = guardOf(parent.getFields()[info.fieldName]?.extensions);
  const who = ctx.principal ? { role: ctx.principal.role, purpose: ctx.purpose?.id ?? "" } : undefined;

  if (ROOT_TYPES.has(parent.name)) {
    if (!fieldGuard) throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, `${parent.name}.${info.fieldName} declares no guard`);
    if (fieldGuard.kind === "public") return run(next);
    if (ctx.request.failure) return refuse(ctx, fieldGuard, ctx.request.failure);
    if (!ctx.principal) throw toGraphQLError(unauthenticated());
    if (fieldGuard.kind !== "ability") return run(next);
    const decision = decide(ctx.ability, fieldGuard.action, fieldGuard.subject, undefined, undefined, who);
    if (!decision.allowed) return deny(ctx, fieldGuard.action, fieldGuard.subject, decision);
    return run(next);
  }

  // Object types: the type names its subject, the row's field mask decides each field.
  const typeGuard = guardOf(parent.extensions);
  if (!typeGuard && !fieldGuard) {
    throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, `${parent.name}.${info.fieldName} declares no guard`);
  }
  if (typeGuard?.kind === "structure" || typeGuard?.kind === "public") return run(next);
  if (typeGuard?.kind === "ability" && ctx.registry.get(typeGuard.subject).public) return run(next);
  if (!ctx.principal) throw toGraphQLError(unauthenticated());
  if (typeGuard?.kind === "ability") {
    const policyField = (fieldGuard?.kind === "ability" && fieldGuard.field) || info.fieldName;
    const ability = ctx.abilityFor(root as object);
    if (!readableFields(ctx.registry, ability, typeGuard.subject, root as object).has(policyField)) {
      return mask(ctx, info, decide(ability, "read", typeGuard.subject, root as object, policyField, who));
    }
  }
  // A field that reaches another subject (Contact.deals) also needs that subject.
  const typeSubject = typeGuard?.kind === "ability" ? typeGuard.subject : undefined;
  if (fieldGuard?.kind === "ability" && fieldGuard.subject !== typeSubject) {
    const decision = decide(ctx.ability, fieldGuard.action, fieldGuard.subject, undefined, undefined, who);
    if (!decision.allowed) return mask(ctx, info, decision);
  }
  return run(next);
};

/** Runs the resolver; a domain error it throws becomes the contract's GraphQL error here. */
async function run(next: () => Promise<unknown>): Promise<unknown> {
  try {
    return await next();
  } catch (error) {
    throw asGraphQLError(error);
  }
}
