import { deals } from "../../db/schema/index.js";
import type { Scope } from "../common/scope.js";
import { byIdLoader, groupedConnection, groupedLoader } from "../common/loaders.js";
import type { PageRequest } from "../common/paging.js";
import { OrderDirection } from "../common/paging.js";
import type { DealRow } from "./deal.type.js";

export const dealById = (ctx: Scope) => byIdLoader<DealRow>(ctx, "Deal");
export const dealsByContact = (ctx: Scope, first?: number) =>
  groupedLoader<DealRow>(ctx, "Deal", { column: deals.contactId, key: "contactId" }, deals.createdAt, first);
export const dealsByCompany = (ctx: Scope, first?: number) =>
  groupedLoader<DealRow>(ctx, "Deal", { column: deals.companyId, key: "companyId" }, deals.createdAt, first);

/** Connections inside a row list the newest first, as the plain lists beside them do. */
const NEWEST = { field: "CREATED_AT", direction: OrderDirection.DESC };
export const dealPagesByContact = (ctx: Scope, page: PageRequest) =>
  groupedConnection<DealRow>(ctx, "Deal", { column: deals.contactId, key: "contactId" }, NEWEST, page);
export const dealPagesByCompany = (ctx: Scope, page: PageRequest) =>
  groupedConnection<DealRow>(ctx, "Deal", { column: deals.companyId, key: "companyId" }, NEWEST, page);
