import { Args, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Connection, PageArgs } from "../../graphql/pagination.js";
import { userById } from "../users/user.loaders.js";
import { User } from "../users/user.type.js";
import { auditService } from "./audit.service.js";
import { AuditEntry, type AuditRow } from "./audit.type.js";

export const AuditEntryConnection = Connection(AuditEntry, "AuditEntry");

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Guard("read", "AuditEntry")
  @Query(() => AuditEntryConnection, { description: "The decision log of the caller's workspace, newest first." })
  async auditLog(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AppContext) {
    return new AuditEntryConnection(await auditService.list(ctx, args));
  }

  @Guard("read", "User")
  @FieldResolver(() => User, { nullable: true, description: "Who acted, if the caller may see them (null for the system or a failed sign-in)." })
  actor(@Root() entry: AuditRow, @Ctx() ctx: AppContext) {
    return entry.actorId ? userById(ctx).load(entry.actorId) : null;
  }
}
