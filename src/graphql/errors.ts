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
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
};

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) } });
  }
}

export const unauthenticated = (message = "Sign in first: send Authorization: Bearer <token>.") =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);

export const invalidCredentials = () => new AppError(ErrorCode.UNAUTHENTICATED, "invalid email or password");

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
