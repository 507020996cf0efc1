import type { FastifyError } from "fastify";

/** What Fastify's logger types ask an `err` serializer to return. */
type LoggedError = { type: string; message: string; stack: string; [key: string]: unknown };

/**
 * How errors appear in the request log. A client's bad request (Fastify's 400, 413, 415, ...)
 * is the client's mistake, not ours: its code and message are enough, and a stack trace there
 * only hides real problems. Server errors keep their stack.
 */
export function serializeLoggedError(error: FastifyError): LoggedError {
  if (error.statusCode !== undefined && error.statusCode < 500) {
    // Fastify's types insist on a stack; for a client's mistake there deliberately is none.
    return { type: "ClientError", code: error.code, message: error.message } as Partial<LoggedError> as LoggedError;
  }
  return { type: error.name, code: error.code, message: error.message, stack: error.stack ?? "" };
}
