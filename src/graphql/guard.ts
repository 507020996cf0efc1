import { permittedFieldsOf } from "@casl/ability/extra";
import { defaultFieldResolver, isObjectType, responsePathAsArray, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";
import { Extensions } from "type-graphql";
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

/** Field masks per ability and row: one per request (AppContext.fieldMasks), so it dies with it. */
export type FieldMasks = WeakMap<AppAbility, WeakMap<object, ReadonlySet<string>>>;

// Per ability and subject: every policy field (when no read rule of the subject lists fields), or
// undefined (some rule lists fields: each row's mask is worked out by permittedFieldsOf).
const wholeRows = new WeakMap<AppAbility, Map<string, ReadonlySet<string> | undefined>>();
const NO_FIELDS: ReadonlySet<string> = new Set<string>();

export function wholeRowFields(registry: Registry, ability: AppAbility, subject: string): ReadonlySet<string> | undefined {
  let perAbility = wholeRows.get(ability);
  if (!perAbility) wholeRows.set(ability, (perAbility = new Map()));
  if (!perAbility.has(subject)) {
    const whole = ability.possibleRulesFor("read", subject).every((rule) => !rule.fields);
    perAbility.set(subject, whole ? new Set(registry.get(subject).policyFields) : undefined);
  }
  return perAbility.get(subject);
}

export function readableFields(masks: FieldMasks, registry: Registry, ability: AppAbility, subject: string, row: object): ReadonlySet<string> {
  let perAbility = masks.get(ability);
  if (!perAbility) masks.set(ability, (perAbility = new WeakMap()));
  let fields = perAbility.get(row);
  if (!fields) {
    const whole = wholeRowFields(registry, ability, subject);
    if (whole) {
      // No rule lists fields: permittedFieldsOf adds or removes every field per matching rule,
      // so the row's mask is what its highest-priority matching rule says, which is can().
      fields = ability.can("read", typed(subject, row)) ? whole : NO_FIELDS;
    } else {
      const all = registry.get(subject).policyFields;
      fields = new Set(permittedFieldsOf(ability, "read", typed(subject, row), { fieldsFrom: (rule) => rule.fields ?? [...all] }));
    }
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

type Resolver = GraphQLFieldResolver<unknown, AppContext>;
type Who = { role: string; purpose: string } | undefined;
export const whoOf = (ctx: AppContext): Who => (ctx.principal ? { role: ctx.principal.role, purpose: ctx.purpose?.id ?? "" } : undefined);

/** Resolvers guardSchema put in place: the schema test checks that every field has one. */
const guardedResolvers = new WeakSet<Resolver>();
export function isGuarded(resolve: unknown): boolean {
  return typeof resolve === "function" && guardedResolvers.has(resolve as Resolver);
}
function guarded(resolve: Resolver): Resolver {
  guardedResolvers.add(resolve);
  return resolve;
}

/** A field with no guard: refuses to run (fail closed), so a forgotten declaration breaks loudly. */
function unguarded(type: string, field: string): Resolver {
  return guarded(() => {
    throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, `${type}.${field} declares no guard`);
  });
}

/**
 * Runs the resolver, synchronously when it is (a plain column): a domain error it throws, or
 * its promise rejects with, becomes the contract's GraphQL error here.
 */
function run(resolve: Resolver, root: unknown, args: Record<string, unknown>, ctx: AppContext, info: GraphQLResolveInfo): unknown {
  let result: unknown;
  try {
    result = resolve(root, args, ctx, info);
  } catch (error) {
    throw asGraphQLError(error);
  }
  if (result instanceof Promise) {
    return result.then(undefined, (error: unknown) => {
      throw asGraphQLError(error);
    });
  }
  return result;
}

/** Query and Mutation fields: the request must be able to act, then the (action, subject) is decided once per field. */
function rootResolver(resolve: Resolver, guard: GuardSpec): Resolver {
  if (guard.kind === "public") return guarded((root, args, ctx, info) => run(resolve, root, args, ctx, info));
  return guarded((root, args, ctx, info) => {
    if (ctx.request.failure) return refuse(ctx, guard, ctx.request.failure);
    if (!ctx.principal) throw toGraphQLError(unauthenticated());
    if (guard.kind === "ability") {
      const decision = decide(ctx.ability, guard.action, guard.subject, undefined, undefined, whoOf(ctx));
      if (!decision.allowed) return deny(ctx, guard.action, guard.subject, decision);
    }
    return run(resolve, root, args, ctx, info);
  });
}

// A field reaching another subject (Contact.deals needs Deal): decided once per request.
const crossDecisions = new WeakMap<AppAbility, Map<string, ReturnType<typeof decide>>>();
export function crossDecision(ctx: AppContext, action: Action, subject: SubjectName) {
  let perAbility = crossDecisions.get(ctx.ability);
  if (!perAbility) crossDecisions.set(ctx.ability, (perAbility = new Map()));
  const key = `${action} ${subject}`;
  let decision = perAbility.get(key);
  if (!decision) perAbility.set(key, (decision = decide(ctx.ability, action, subject, undefined, undefined, whoOf(ctx))));
  return decision;
}

/**
 * Fields of object types: the type names its subject and the row's field mask (decided once
 * per row and ability, `readableFields`) decides each field; a field reaching another subject
 * also needs that subject. Everything is synchronous, so a plain column resolves at once.
 */
function objectResolver(resolve: Resolver, typeGuard: GuardSpec | undefined, fieldGuard: GuardSpec | undefined, fieldName: string): Resolver {
  if (typeGuard?.kind === "structure" || typeGuard?.kind === "public") return guarded((root, args, ctx, info) => run(resolve, root, args, ctx, info));
  const subject = typeGuard?.kind === "ability" ? typeGuard.subject : undefined;
  const policyField = (fieldGuard?.kind === "ability" && fieldGuard.field) || fieldName;
  const other = fieldGuard?.kind === "ability" && fieldGuard.subject !== subject ? fieldGuard : undefined;
  return guarded((root, args, ctx, info) => {
    // A public subject (purposes) shows every field; the repository chose the rows.
    if (subject && ctx.registry.get(subject).public) return run(resolve, root, args, ctx, info);
    if (!ctx.principal) throw toGraphQLError(unauthenticated());
    if (subject) {
      const ability = ctx.abilityFor(root as object);
      if (!readableFields(ctx.fieldMasks, ctx.registry, ability, subject, root as object).has(policyField)) {
        return mask(ctx, info, decide(ability, "read", subject, root as object, policyField, whoOf(ctx)));
      }
    }
    if (other) {
      const decision = crossDecision(ctx, other.action, other.subject);
      if (!decision.allowed) return mask(ctx, info, decision);
    }
    return run(resolve, root, args, ctx, info);
  });
}

/**
 * Puts a guard in front of every field resolver of the built schema (in place, once). It
 * replaces a global middleware, which made every field async: the guard of each field is
 * read here, once, and a field with no guard gets a resolver that refuses to run.
 */
export function guardSchema(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const typeGuard = guardOf(type.extensions);
    for (const field of Object.values(type.getFields())) {
      if (isGuarded(field.resolve)) continue;
      const resolve = (field.resolve ?? defaultFieldResolver) as Resolver;
      const fieldGuard = guardOf(field.extensions);
      if (ROOT_TYPES.has(type.name)) field.resolve = fieldGuard ? rootResolver(resolve, fieldGuard) : unguarded(type.name, field.name);
      else if (!typeGuard && !fieldGuard) field.resolve = unguarded(type.name, field.name);
      else field.resolve = objectResolver(resolve, typeGuard, fieldGuard, field.name);
    }
  }
  return schema;
}
