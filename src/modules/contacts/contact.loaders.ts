import { contacts } from "../../db/schema/index.js";
import type { Scope } from "../common/scope.js";
import { byIdLoader, groupedConnection, groupedLoader } from "../common/loaders.js";
import type { PageRequest } from "../common/paging.js";
import { OrderDirection } from "../common/paging.js";
import type { ContactRow } from "./contact.type.js";

export const contactById = (ctx: Scope) => byIdLoader<ContactRow>(ctx, "Contact");
export const contactsByCompany = (ctx: Scope, first?: number) =>
  groupedLoader<ContactRow>(ctx, "Contact", { column: contacts.companyId, key: "companyId" }, contacts.createdAt, first);

/** Newest first, as the plain list beside it. */
export const contactPagesByCompany = (ctx: Scope, page: PageRequest) =>
  groupedConnection<ContactRow>(
    ctx,
    "Contact",
    { column: contacts.companyId, key: "companyId" },
    { field: "CREATED_AT", direction: OrderDirection.DESC },
    page,
  );
