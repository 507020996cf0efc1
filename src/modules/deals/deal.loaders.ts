import { deals } from "../../db/schema/index.js";
import type { AppContext } from "../../graphql/context.js";
import { byIdLoader, groupedLoader } from "../common/loaders.js";
import { dealSpec } from "./deal.repository.js";

export const dealById = (ctx: AppContext) => byIdLoader(ctx, dealSpec);
export const dealsByContact = (ctx: AppContext, first?: number) =>
  groupedLoader(ctx, dealSpec, { column: deals.contactId, key: "contactId" }, deals.createdAt, first);
export const dealsByCompany = (ctx: AppContext, first?: number) =>
  groupedLoader(ctx, dealSpec, { column: deals.companyId, key: "companyId" }, deals.createdAt, first);
