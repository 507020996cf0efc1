import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import type { ValidationError } from "class-validator";
import type { Config } from "../config.js";
import { AppError, ErrorCode } from "./errors.js";
import { namedInput } from "./input-errors.js";

// graphql-armor rejects with these messages (depth, aliases, cost, tokens, directives).
const TOO_COMPLEX = /(depth limit|aliases limit|cost limit|token limit|directives limit)/i;
// Literal arguments of the wrong type fail validation before execution; that is bad input.
const BAD_LITERAL = /(Expected value of type|got invalid value|Expected type|cannot represent|is not a valid|must be in E\.164)/i;
// graphql-js's parser stops at `parseOptions.maxTokens` with "Document contains more that N
// tokens" (sic, graphql 16).
const TOKEN_LIMIT = "Document contains more th";
/** SQLSTATE query_canceled: statement_timeout (or a cancel request) stopped the statement. */
const STATEMENT_CANCELLED = "57014";

/**
 * Apollo's own codes that are not the contract's, mapped to the contract's: an operationName
 * that names no operation in the document (or none given for a document of several) and
 * introspection refused in production are request errors like any failed validation; a
 * persisted-query look-up is refused like persisted queries themselves.
 */
const APOLLO_CODES: Record<string, ErrorCode> = {
  OPERATION_RESOLUTION_FAILURE: ErrorCode.GRAPHQL_VALIDATION_FAILED,
  INTROSPECTION_DISABLED: ErrorCode.GRAPHQL_VALIDATION_FAILED,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
};
const CONTRACT_CODES = new Set<string>(Object.values(ErrorCode));

function flatten(errors: ValidationError[], prefix = "input"): Array<{ field: string; message: string }> {
  return errors.flatMap((e) => {
    const field = `${prefix}.${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

function withCode(formatted: GraphQLFormattedError, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLFormattedError {
  return { ...formatted, message, extensions: { code, ...extra } };
}

/** Expected, coded errors carry no stack trace, even in development: it would only be noise. */
function withoutStack(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !("stacktrace" in formatted.extensions)) return formatted;
  const { stacktrace: _, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/** The one place errors become transport errors: contract codes, no internals outside development. */
export function formatError(formatted: GraphQLFormattedError, error: unknown, config: Config): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const code = formatted.extensions?.code as string | undefined;
  if (original instanceof AppError) return withoutStack(formatted);

  const validationErrors = (formatted.extensions?.validationErrors ??
    (original as { extensions?: { validationErrors?: ValidationError[] } })?.extensions?.validationErrors) as ValidationError[] | undefined;
  if (validationErrors) {
    const problems = flatten(validationErrors);
    const first = problems[0] ?? { field: "input", message: "is invalid" };
    return withCode(formatted, ErrorCode.BAD_USER_INPUT, `${first.field}: ${first.message}`, { field: first.field, problems });
  }
  if (code === ErrorCode.GRAPHQL_PARSE_FAILED && formatted.message.includes(TOKEN_LIMIT)) {
    return withCode(formatted, ErrorCode.QUERY_TOO_COMPLEX, `Token limit of ${/\d+/.exec(formatted.message)?.[0]} exceeded.`);
  }
  if (code === ErrorCode.GRAPHQL_VALIDATION_FAILED && TOO_COMPLEX.test(formatted.message)) {
    return withCode(formatted, ErrorCode.QUERY_TOO_COMPLEX, formatted.message.replace(/^Syntax Error: /, ""));
  }
  if (code === ErrorCode.BAD_USER_INPUT || (code === ErrorCode.GRAPHQL_VALIDATION_FAILED && BAD_LITERAL.test(formatted.message))) {
    // A bad variable or literal names its input (`input.email`), like every other bad input.
    const input = namedInput(error);
    if (input) return withCode(formatted, ErrorCode.BAD_USER_INPUT, `${input.field}: ${input.message}`, { field: input.field });
    return withCode(formatted, ErrorCode.BAD_USER_INPUT, formatted.message);
  }
  if (code && APOLLO_CODES[code]) return withoutStack({ ...formatted, extensions: { ...formatted.extensions, code: APOLLO_CODES[code] } });
  // Only the contract's codes leave the server; anything else is treated as the fault it is.
  if (code && code !== ErrorCode.INTERNAL_SERVER_ERROR && CONTRACT_CODES.has(code)) return withoutStack(formatted);

  const pgCode = (original as { code?: unknown; cause?: { code?: unknown } })?.code ?? (original as { cause?: { code?: unknown } })?.cause?.code;
  // 57014: a statement ran past STATEMENT_TIMEOUT_MS and PostgreSQL cancelled it (its
  // transaction rolled back). The server is fine; this request asked too much of it.
  if (pgCode === STATEMENT_CANCELLED) {
    return withCode(
      formatted,
      ErrorCode.SERVICE_UNAVAILABLE,
      "The database did not answer within the statement timeout; the statement was cancelled and nothing it wrote was kept. Retry later, or ask for less (a narrower filter, a smaller page).",
    );
  }
  // Database refusals that reach here are bad input that slipped past validation.
  if (typeof pgCode === "string" && /^(22|23)/.test(pgCode)) {
    return withCode(formatted, ErrorCode.BAD_USER_INPUT, "The input conflicts with the data or its constraints.");
  }
  if (config.development) return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
  return { message: "Internal server error", locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
