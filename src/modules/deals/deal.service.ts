import type { Scope } from "../common/scope.js";
import { badInput } from "../../errors.js";
import { OrderDirection } from "../common/paging.js";
import { readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { PageRequest } from "../common/paging.js";
import { companyService } from "../companies/company.service.js";
import { contactService } from "../contacts/contact.service.js";
import { rectification } from "../privacy-requests/request-answers.js";
import type { CreateDealInput, DealFilter, DealOrder, UpdateDealInput } from "./deal.input.js";
import { DealStage } from "./deal.subject.js";
import { dealFilter } from "./deal.repository.js";
import type { DealRow } from "./deal.type.js";

const crud = new CrudService<DealRow>("Deal", { contactId: "contact", companyId: "company" });

function closedAt(stage: DealStage | null | undefined): Date | null | undefined {
  if (stage === undefined || stage === null) return undefined;
  return stage === DealStage.WON || stage === DealStage.LOST ? new Date() : null;
}

export const dealService = {
  list: (ctx: Scope, page: PageRequest, filter?: DealFilter | null, order?: DealOrder | null) =>
    crud.list(ctx, page, dealFilter(filter, readableBy(ctx, "Deal")), order ?? { field: "CREATED_AT", direction: OrderDirection.DESC }),
  get: (ctx: Scope, id: string, field?: string) => crud.get(ctx, id, field),

  async create(ctx: Scope, input: CreateDealInput) {
    // The person must be visible for this purpose; their state is checked again under a lock.
    if (input.contactId) await contactService.get(ctx, input.contactId, "contactId");
    if (input.companyId) await companyService.get(ctx, input.companyId, "companyId");
    const values = { ...input, stage: input.stage ?? DealStage.LEAD, currency: input.currency ?? "EUR", closedAt: closedAt(input.stage) ?? null };
    return crud.create(ctx, values, { person: { id: input.contactId, field: "contactId" } });
  },

  /** With `requestId`, the change answers a RECTIFICATION request about the deal's person (a title naming them). */
  async update(ctx: Scope, id: string, input: UpdateDealInput, requestId?: string | null) {
    for (const field of ["title", "stage", "currency"] as const) {
      if (input[field] === null) throw badInput(`input.${field}`, "cannot be empty");
    }
    if (input.contactId) await contactService.get(ctx, input.contactId, "contactId");
    if (input.companyId) await companyService.get(ctx, input.companyId, "companyId");
    const correction = requestId == null ? undefined : rectification(ctx, { subject: "Deal", id, contactId: (await crud.get(ctx, id)).contactId, requestId });
    await correction?.check();
    return crud.update(ctx, id, { ...input, closedAt: closedAt(input.stage) }, correction && ((tx, current) => correction.record(tx, current, input)));
  },

  remove: (ctx: Scope, id: string) => crud.remove(ctx, id),
};
