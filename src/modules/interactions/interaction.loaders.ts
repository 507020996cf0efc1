import { interactions } from "../../db/schema/index.js";
import type { Scope } from "../common/scope.js";
import { groupedConnection, groupedLoader } from "../common/loaders.js";
import type { PageRequest } from "../common/paging.js";
import { OrderDirection } from "../common/paging.js";
import type { InteractionRow } from "./interaction.type.js";

export const interactionsByContact = (ctx: Scope, first?: number) =>
  groupedLoader<InteractionRow>(ctx, "Interaction", { column: interactions.contactId, key: "contactId" }, interactions.occurredAt, first);

/** Newest first, as the plain list beside it. */
export const interactionPagesByContact = (ctx: Scope, page: PageRequest) =>
  groupedConnection<InteractionRow>(
    ctx,
    "Interaction",
    { column: interactions.contactId, key: "contactId" },
    { field: "OCCURRED_AT", direction: OrderDirection.DESC },
    page,
  );
