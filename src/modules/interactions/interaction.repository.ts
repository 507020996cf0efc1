import { and, eq, type SQL } from "drizzle-orm";
import { interactions } from "../../db/schema/index.js";
import { idFilter, idsFilter, onReadable, rangeFilter, searchFilter, type Readable } from "../common/filters.js";
import type { InteractionFilter } from "./interaction.input.js";

export function interactionFilter(filter: InteractionFilter | undefined | null, readable: Readable): SQL | undefined {
  if (!filter) return undefined;
  return and(
    idsFilter(interactions.id, filter.ids),
    onReadable(readable, "contact", idFilter(interactions.contactId, filter.contactId, "filter.contactId")),
    onReadable(readable, "deal", idFilter(interactions.dealId, filter.dealId, "filter.dealId")),
    filter.kind ? eq(interactions.kind, filter.kind) : undefined,
    searchFilter(
      [
        { column: interactions.subject, fields: ["subject"] },
        { column: interactions.body, fields: ["body"] },
      ],
      filter.search,
      readable,
    ),
    ...rangeFilter(interactions.occurredAt, filter.occurredAfter, filter.occurredBefore),
  );
}
