import { contacts } from "../../db/schema/index.js";
import type { AppContext } from "../../graphql/context.js";
import { byIdLoader, groupedConnection, groupedLoader } from "../common/loaders.js";
import type { PageRequest } from "../common/paging.js";
import { OrderDirection } from "../../graphql/pagination.js";
import { contactSpec } from "./contact.repository.js";

export const contactById = (ctx: AppContext) => byIdLoader(ctx, contactSpec);
export const contactsByCompany = (ctx: AppContext, first?: number) =>
  groupedLoader(ctx, contactSpec, { column: contacts.companyId, key: "companyId" }, contacts.createdAt, first);

/** Newest first, as the plain list beside it. */
export const contactPagesByCompany = (ctx: AppContext, page: PageRequest) =>
  groupedConnection(ctx, contactSpec, { column: contacts.companyId, key: "companyId" }, { field: "CREATED_AT", direction: OrderDirection.DESC }, page);
