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
 * A field the role may not read resolves to null; the response then carries one FORBIDDEN
 * error per masked field (not one per row), naming it in `extensions.fields`.
 */
export const maskedFieldsPlugin: ApolloServerPlugin<AppContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (response.body.kind !== "single") return;
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
