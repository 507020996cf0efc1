import { interactions } from "../../db/schema/index.js";
import type { Scope } from "../common/scope.js";
import { groupedLoader } from "../common/loaders.js";
import type { InteractionRow } from "./interaction.type.js";

export const interactionsByContact = (ctx: Scope, first?: number) =>
  groupedLoader<InteractionRow>(ctx, "Interaction", { column: interactions.contactId, key: "contactId" }, interactions.occurredAt, first);
