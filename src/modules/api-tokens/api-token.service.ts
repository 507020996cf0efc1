import { newApiToken } from "../../auth/api-tokens.js";
import { buildAbility } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import { allScopes, scopeGrants } from "../../authz/scopes.js";
import { PRIVACY_ACTIONS } from "../../authz/subjects.js";
import { badInput, forbidden, notFound } from "../../errors.js";
import { ensureAllowed, refuse, whereCan } from "../common/access.js";
import { cursorScope } from "../common/crud.service.js";
import { type PageArguments, pageRequest } from "../common/paging.js";
import type { Scope } from "../common/scope.js";
import { apiTokenById, apiTokenPage, insertApiToken, revokeApiToken } from "./api-token.repository.js";
import type { ApiTokenRow } from "./api-token.type.js";

export interface CreateApiToken {
  name: string;
  scopes: readonly string[];
  purposes?: readonly string[] | null;
  defaultPurpose?: string | null;
  expiresAt?: Date | null;
}

export const API_TOKEN_DEFAULT_DAYS = 90;
export const API_TOKEN_MAX_DAYS = 365;
/** The rule a refused scope or purpose names: a token never does more than its creator may. */
export const TOKEN_WITHIN_ROLE = "token.within_role";
/**
 * Tokens never make tokens: a child token would outlive its parent's revocation and expiry
 * (a leaked token could renew itself for a year), and a person should see every token made
 * in their name. A person signs in to create one.
 */
export const TOKEN_CANNOT_MINT = "token.cannot_mint";
const CANNOT_MINT_REASON =
  "An API token cannot create API tokens (a token it made would outlive its revocation and expiry); sign in as a person to create one.";
const DAY_MS = 24 * 3600_000;

function tokenPurposes(ctx: Scope, input: CreateApiToken): { purposes: string[]; defaultPurpose: string } {
  const principal = ctx.principal!;
  const role = ctx.policies.roles.get(principal.role);
  const purposes = [...new Set(input.purposes ?? (role ? [role.defaultPurpose] : []))];
  for (const p of purposes) {
    if (!ctx.policies.purposes.has(p)) throw badInput("input.purposes", `unknown purpose "${p}"; see processingPurposes`);
    if (!role?.purposes.includes(p)) {
      throw forbidden(
        { rule: TOKEN_WITHIN_ROLE, reason: `Your role ${principal.role} may not act under purpose ${p}, so no token of yours may.` },
        { field: "input.purposes" },
      );
    }
  }
  const asked = input.defaultPurpose ?? undefined;
  if (asked !== undefined && !purposes.includes(asked)) throw badInput("input.defaultPurpose", "must be one of the token's purposes");
  const defaultPurpose = asked ?? (role && purposes.includes(role.defaultPurpose) ? role.defaultPurpose : purposes[0]);
  return { purposes, defaultPurpose };
}

/**
 * Every scope must be one the API knows and lie within what the creator may do now under one
 * of the token's purposes: the role allows at least one of the actions the scope names (a
 * sales rep may hold `contacts:write` although it never deletes contacts: each use is still
 * cut to the role's rules). Privacy scopes are checked as rights operations (legal_compliance).
 */
function checkScopes(ctx: Scope, scopes: readonly string[], purposes: readonly string[]): string[] {
  const principal = ctx.principal!;
  const known = new Set(allScopes(ctx.registry));
  const abilities = purposes.map((p) => buildAbility(ctx.policies, principal, p));
  const list = [...new Set(scopes.map((s) => s.trim()))];
  for (const scope of list) {
    const grants = known.has(scope) ? scopeGrants(ctx.registry, scope) : undefined;
    if (!grants) throw badInput("input.scopes", `unknown scope "${scope}"; scopes look like contacts:read, deals:write, consents:withdraw`);
    const allowed = grants.some(
      ({ action, subject }) =>
        abilities.some((a) => a.can(action, subject)) || ((PRIVACY_ACTIONS as readonly string[]).includes(action) && ctx.rightsAbility.can(action, subject)),
    );
    if (!allowed) {
      throw forbidden(
        { rule: TOKEN_WITHIN_ROLE, reason: `Scope ${scope} is wider than what your role ${principal.role} may do under ${purposes.join(", ")}.` },
        { field: "input.scopes", scope },
      );
    }
  }
  return list;
}

