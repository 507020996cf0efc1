import type { Scope } from "../common/scope.js";
import { badInput } from "../../errors.js";
import { OrderDirection } from "../common/paging.js";
import { readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import { eventInstant } from "../common/instants.js";
import type { PageRequest } from "../common/paging.js";
import { contactService } from "../contacts/contact.service.js";
import { dealService } from "../deals/deal.service.js";
import { rectification } from "../privacy-requests/request-answers.js";
import type { CreateInteractionInput, InteractionFilter, InteractionOrder, UpdateInteractionInput } from "./interaction.input.js";
import { interactionFilter } from "./interaction.repository.js";
import type { InteractionRow } from "./interaction.type.js";

const crud = new CrudService<InteractionRow>("Interaction", { dealId: "deal", contactId: "contact" });

export const interactionService = {
  list: (ctx: Scope, page: PageRequest, filter?: InteractionFilter | null, order?: InteractionOrder | null) =>
    crud.list(ctx, page, interactionFilter(filter, readableBy(ctx, "Interaction")), order ?? { field: "OCCURRED_AT", direction: OrderDirection.DESC }),
  get: (ctx: Scope, id: string, field?: string) => crud.get(ctx, id, field),

  async create(ctx: Scope, input: CreateInteractionInput) {
    if (input.occurredAt != null) eventInstant("input.occurredAt", input.occurredAt);
    // The person must be visible for this purpose; their state is checked again under a lock.
    await contactService.get(ctx, input.contactId, "contactId");
    if (input.dealId) await dealService.get(ctx, input.dealId, "dealId");
    // An interaction serves the request's purpose: the gates decide whether that purpose may record it.
    const values = { ...input, occurredAt: input.occurredAt ?? new Date(), purpose: ctx.purpose!.id };
    return crud.create(ctx, values, { person: { id: input.contactId, field: "contactId" } });
  },

  /** With `requestId`, the change answers a RECTIFICATION request about the interaction's person. */
  async update(ctx: Scope, id: string, input: UpdateInteractionInput, requestId?: string | null) {
    if (input.occurredAt === null) throw badInput("input.occurredAt", "cannot be empty");
    if (input.occurredAt !== undefined) eventInstant("input.occurredAt", input.occurredAt);
    if (input.dealId) await dealService.get(ctx, input.dealId, "dealId");
    const correction =
      requestId == null ? undefined : rectification(ctx, { subject: "Interaction", id, contactId: (await crud.get(ctx, id)).contactId, requestId });
    await correction?.check();
    return crud.update(ctx, id, { ...input }, correction && ((tx, current) => correction.record(tx, current, input)));
  },

  remove: (ctx: Scope, id: string) => crud.remove(ctx, id),
};
