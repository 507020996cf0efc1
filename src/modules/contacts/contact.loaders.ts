import { contacts } from "../../db/schema/index.js";
import type { Scope } from "../common/scope.js";
import { byIdLoader, groupedLoader } from "../common/loaders.js";
import type { ContactRow } from "./contact.type.js";

export const contactById = (ctx: Scope) => byIdLoader<ContactRow>(ctx, "Contact");
export const contactsByCompany = (ctx: Scope, first?: number) =>
  groupedLoader<ContactRow>(ctx, "Contact", { column: contacts.companyId, key: "companyId" }, contacts.createdAt, first);
