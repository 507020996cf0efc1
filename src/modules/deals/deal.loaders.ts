import { deals } from "../../db/schema/index.js";
import type { Scope } from "../common/scope.js";
import { byIdLoader, groupedLoader } from "../common/loaders.js";
import type { DealRow } from "./deal.type.js";

export const dealById = (ctx: Scope) => byIdLoader<DealRow>(ctx, "Deal");
export const dealsByContact = (ctx: Scope, first?: number) =>
  groupedLoader<DealRow>(ctx, "Deal", { column: deals.contactId, key: "contactId" }, deals.createdAt, first);
export const dealsByCompany = (ctx: Scope, first?: number) =>
  groupedLoader<DealRow>(ctx, "Deal", { column: deals.companyId, key: "companyId" }, deals.createdAt, first);
