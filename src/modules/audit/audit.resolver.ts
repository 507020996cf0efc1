import { Args, Ctx, Query, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Connection, PageArgs, pageRequest } from "../../graphql/pagination.js";
import { whereCan } from "../common/access.js";
import { cursorScope } from "../common/crud.service.js";
import { auditPage } from "./audit.repository.js";
import { AuditEntry } from "./audit.type.js";

export const AuditEntryConnection = Connection(AuditEntry, "AuditEntry");

@Resolver()
export class AuditResolver {
  @Guard("read", "AuditEntry")
  @Query(() => AuditEntryConnection, { description: "The decision log of the caller's workspace, newest first." })
  async auditLog(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AppContext) {
    return new AuditEntryConnection(await auditPage(ctx.db, whereCan(ctx, "read", "AuditEntry"), pageRequest(args), cursorScope(ctx)));
  }
}
