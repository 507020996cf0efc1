import { whereCan } from "../common/access.js";
import { cursorScope } from "../common/crud.service.js";
import type { PageArguments } from "../common/paging.js";
import { pageRequest } from "../common/paging.js";
import type { Scope } from "../common/scope.js";
import { auditPage } from "./audit.repository.js";

export const auditService = {
  /** The decision log of the caller's workspace as the ability lets it see it, newest first. */
  list: (ctx: Scope, args: PageArguments) => auditPage(ctx.db, whereCan(ctx, "read", "AuditEntry"), pageRequest(args), cursorScope(ctx)),
};
