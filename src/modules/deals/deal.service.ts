import type { AppContext } from "../../graphql/context.js";
import { badInput } from "../../graphql/errors.js";
import { OrderDirection } from "../../graphql/pagination.js";
import { readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { PageRequest } from "../common/paging.js";
import { companyService } from "../companies/company.service.js";
import { contactService } from "../contacts/contact.service.js";
import type { CreateDealInput, DealFilter, DealOrder, UpdateDealInput } from "./deal.input.js";
import { DealStage } from "./deal.type.js";
import { dealFilter, dealSpec } from "./deal.repository.js";

const crud = new CrudService(dealSpec, { contactId: "contact", companyId: "company" });

function closedAt(stage: DealStage | null | undefined): Date | null | undefined {
  if (stage === undefined || stage === null) return undefined;
  return stage === DealStage.WON || stage === DealStage.LOST ? new Date() : null;
}

export const dealService = {
  list: (ctx: AppContext, page: PageRequest, filter?: DealFilter | null, order?: DealOrder | null) =>
    crud.list(ctx, page, dealFilter(filter, readableBy(ctx, "Deal")), order ?? { field: "CREATED_AT", direction: OrderDirection.DESC }),
  get: (ctx: AppContext, id: string, field?: string) => crud.get(ctx, id, field),

  async create(ctx: AppContext, input: CreateDealInput) {
    const contact = input.contactId ? await contactService.personState(ctx, input.contactId) : undefined;
    if (input.companyId) await companyService.get(ctx, input.companyId, "companyId");
    const values = { ...input, stage: input.stage ?? DealStage.LEAD, currency: input.currency ?? "EUR", closedAt: closedAt(input.stage) ?? null };
    return crud.create(ctx, values, { contact });
  },

  async update(ctx: AppContext, id: string, input: UpdateDealInput) {
    for (const field of ["title", "stage", "currency"] as const) {
      if (input[field] === null) throw badInput(`input.${field}`, "cannot be empty");
    }
    if (input.contactId) await contactService.personState(ctx, input.contactId);
    if (input.companyId) await companyService.get(ctx, input.companyId, "companyId");
    return crud.update(ctx, id, { ...input, closedAt: closedAt(input.stage) });
  },

  remove: (ctx: AppContext, id: string) => crud.remove(ctx, id),
};
