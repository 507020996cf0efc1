import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import type { Decision } from "../authz/ability.js";

/** The contract's error codes (API-CONTRACT.md), mapped to transport errors here only. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  RATE_LIMITED: "RATE_LIMITED",
  QUERY_TOO_COMPLEX: "QUERY_TOO_COMPLEX",
  GRAPHQL_PARSE_FAILED: "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED: "GRAPHQL_VALIDATION_FAILED",
  PERSISTED_QUERY_NOT_SUPPORTED: "PERSISTED_QUERY_NOT_SUPPORTED",
  /** Apollo's code for an HTTP request it cannot serve (CSRF check, GET mutation, bad body). */
  BAD_REQUEST: "BAD_REQUEST",
  /** Refusals by the HTTP layer, before GraphQL: body too large, unsupported media type, unknown route. */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

// Request errors (parse, validation, limits, bad variables) get their status from the media
// type the client accepts (src/graphql/plugins.ts); these keep theirs whatever it is.
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
};

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) } });
  }
}

/** HTTP 401 says how to authenticate (RFC 6750): a bearer token, and whether the one sent was bad. */
class UnauthenticatedError extends AppError {
  constructor(message: string, challenge: string) {
    super(ErrorCode.UNAUTHENTICATED, message);
    (this.extensions as { http: unknown }).http = { status: 401, headers: new HeaderMap([["www-authenticate", challenge]]) };
  }
}

export const unauthenticated = (message = "Sign in first: send Authorization: Bearer <token>.") => new UnauthenticatedError(message, "Bearer");

export const invalidToken = (message: string) => new UnauthenticatedError(message, 'Bearer error="invalid_token"');

export const invalidCredentials = () => new UnauthenticatedError("invalid email or password", "Bearer");

export const forbidden = (decision: Pick<Decision, "rule" | "reason">, extra: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.FORBIDDEN, `Forbidden: ${decision.reason}`, { rule: decision.rule, reason: decision.reason, ...extra });

/** Missing, in another workspace, or hidden by a purpose guard: the same answer for all three. */
export const notFound = (subject: string, id: string, field?: string) =>
  new AppError(ErrorCode.NOT_FOUND, `${subject} ${id} was not found.`, { subject, id, ...(field ? { field } : {}) });

export const badInput = (field: string, message: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });

/** HTTP 429 with Retry-After (seconds), as the contract asks. */
export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, message, { retryAfter: retryAfterSeconds });
    (this.extensions as { http: unknown }).http = { status: 429, headers: new HeaderMap([["retry-after", String(retryAfterSeconds)]]) };
  }
}
