import type { FastifyRequest } from "fastify";
import type { Principal } from "../authz/ability.js";
import type { PolicySet, Purpose } from "../authz/policy-loader.js";
import { principalForSession, SESSION_PREFIX } from "../auth/sessions.js";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { countThisMinute, secondsLeft } from "../auth/throttle.js";
import { tokenDigest } from "../auth/tokens.js";
import { resolvePurpose } from "../authz/purpose.js";
import { DomainError, invalidToken, rateLimited } from "../errors.js";
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

/** The per-minute limits (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_ANONYMOUS_PER_MINUTE). */
export type RequestLimits = Pick<Config, "rateLimitPerMinute" | "rateLimitAnonymousPerMinute">;

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
 * Who is calling and under which purpose. A session token costs one SQL statement, which
 * also counts the request against the session's per-minute limit.
 */
export async function resolveRequest(db: Db, policies: PolicySet, request: FastifyRequest, limits: RequestLimits): Promise<ResolvedRequest> {
  const token = bearer(request);
  const session = token?.startsWith(SESSION_PREFIX) && token.length < 200 ? await principalForSession(db, token) : null;
  if (!session) await countAnonymous(db, request, limits.rateLimitAnonymousPerMinute);
  if (token === undefined) return {};
  if (token === null) return { failure: invalidToken("Authorization must be `Bearer <token>`.") };
  if (!session) return { failure: invalidToken("The token is unknown, expired or revoked; sign in again.") };
  const { principal, sessionId } = session;
  const perMinute = limits.rateLimitPerMinute;
  if (session.hits > perMinute) {
    return { principal, token, sessionId, failure: rateLimited(`More than ${perMinute} requests this minute for this session; retry later.`, secondsLeft(60)) };
  }
  const asked = request.headers[PURPOSE_HEADER];
  const purpose = resolvePurpose(policies, principal, typeof asked === "string" ? asked : undefined);
  // An unknown purpose is a malformed request (refused before execution); one the role may not use is a denial.
  if (purpose instanceof DomainError) return { principal, token, sessionId, failure: purpose, ...(purpose.code === "bad_input" ? { invalid: purpose } : {}) };
  return { principal, purpose, token, sessionId };
}
