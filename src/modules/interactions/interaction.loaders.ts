import { interactions } from "../../db/schema/index.js";
import type { AppContext } from "../../graphql/context.js";
import { groupedLoader } from "../common/loaders.js";
import { interactionSpec } from "./interaction.repository.js";

export const interactionsByContact = (ctx: AppContext, first?: number) =>
  groupedLoader(ctx, interactionSpec, { column: interactions.contactId, key: "contactId" }, interactions.occurredAt, first);
