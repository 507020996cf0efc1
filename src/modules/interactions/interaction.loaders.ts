import { interactions } from "../../db/schema/index.js";
import type { AppContext } from "../../graphql/context.js";
import { groupedConnection, groupedLoader } from "../common/loaders.js";
import type { PageRequest } from "../common/paging.js";
import { OrderDirection } from "../../graphql/pagination.js";
import { interactionSpec } from "./interaction.repository.js";

export const interactionsByContact = (ctx: AppContext, first?: number) =>
  groupedLoader(ctx, interactionSpec, { column: interactions.contactId, key: "contactId" }, interactions.occurredAt, first);

/** Newest first, as the plain list beside it. */
export const interactionPagesByContact = (ctx: AppContext, page: PageRequest) =>
  groupedConnection(ctx, interactionSpec, { column: interactions.contactId, key: "contactId" }, { field: "OCCURRED_AT", direction: OrderDirection.DESC }, page);
