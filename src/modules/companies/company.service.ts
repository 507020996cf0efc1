import type { AppContext } from "../../graphql/context.js";
import { badInput } from "../../graphql/errors.js";
import { OrderDirection } from "../../graphql/pagination.js";
import { readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { PageRequest } from "../common/paging.js";
import type { CompanyFilter, CompanyOrder, CreateCompanyInput, UpdateCompanyInput } from "./company.input.js";
import { companyFilter, companySpec } from "./company.repository.js";

const crud = new CrudService(companySpec);

export const companyService = {
  list: (ctx: AppContext, page: PageRequest, filter?: CompanyFilter | null, order?: CompanyOrder | null) =>
    crud.list(ctx, page, companyFilter(filter, readableBy(ctx, "Company")), order ?? { field: "CREATED_AT", direction: OrderDirection.DESC }),
  get: (ctx: AppContext, id: string, field?: string) => crud.get(ctx, id, field),
  create: (ctx: AppContext, input: CreateCompanyInput) => crud.create(ctx, { ...input }),
  update(ctx: AppContext, id: string, input: UpdateCompanyInput) {
    if (input.name === null) throw badInput("input.name", "cannot be empty");
    return crud.update(ctx, id, { ...input });
  },
  remove: (ctx: AppContext, id: string) => crud.remove(ctx, id),
};
