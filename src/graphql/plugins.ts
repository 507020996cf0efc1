import type { ApolloServerPlugin } from "@apollo/server";
import type { AppContext } from "./context.js";
import { ErrorCode } from "./errors.js";

/**
 * A field the role may not read resolves to null; the response then carries one FORBIDDEN
 * error per masked field (not one per row), naming it in `extensions.fields`.
 */
export const maskedFieldsPlugin: ApolloServerPlugin<AppContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (response.body.kind !== "single" || contextValue.masked.size === 0) return;
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
