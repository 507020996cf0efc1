import type { Scope } from "../common/scope.js";
import { badInput } from "../../errors.js";
import { OrderDirection } from "../common/paging.js";
import { readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { PageRequest } from "../common/paging.js";
import type { CompanyFilter, CompanyOrder, CreateCompanyInput, UpdateCompanyInput } from "./company.input.js";
import { companyFilter } from "./company.repository.js";
import type { CompanyRow } from "./company.type.js";

const crud = new CrudService<CompanyRow>("Company");

export const companyService = {
  list: (ctx: Scope, page: PageRequest, filter?: CompanyFilter | null, order?: CompanyOrder | null) =>
    crud.list(ctx, page, companyFilter(filter, readableBy(ctx, "Company")), order ?? { field: "CREATED_AT", direction: OrderDirection.DESC }),
  get: (ctx: Scope, id: string, field?: string) => crud.get(ctx, id, field),
  create: (ctx: Scope, input: CreateCompanyInput) => crud.create(ctx, { ...input }),
  update(ctx: Scope, id: string, input: UpdateCompanyInput) {
    if (input.name === null) throw badInput("input.name", "cannot be empty");
    return crud.update(ctx, id, { ...input });
  },
  remove: (ctx: Scope, id: string) => crud.remove(ctx, id),
};
