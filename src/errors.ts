/**
 * Errors of the domain, independent of any transport: services, repositories, authz and jobs
 * throw these; `src/graphql/errors.ts` maps each code to the contract's GraphQL error in one
 * exhaustive switch (a new code does not compile until it is mapped).
 */
export type DomainCode = "bad_input" | "not_found" | "forbidden" | "unauthenticated" | "invalid_token" | "invalid_credentials" | "rate_limited";

export interface DomainDetails {
  /** The input field at fault (`input.email`, `after`). */
  field?: string;
  /** The rule that decided a denial, and why in words. */
  rule?: string;
  reason?: string;
  /** What was not found. */
  subject?: string;
  id?: string;
  /** Seconds until a rate limit lets the caller in again. */
  retryAfter?: number;
  /** Anything else worth showing the caller (never secrets). */
  extra?: Record<string, unknown>;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainCode,
    message: string,
    readonly details: DomainDetails = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badInput = (field: string, message: string) => new DomainError("bad_input", `${field}: ${message}`, { field });

/** Missing, in another workspace, or hidden by a purpose guard: the same answer for all three. */
export const notFound = (subject: string, id: string, field?: string) =>
  new DomainError("not_found", `${subject} ${id} was not found.`, { subject, id, ...(field ? { field } : {}) });

export const forbidden = (decision: { rule: string; reason: string }, extra: Record<string, unknown> = {}) =>
  new DomainError("forbidden", `Forbidden: ${decision.reason}`, { rule: decision.rule, reason: decision.reason, extra });

export const unauthenticated = (message = "Sign in first: send Authorization: Bearer <token>.") => new DomainError("unauthenticated", message);

/** A token was sent but is malformed, unknown, expired or revoked. */
export const invalidToken = (message: string) => new DomainError("invalid_token", message);

export const invalidCredentials = () => new DomainError("invalid_credentials", "invalid email or password");

export const rateLimited = (message: string, retryAfterSeconds: number) => new DomainError("rate_limited", message, { retryAfter: retryAfterSeconds });
