import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { DomainError, type DomainCode } from "../errors.js";

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
  /** An endpoint whose setting is missing (POST /webhooks/stripe without STRIPE_WEBHOOK_SECRET). */
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
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
export class UnauthenticatedError extends AppError {
  constructor(message: string, challenge: string) {
    super(ErrorCode.UNAUTHENTICATED, message);
    (this.extensions as { http: unknown }).http = { status: 401, headers: new HeaderMap([["www-authenticate", challenge]]) };
  }
}

/** HTTP 429 with Retry-After (seconds), as the contract asks. */
export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, message, { retryAfter: retryAfterSeconds });
    (this.extensions as { http: unknown }).http = { status: 429, headers: new HeaderMap([["retry-after", String(retryAfterSeconds)]]) };
  }
}

function codeOf(code: DomainCode): ErrorCode {
  switch (code) {
    case "bad_input":
      return ErrorCode.BAD_USER_INPUT;
    case "not_found":
      return ErrorCode.NOT_FOUND;
    case "forbidden":
      return ErrorCode.FORBIDDEN;
    case "unauthenticated":
    case "invalid_token":
    case "invalid_credentials":
      return ErrorCode.UNAUTHENTICATED;
    case "rate_limited":
      return ErrorCode.RATE_LIMITED;
    default: {
      const unmapped: never = code;
      throw new Error(`unmapped domain error code ${String(unmapped)}`);
    }
  }
}

/** The one place a domain error becomes the contract's GraphQL error. */
export function toGraphQLError(error: DomainError): AppError {
  const { field, rule, reason, subject, id, retryAfter, extra } = error.details;
  const code = codeOf(error.code);
  if (code === ErrorCode.RATE_LIMITED) return new RateLimitedError(error.message, retryAfter ?? 60);
  if (code === ErrorCode.UNAUTHENTICATED)
    return new UnauthenticatedError(error.message, error.code === "invalid_token" ? 'Bearer error="invalid_token"' : "Bearer");
  const extensions = Object.fromEntries(Object.entries({ rule, reason, subject, id, field, ...extra }).filter(([, v]) => v !== undefined));
  return new AppError(code, error.message, extensions);
}

/** Domain errors become GraphQL errors; anything else is passed on as it is. */
export function asGraphQLError(error: unknown): unknown {
  return error instanceof DomainError ? toGraphQLError(error) : error;
}
