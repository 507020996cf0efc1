import { deals } from "../../db/schema/index.js";
import type { AppContext } from "../../graphql/context.js";
import { byIdLoader, groupedConnection, groupedLoader } from "../common/loaders.js";
import type { PageRequest } from "../common/paging.js";
import { OrderDirection } from "../../graphql/pagination.js";
import { dealSpec } from "./deal.repository.js";

export const dealById = (ctx: AppContext) => byIdLoader(ctx, dealSpec);
export const dealsByContact = (ctx: AppContext, first?: number) =>
  groupedLoader(ctx, dealSpec, { column: deals.contactId, key: "contactId" }, deals.createdAt, first);
export const dealsByCompany = (ctx: AppContext, first?: number) =>
  groupedLoader(ctx, dealSpec, { column: deals.companyId, key: "companyId" }, deals.createdAt, first);

/** Connections inside a row list the newest first, as the plain lists beside them do. */
const NEWEST = { field: "CREATED_AT", direction: OrderDirection.DESC };
export const dealPagesByContact = (ctx: AppContext, page: PageRequest) =>
  groupedConnection(ctx, dealSpec, { column: deals.contactId, key: "contactId" }, NEWEST, page);
export const dealPagesByCompany = (ctx: AppContext, page: PageRequest) =>
  groupedConnection(ctx, dealSpec, { column: deals.companyId, key: "companyId" }, NEWEST, page);
