import type { FastifyRequest } from "fastify";
import type { Principal } from "../authz/ability.js";
import type { PolicySet, Purpose } from "../authz/policy-loader.js";
import { principalForSession, SESSION_PREFIX } from "../auth/sessions.js";
import type { Db } from "../db/client.js";
import { secondsLeft } from "../auth/throttle.js";
import { AppError, badInput, ErrorCode, invalidToken, RateLimitedError } from "../graphql/errors.js";

export const PURPOSE_HEADER = "x-processing-purpose";
export const PURPOSE_NOT_PERMITTED = "purpose.not_permitted";

export interface ResolvedRequest {
  principal?: Principal;
  purpose?: Purpose;
  token?: string;
  /** Why the request cannot act; raised by the guard on the first non-public field. */
  failure?: AppError;
  /** A malformed request (an unknown purpose header): refused before execution, a request error. */
  invalid?: AppError;
}

function bearer(request: FastifyRequest): string | undefined | null {
  const header = request.headers.authorization;
  if (header === undefined || header === "") return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Who is calling and under which purpose. A session token costs one SQL statement, which
 * also counts the request against the session's per-minute limit.
 */
export async function resolveRequest(db: Db, policies: PolicySet, request: FastifyRequest, perMinute: number): Promise<ResolvedRequest> {
  const token = bearer(request);
  if (token === undefined) return {};
  if (token === null) return { failure: invalidToken("Authorization must be `Bearer <token>`.") };
  const session = token.startsWith(SESSION_PREFIX) && token.length < 200 ? await principalForSession(db, token) : null;
  if (!session) return { failure: invalidToken("The token is unknown, expired or revoked; sign in again.") };
  const { principal } = session;
  if (session.hits > perMinute) {
    return { principal, token, failure: new RateLimitedError(`More than ${perMinute} requests this minute for this session; retry later.`, secondsLeft(60)) };
  }

  const role = policies.roles.get(principal.role);
  const asked = request.headers[PURPOSE_HEADER];
  const purposeId = typeof asked === "string" && asked !== "" ? asked.trim() : role?.defaultPurpose;
  const purpose = purposeId ? policies.purposes.get(purposeId) : undefined;
  if (!purpose) {
    const invalid = badInput("X-Processing-Purpose", `unknown purpose "${purposeId}"; see processingPurposes`);
    return { principal, token, failure: invalid, invalid };
  }
  if (!role?.purposes.includes(purpose.id)) {
    const reason = `Role ${principal.role} may not act under purpose ${purpose.id}; its purposes are ${role?.purposes.join(", ") ?? "none"}.`;
    return { principal, token, failure: new AppError(ErrorCode.FORBIDDEN, `Forbidden: ${reason}`, { rule: PURPOSE_NOT_PERMITTED, reason }) };
  }
  return { principal, purpose, token };
}
