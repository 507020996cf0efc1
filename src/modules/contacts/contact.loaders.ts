import { contacts } from "../../db/schema/index.js";
import type { AppContext } from "../../graphql/context.js";
import { byIdLoader, groupedLoader } from "../common/loaders.js";
import { contactSpec } from "./contact.repository.js";

export const contactById = (ctx: AppContext) => byIdLoader(ctx, contactSpec);
export const contactsByCompany = (ctx: AppContext, first?: number) =>
  groupedLoader(ctx, contactSpec, { column: contacts.companyId, key: "companyId" }, contacts.createdAt, first);
