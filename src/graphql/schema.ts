import "reflect-metadata";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { validateOrReject, type ValidationError } from "class-validator";
import { ArgumentValidationError, buildSchema as buildTypeGraphqlSchema } from "type-graphql";
import { CompanyResolver } from "../modules/companies/company.resolver.js";
import { ContactResolver } from "../modules/contacts/contact.resolver.js";
import { DealResolver } from "../modules/deals/deal.resolver.js";
import { InteractionResolver } from "../modules/interactions/interaction.resolver.js";
import { UserResolver } from "../modules/users/user.resolver.js";
import { PeopleResolver } from "../modules/people/people.resolver.js";
import { AuditResolver } from "../modules/audit/audit.resolver.js";
import { BreachNoticeResolver, BreachResolver } from "../modules/breaches/breach.resolver.js";
import { PolicyNoticeResolver, PolicyVersionResolver } from "../modules/policy-versions/policy-version.resolver.js";
import { ConsentResolver } from "../modules/consent/consent.resolver.js";
import { ExplainResolver } from "../modules/explain/explain.resolver.js";
import { PrivacyStateResolver } from "../modules/privacy-state/privacy-state.resolver.js";
import { PurposeResolver } from "../modules/purposes/purpose.resolver.js";
import { ErasureResolver } from "../modules/erasure/erasure.resolver.js";
import { LegalHoldResolver } from "../modules/legal-holds/legal-hold.resolver.js";
import { UsageResolver } from "../modules/usage/usage.resolver.js";
import { PrivacyRequestResolver } from "../modules/privacy-requests/privacy-request.resolver.js";
import { WorkspaceResolver } from "../modules/workspaces/workspace.resolver.js";
import { UnsubscribeResolver } from "../modules/unsubscribe/unsubscribe.resolver.js";
import { ApiTokenResolver } from "../modules/api-tokens/api-token.resolver.js";
import { ExportResolver } from "../modules/exports/export.resolver.js";
import { WebhookResolver } from "../modules/webhooks/webhook.resolver.js";
import { guardSchema } from "./guard.js";

export const RESOLVERS = [
  UserResolver,
  PeopleResolver,
  ContactResolver,
  CompanyResolver,
  DealResolver,
  InteractionResolver,
  ConsentResolver,
  PrivacyStateResolver,
  PurposeResolver,
  ExplainResolver,
  AuditResolver,
  LegalHoldResolver,
  BreachResolver,
  BreachNoticeResolver,
  PolicyVersionResolver,
  PolicyNoticeResolver,
  UsageResolver,
  PrivacyRequestResolver,
  WorkspaceResolver,
  UnsubscribeResolver,
  ApiTokenResolver,
  ExportResolver,
  ErasureResolver,
  WebhookResolver,
] as const;

// type-graphql's own validation with these settings (`validate: { forbidUnknownValues: false }`)
// imports class-validator with `await import()` on every call with an object argument: under
// tsx (npm start) each such import goes through the loader hooks' thread, about 3% of the CPU
// of a page request. The same checks, with class-validator imported once.
const VALIDATOR_OPTIONS = { forbidUnknownValues: false, skipMissingProperties: true };
const validatable = (value: unknown): value is object => value !== null && typeof value === "object";
async function validateArgument(value: unknown): Promise<void> {
  if (!validatable(value)) return;
  try {
    if (Array.isArray(value)) await Promise.all(value.filter(validatable).map((item) => validateOrReject(item, VALIDATOR_OPTIONS)));
    else await validateOrReject(value, VALIDATOR_OPTIONS);
  } catch (error) {
    throw new ArgumentValidationError(error as ValidationError[]);
  }
}

let built: Promise<GraphQLSchema> | undefined;

/** The executable schema; every field runs through its guard (guardSchema). */
export function buildSchema(): Promise<GraphQLSchema> {
  built ??= buildTypeGraphqlSchema({
    resolvers: [...RESOLVERS],
    validateFn: validateArgument,
  }).then(guardSchema);
  return built;
}

/** The SDL committed as schema/schema.graphql (sorted, so diffs are about content). */
export async function printedSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildSchema()))}\n`;
}
