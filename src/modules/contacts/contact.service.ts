import type { AppAbility } from "../../authz/ability.js";
import type { AppContext } from "../../graphql/context.js";
import { badInput } from "../../graphql/errors.js";
import { OrderDirection } from "../../graphql/pagination.js";
import { readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { PageRequest } from "../common/paging.js";
import { companyService } from "../companies/company.service.js";
import type { ContactFilter, ContactOrder, CreateContactInput, UpdateContactInput } from "./contact.input.js";
import { contactFilter, contactSpec } from "./contact.repository.js";

const crud = new CrudService(contactSpec, { companyId: "company" });

/** A person's privacy state as a new contact has it: nothing granted, nothing restricted. */
const NEW_PERSON = { consentedPurposes: [], objectedPurposes: [], processingRestricted: false, erasedAt: null };

async function checkCompany(ctx: AppContext, companyId: string | null | undefined): Promise<void> {
  if (companyId) await companyService.get(ctx, companyId, "companyId");
}

export const contactService = {
  list: (ctx: AppContext, page: PageRequest, filter?: ContactFilter | null, order?: ContactOrder | null) =>
    crud.list(ctx, page, contactFilter(filter, readableBy(ctx, "Contact")), order ?? { field: "CREATED_AT", direction: OrderDirection.DESC }),

  get: (ctx: AppContext, id: string, field?: string) => crud.get(ctx, id, field),
  getWith: (ctx: AppContext, id: string, ability: AppAbility, field?: string) => crud.getWith(ctx, id, ability, field),

  async create(ctx: AppContext, input: CreateContactInput) {
    await checkCompany(ctx, input.companyId);
    return crud.create(ctx, { ...input }, NEW_PERSON);
  },

  async update(ctx: AppContext, id: string, input: UpdateContactInput) {
    for (const field of ["firstName", "lastName"] as const) {
      if (input[field] === null) throw badInput(`input.${field}`, "cannot be empty");
    }
    await checkCompany(ctx, input.companyId);
    return crud.update(ctx, id, { ...input });
  },

  remove: (ctx: AppContext, id: string) => crud.remove(ctx, id),

  /**
   * A visible person's privacy state (what the gates test on `contact.`), to attach to a deal
   * or interaction being written, so the write check sees what a read would.
   */
  async personState(ctx: AppContext, contactId: string, field = "contactId") {
    const { consentedPurposes, objectedPurposes, processingRestricted, erasedAt } = await crud.get(ctx, contactId, field);
    return { consentedPurposes, objectedPurposes, processingRestricted, erasedAt };
  },
};
