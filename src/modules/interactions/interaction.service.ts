import type { AppContext } from "../../graphql/context.js";
import { badInput } from "../../graphql/errors.js";
import { OrderDirection } from "../../graphql/pagination.js";
import { readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { PageRequest } from "../common/paging.js";
import { contactService } from "../contacts/contact.service.js";
import { dealService } from "../deals/deal.service.js";
import type { CreateInteractionInput, InteractionFilter, InteractionOrder, UpdateInteractionInput } from "./interaction.input.js";
import { interactionFilter, interactionSpec } from "./interaction.repository.js";

const crud = new CrudService(interactionSpec, { dealId: "deal" });

/**
 * A marketing message goes out on the channel its consent covers: an SMS under
 * marketing_email (or an email under marketing_sms) is refused.
 */
function checkChannel(ctx: AppContext, kind: string): void {
  const purpose = ctx.purpose!;
  const channelKinds = ["email", "sms"];
  if (purpose.lawfulBasis === "consent" && channelKinds.includes(kind) && purpose.channel !== kind) {
    throw badInput("input.kind", `a ${kind} cannot be recorded under ${purpose.id}, whose consent covers ${purpose.channel} only`);
  }
}

export const interactionService = {
  list: (ctx: AppContext, page: PageRequest, filter?: InteractionFilter | null, order?: InteractionOrder | null) =>
    crud.list(ctx, page, interactionFilter(filter, readableBy(ctx, "Interaction")), order ?? { field: "OCCURRED_AT", direction: OrderDirection.DESC }),
  get: (ctx: AppContext, id: string, field?: string) => crud.get(ctx, id, field),

  async create(ctx: AppContext, input: CreateInteractionInput) {
    checkChannel(ctx, input.kind);
    const contact = await contactService.personState(ctx, input.contactId);
    if (input.dealId) await dealService.get(ctx, input.dealId, "dealId");
    const values = { ...input, occurredAt: input.occurredAt ?? new Date(), purpose: ctx.purpose!.id };
    return crud.create(ctx, values, { contact });
  },

  async update(ctx: AppContext, id: string, input: UpdateInteractionInput) {
    if (input.occurredAt === null) throw badInput("input.occurredAt", "cannot be empty");
    if (input.dealId) await dealService.get(ctx, input.dealId, "dealId");
    return crud.update(ctx, id, { ...input });
  },

  remove: (ctx: AppContext, id: string) => crud.remove(ctx, id),
};
