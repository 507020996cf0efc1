import { Args, Ctx, Query, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Connection, PageArgs } from "../../graphql/pagination.js";
import { auditService } from "./audit.service.js";
import { AuditEntry } from "./audit.type.js";

export const AuditEntryConnection = Connection(AuditEntry, "AuditEntry");

@Resolver()
export class AuditResolver {
  @Guard("read", "AuditEntry")
  @Query(() => AuditEntryConnection, { description: "The decision log of the caller's workspace, newest first." })
  async auditLog(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AppContext) {
    return new AuditEntryConnection(await auditService.list(ctx, args));
  }
}
