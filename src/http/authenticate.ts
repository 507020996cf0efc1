import type { FastifyRequest } from "fastify";
import type { Principal } from "../authz/ability.js";
import type { PolicySet, Purpose } from "../authz/policy-loader.js";
import { principalForSession, SESSION_PREFIX } from "../auth/sessions.js";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { API_TOKEN_PREFIX, principalForApiToken } from "../auth/api-tokens.js";
import { countThisMinute, secondsLeft } from "../auth/throttle.js";
import { recordDecision } from "../authz/decision-log.js";
import type { CallerLimiter } from "./rate-limit.js";
import { tokenDigest } from "../auth/tokens.js";
import { resolvePurpose } from "../authz/purpose.js";
import { TOKEN_PURPOSES_RULE } from "../authz/scopes.js";
import { DomainError, forbidden, invalidToken } from "../errors.js";
import { RateLimitedError } from "../graphql/errors.js";

export const PURPOSE_HEADER = "x-processing-purpose";

export interface ResolvedRequest {
  principal?: Principal;
  purpose?: Purpose;
  token?: string;
  sessionId?: string;
  /** Why the request cannot act; raised by the guard on the first non-public field. */
  failure?: DomainError;
  /** A malformed request (an unknown purpose header): refused before execution, a request error. */
  invalid?: DomainError;
}

function bearer(request: FastifyRequest): string | undefined | null {
  const header = request.headers.authorization;
  if (header === undefined || header === "") return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** The anonymous per-minute limit (RATE_LIMIT_ANONYMOUS_PER_MINUTE); callers' limits are the limiter's. */
export type RequestLimits = Pick<Config, "rateLimitAnonymousPerMinute">;

declare module "fastify" {
  interface FastifyRequest {
    /** RateLimit / RateLimit-Policy of the caller's limits, sent with the response. */
    rateLimitHeaders?: Record<string, string>;
  }
}

/**
 * A request no session answers for (no token, a malformed or an unknown one) is counted per
 * client address, so public operations (login first) cannot be flooded from one place. Over
 * the limit the whole request is refused: the context fails with 429 before anything runs.
 */
async function countAnonymous(db: Db, request: FastifyRequest, perMinute: number): Promise<void> {
  const retryAfter = await anonymousRetryAfter(db, request.ip, perMinute);
  if (retryAfter !== undefined) {
    throw new RateLimitedError(`More than ${perMinute} requests this minute without a session from this address; retry later.`, retryAfter);
  }
}

/** Counts one request with no session from `ip`; the seconds to wait when over the limit, else undefined. */
export async function anonymousRetryAfter(db: Db, ip: string, perMinute: number): Promise<number | undefined> {
  const hits = await countThisMinute(db, `anonymous:${tokenDigest(ip)}`);
  return hits > perMinute ? secondsLeft(60) : undefined;
}

/**
 * Who is calling and under which purpose. A session token costs one SQL statement; an API token
 * one too (which also moves its `last_used_at` at most once a minute); a mistyped API token
 * (its checksum fails) none. Each caller (user or token) and its workspace are then counted by
 * `limiter` (no SQL per request): over a limit the whole request is refused with 429.
 */
export async function resolveRequest(
  db: Db,
  policies: PolicySet,
  request: FastifyRequest,
  limits: RequestLimits,
  limiter?: CallerLimiter,
): Promise<ResolvedRequest> {
  const token = bearer(request);
  const session = token?.startsWith(SESSION_PREFIX) && token.length < 200 ? await principalForSession(db, token) : null;
  const apiToken = !session && token?.startsWith(API_TOKEN_PREFIX) && token.length < 200 ? await principalForApiToken(db, token) : null;
  if (!session && !apiToken) await countAnonymous(db, request, limits.rateLimitAnonymousPerMinute);
  if (token === undefined) return {};
  if (token === null) return { failure: invalidToken("Authorization must be `Bearer <token>`.") };
  const found = session ?? apiToken;
  if (!found) return { failure: invalidToken("The token is unknown, expired or revoked; sign in again.") };
  const { principal } = found;
  const sessionId = session?.sessionId;
  if (limiter) {
    const caller = apiToken ? `token:${apiToken.tokenId}` : `user:${principal.userId}`;
    const verdict = await limiter.consume(caller, principal.workspaceId);
    request.rateLimitHeaders = verdict.headers;
    if (!verdict.allowed) {
      const who = apiToken ? "API token" : "user";
      throw new RateLimitedError(`Too many requests this minute for this ${who} or its workspace; retry later.`, verdict.reset);
    }
  }
  if (apiToken?.firstUse) {
    await recordDecision(db, policies, principal, {
      action: "use",
      subject: "ApiToken",
      subjectId: apiToken.tokenId,
      decision: "allow",
      reason: "first use of the API token",
    });
  }
  const header = request.headers[PURPOSE_HEADER];
  const asked = typeof header === "string" && header.trim() !== "" ? header.trim() : undefined;
  // A token acts only under the purposes it declared (its default when none is asked), within its creator's role.
  if (apiToken && asked !== undefined && policies.purposes.has(asked) && !apiToken.purposes.includes(asked)) {
    const failure = forbidden({
      rule: TOKEN_PURPOSES_RULE,
      reason: `This API token may act only under ${apiToken.purposes.join(", ")}; it was not given purpose ${asked}.`,
    });
    return { principal, token, failure };
  }
  const purpose = resolvePurpose(policies, principal, apiToken ? (asked ?? apiToken.defaultPurpose) : asked);
  // An unknown purpose is a malformed request (refused before execution); one the role may not use is a denial.
  if (purpose instanceof DomainError) return { principal, token, sessionId, failure: purpose, ...(purpose.code === "bad_input" ? { invalid: purpose } : {}) };
  return { principal, purpose, token, sessionId };
}
