import DataLoader from "dataloader";
import type { Scope } from "../common/scope.js";
import { answersOf } from "./privacy-request.repository.js";
import type { PrivacyRequestAnswerRow } from "./privacy-request.type.js";

/** The answers of every request on a page, in one statement (the request rows were already checked). */
export function answersByRequest(ctx: Scope): DataLoader<string, PrivacyRequestAnswerRow[]> {
  return ctx.loader(
    "PrivacyRequest:answers",
    () =>
      new DataLoader<string, PrivacyRequestAnswerRow[]>(async (ids) => {
        const rows = await answersOf(ctx.db, ctx.principal!.workspaceId, ids);
        return ids.map((id) => rows.filter((r) => r.requestId === id));
      }),
  );
}
