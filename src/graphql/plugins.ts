import type { ApolloServerPlugin } from "@apollo/server";
import type { AppContext } from "./context.js";
import type { GraphQLFormattedError } from "graphql";
import { ErrorCode } from "./errors.js";

/**
 * The contract keeps GraphQL's HTTP 200 for coded errors other than 401, 429 and
 * QUERY_TOO_COMPLEX; Apollo answers 400 when a variable fails its scalar (a bad email), so a
 * response whose errors are all BAD_USER_INPUT goes back to 200, like every other bad input.
 */
function keepBadInputAt200(errors: readonly GraphQLFormattedError[] | undefined, http: { status?: number }): void {
  if (http.status === 400 && errors?.length && errors.every((e) => e.extensions?.code === ErrorCode.BAD_USER_INPUT)) http.status = 200;
}

/**
 * A literal argument that fails its scalar (`email: "nope"` written in the query) is reported
 * by graphql-scalars without the argument's name; find it in the query text at the error's
 * location, so bad input always names its field.
 */
function nameLiteralFields(errors: GraphQLFormattedError[] | undefined, source: string | undefined): GraphQLFormattedError[] | undefined {
  if (!errors || !source) return errors;
  const lines = source.split("\n");
  return errors.map((error) => {
    const at = error.locations?.[0];
    if (error.extensions?.code !== ErrorCode.BAD_USER_INPUT || error.extensions.field || !at) return error;
    const before = [...lines.slice(0, at.line - 1), (lines[at.line - 1] ?? "").slice(0, at.column - 1)].join("\n");
    const field = /([_A-Za-z][_0-9A-Za-z]*)\s*:\s*$/.exec(before)?.[1];
    return field ? { ...error, message: `${field}: ${error.message}`, extensions: { ...error.extensions, field } } : error;
  });
}

/**
 * A field the role may not read resolves to null; the response then carries one FORBIDDEN
 * error per masked field (not one per row), naming it in `extensions.fields`. Bad input is
 * also finished here: named, and kept at HTTP 200.
 */
export const finishResponsePlugin: ApolloServerPlugin<AppContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response, source }) {
        if (response.body.kind !== "single") return;
        response.body.singleResult.errors = nameLiteralFields(response.body.singleResult.errors as GraphQLFormattedError[] | undefined, source);
        keepBadInputAt200(response.body.singleResult.errors, response.http);
        if (contextValue.masked.size === 0) return;
        const masked = [...contextValue.masked.values()].map((m) => ({
          message: `Field ${m.type}.${m.field} is masked: ${m.reason}`,
          extensions: { code: ErrorCode.FORBIDDEN, fields: [m.field], type: m.type, rule: m.rule, reason: m.reason },
        }));
        const result = response.body.singleResult;
        result.errors = [...(result.errors ?? []), ...masked];
      },
    };
  },
};
