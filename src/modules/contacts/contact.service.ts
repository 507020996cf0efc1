import type { AppAbility } from "../../authz/ability.js";
import type { Scope } from "../common/scope.js";
import { badInput } from "../../errors.js";
import { OrderDirection } from "../common/paging.js";
import { readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { PageRequest } from "../common/paging.js";
import { companyService } from "../companies/company.service.js";
import type { ContactFilter, ContactOrder, CreateContactInput, UpdateContactInput } from "./contact.input.js";
import { contactFilter, standingObjections } from "./contact.repository.js";
import type { ContactRow } from "./contact.type.js";

const crud = new CrudService<ContactRow>("Contact", { companyId: "company" });

/** A person's privacy state as a new contact has it: nothing granted, nothing restricted. */
const NEW_PERSON = { consentedPurposes: [], objectedPurposes: [], processingRestricted: false, erasedAt: null };

async function checkCompany(ctx: Scope, companyId: string | null | undefined): Promise<void> {
  if (companyId) await companyService.get(ctx, companyId, "companyId");
}

export const contactService = {
  list: (ctx: Scope, page: PageRequest, filter?: ContactFilter | null, order?: ContactOrder | null) =>
    crud.list(ctx, page, contactFilter(filter, readableBy(ctx, "Contact")), order ?? { field: "CREATED_AT", direction: OrderDirection.DESC }),

  get: (ctx: Scope, id: string, field?: string) => crud.get(ctx, id, field),
  getWith: (ctx: Scope, id: string, ability: AppAbility, field?: string) => crud.getWith(ctx, id, ability, field),

  /**
   * A new contact starts with no consent. If the workspace already knows this person (same
   * email), their objections and restriction come along: adding the person again must not
   * escape an objection (Art. 21) or a restriction (Art. 18).
   */
  async create(ctx: Scope, input: CreateContactInput) {
    await checkCompany(ctx, input.companyId);
    const standing = input.email ? await standingObjections(ctx.db, ctx.principal!.workspaceId, input.email) : undefined;
    const state = { ...NEW_PERSON, ...standing };
    return crud.create(ctx, { ...input }, { check: state, set: standing });
  },

  async update(ctx: Scope, id: string, input: UpdateContactInput) {
    for (const field of ["firstName", "lastName"] as const) {
      if (input[field] === null) throw badInput(`input.${field}`, "cannot be empty");
    }
    await checkCompany(ctx, input.companyId);
    return crud.update(ctx, id, { ...input });
  },

  remove: (ctx: Scope, id: string) => crud.remove(ctx, id),
};
