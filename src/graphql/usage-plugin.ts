import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from "@apollo/server";
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { usageService, type ActionDetail } from "../modules/usage/usage.service.js";
import type { AppContext } from "./context.js";

/** Logged already, as a page view or feature use (recordUsage) or as a LOGIN: not an action as well. */
const NOT_ACTIONS = new Set(["recordUsage", "login"]);
const MAX_OPERATION_NAME = 100;

/** Root field names (never aliases, which the client chooses), through fragments, each once. */
function rootFields(selection: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): string[] {
  const names = selection.selections.flatMap((node): string[] => {
    if (node.kind === Kind.FIELD) return node.name.value === "__typename" ? [] : [node.name.value];
    if (node.kind === Kind.INLINE_FRAGMENT) return rootFields(node.selectionSet, fragments, seen);
    const name = node.name.value;
    if (seen.has(name) || !fragments[name]) return [];
    seen.add(name);
    return rootFields(fragments[name].selectionSet, fragments, seen);
  });
  return [...new Set(names)];
}

function actionOf(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  errors: readonly { extensions?: Record<string, unknown> }[],
): ActionDetail {
  const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR")))].sort();
  return {
    operation: operation.name?.value.slice(0, MAX_OPERATION_NAME) ?? null,
    fields: rootFields(operation.selectionSet, fragments).sort(),
    ...(codes.length === 0 ? { outcome: "ok" } : { outcome: "error", errors: codes }),
  };
}

async function recordAction(requestContext: GraphQLRequestContextWillSendResponse<AppContext>): Promise<void> {
  const { contextValue: ctx, operation, document, response, logger } = requestContext;
  if (!operation || !document || response.body.kind !== "single") return;
  const fragments = Object.fromEntries(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])));
  const detail = actionOf(operation, fragments, response.body.singleResult.errors ?? []);
  if (detail.fields.every((f) => NOT_ACTIONS.has(f))) return;
  try {
    await usageService.recordAction(ctx, detail);
  } catch {
    // The mutation has run: its answer stands; the missing log line is reported, not its data.
    logger.warn("usage event for an action could not be recorded");
  }
}

/**
 * One ACTION usage event per executed mutation of a signed-in user (privacy policy 2.2,
 * "actions performed"): the operation's name, its root fields and the outcome (`ok`, or the
 * error codes). Never argument values or variables: they hold the CRM's personal data. Queries
 * write nothing; a sign-in is logged as LOGIN by `signIn`, and a request refused before it
 * could act (bad token, rate limit, purpose not allowed) is not an action.
 */
export const usageActionPlugin: ApolloServerPlugin<AppContext> = {
  async requestDidStart({ contextValue }) {
    let executed = false;
    const signedIn = contextValue.request.principal?.kind === "user" && !contextValue.request.failure;
    if (!signedIn) return {};
    return {
      async executionDidStart({ operation }) {
        // No operation when operationName names none in the document: Apollo still gets here.
        executed = operation?.operation === "mutation";
      },
      async willSendResponse(requestContext) {
        if (executed) await recordAction(requestContext);
      },
    };
  },
};