function expiry(asked: Date | null | undefined, now: Date): Date {
  if (asked === undefined || asked === null) return new Date(now.getTime() + API_TOKEN_DEFAULT_DAYS * DAY_MS);
  if (Number.isNaN(asked.getTime())) throw badInput("input.expiresAt", "is not a date");
  if (asked.getTime() <= now.getTime()) throw badInput("input.expiresAt", "must be in the future");
  if (asked.getTime() > now.getTime() + API_TOKEN_MAX_DAYS * DAY_MS) throw badInput("input.expiresAt", `must be at most ${API_TOKEN_MAX_DAYS} days ahead`);
  return asked;
}

async function loadVisible(ctx: Scope, id: string): Promise<ApiTokenRow> {
  const found = await apiTokenById(ctx.db, id, whereCan(ctx, "read", "ApiToken"));
  if (!found) throw notFound("ApiToken", id, "id");
  return found;
}

export const apiTokenService = {
  list: (ctx: Scope, args: PageArguments) => apiTokenPage(ctx.db, whereCan(ctx, "read", "ApiToken"), pageRequest(args), cursorScope(ctx)),

  /** Makes a token for the caller; the secret is returned this once, only its digest is kept. */
  async create(ctx: Scope, input: CreateApiToken): Promise<{ token: string; apiToken: ApiTokenRow }> {
    const principal = ctx.principal!;
    if (principal.kind !== "user")
      await refuse(ctx, "create", "ApiToken", undefined, { verdict: { allowed: false, rule: TOKEN_CANNOT_MINT, reason: CANNOT_MINT_REASON } });
    const name = input.name.trim();
    if (name === "") throw badInput("input.name", "must not be empty");
    const { purposes, defaultPurpose } = tokenPurposes(ctx, input);
    const scopes = checkScopes(ctx, input.scopes, purposes);
    const expiresAt = expiry(input.expiresAt, new Date());
    const owned: { workspaceId: string; userId: string } = { workspaceId: principal.workspaceId, userId: principal.userId };
    await ensureAllowed(ctx, "create", "ApiToken", owned);
    const secret = newApiToken();
    const apiToken = await ctx.db.transaction(async (tx) => {
      const row = await insertApiToken(tx, {
        workspaceId: principal.workspaceId,
        userId: principal.userId,
        name,
        lookup: secret.lookup,
        secretHash: secret.secretHash,
        scopes,
        purposes,
        defaultPurpose,
        expiresAt,
      });
      await recordDecision(tx, ctx.policies, principal, {
        action: "create",
        subject: "ApiToken",
        subjectId: row.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { scopes, purposes, defaultPurpose, expiresAt: expiresAt.toISOString() },
      });
      return row;
    });
    return { token: secret.token, apiToken };
  },

  /** Revokes a token the caller may delete; it stops at once. Revoking it again answers true. */
  async revoke(ctx: Scope, id: string): Promise<boolean> {
    const found = await loadVisible(ctx, id);
    await ensureAllowed(ctx, "delete", "ApiToken", found);
    await ctx.db.transaction(async (tx) => {
      const changed = await revokeApiToken(tx, found.id, whereCan(ctx, "delete", "ApiToken"));
      if (changed) {
        await recordDecision(tx, ctx.policies, ctx.principal, {
          action: "revoke",
          subject: "ApiToken",
          subjectId: found.id,
          purpose: ctx.purpose?.id,
          decision: "allow",
        });
      }
    });
    return true;
  },
};
