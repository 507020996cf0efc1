import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from "@apollo/server";
import { GraphQLError, type FormattedExecutionResult } from "graphql";
import type { AppContext } from "./context.js";
import { ErrorCode, toGraphQLError } from "./errors.js";
import { checkFanOut, fragmentsOf } from "./fan-out.js";
import { nameInputErrors } from "./input-errors.js";
import { MEDIA_TYPE, responseMediaType } from "./media-type.js";

// Errors that stop a request before execution, answered by media type (GraphQL over HTTP).
const REQUEST_ERRORS = new Set<unknown>([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.BAD_USER_INPUT,
]);

/**
 * The contract's status table: a request error (no `data`) is 400 when the response is
 * application/graphql-response+json and 200 when it is application/json; execution errors keep
 * 200, and 401/429/5xx keep theirs. Apollo answers persisted queries it does not support with
 * 200; the contract asks for a coded 400, whatever the media type.
 */
function httpStatus(result: FormattedExecutionResult, mediaType: string | undefined, http: { status?: number }): void {
  const codes = (result.errors ?? []).map((e) => e.extensions?.code);
  if (codes.includes(ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED)) {
    http.status = 400;
    return;
  }
  const requestError = result.data === undefined && codes.length > 0 && codes.every((code) => REQUEST_ERRORS.has(code));
  if (requestError) http.status = mediaType === MEDIA_TYPE.GRAPHQL_RESPONSE ? 400 : 200;
}

/** Over HTTP this API answers queries and mutations; a subscription is refused before it runs. */
function refuseSubscription(operation: string | undefined): void {
  if (operation === "subscription") {
    throw new GraphQLError("Subscriptions are not supported: send a query or a mutation.", {
      extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } },
    });
  }
}

function maskedFieldErrors(contextValue: AppContext) {
  return [...contextValue.masked.values()].map((m) => ({
    message: `Field ${m.type}.${m.field} is masked: ${m.reason}`,
    path: [...m.path],
    extensions: { code: ErrorCode.FORBIDDEN, fields: [m.field], type: m.type, rule: m.rule, reason: m.reason },
  }));
}

function finish({ contextValue, response, request }: GraphQLRequestContextWillSendResponse<AppContext>): void {
  if (response.body.kind !== "single") return;
  const result = response.body.singleResult;
  // Chosen here, so the status and the content type agree (Apollo keeps a type already set).
  const mediaType = responseMediaType(request.http?.headers.get("accept"));
  if (mediaType) response.http.headers.set("content-type", mediaType);
  httpStatus(result, mediaType, response.http);
  if (contextValue.masked.size > 0) result.errors = [...(result.errors ?? []), ...maskedFieldErrors(contextValue)];
}

/**
 * Bad input is named (`extensions.field`) while Apollo reports it; a request that cannot be
 * served (a subscription, an unknown purpose header) is refused before execution, so it is a
 * request error; a field the role may not read resolves to null and the response carries one
 * FORBIDDEN error per masked field (not one per row), naming it in `extensions.fields`, with the
 * `path` of its first occurrence so clients can place it.
 */
export const finishResponsePlugin: ApolloServerPlugin<AppContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue, schema, document, request }) {
        refuseSubscription(operation?.operation);
        if (contextValue.request.invalid) throw toGraphQLError(contextValue.request.invalid);
        if (operation) checkFanOut(schema, operation, fragmentsOf(document), request.variables);
      },
      async didEncounterErrors({ errors, schema, document, request }) {
        nameInputErrors(errors, schema, document, request.variables);
      },
      async willSendResponse(requestContext) {
        finish(requestContext);
      },
    };
  },
};
