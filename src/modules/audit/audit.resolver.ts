import { Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Connection, PageArgs } from "../../graphql/pagination.js";
import { userById } from "../users/user.loaders.js";
import { User } from "../users/user.type.js";
import { auditService } from "./audit.service.js";
import { AuditLogFilter } from "./audit.input.js";
import { AuditEntry, type AuditRow, AuditVerification } from "./audit.type.js";

export const AuditEntryConnection = Connection(AuditEntry, "AuditEntry");

@ArgsType()
class AuditLogArgs extends PageArgs {
  @Field(() => AuditLogFilter, { nullable: true, description: "Conditions entries must meet (actor, action, subject, outcome, time)." })
  filter?: AuditLogFilter;
}

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Guard("read", "AuditEntry")
  @Query(() => AuditEntryConnection, { description: "The decision log of the caller's workspace, newest first." })
  async auditLog(@Args(() => AuditLogArgs) args: AuditLogArgs, @Ctx() ctx: AppContext) {
    return new AuditEntryConnection(await auditService.list(ctx, args, args.filter));
  }

  @Guard("read", "AuditEntry")
  @Query(() => AuditVerification, {
    description:
      "Checks the hash chain of the caller's workspace's audit log: names the first entry changed, deleted or inserted outside the API (npm run audit:verify checks every chain).",
  })
  verifyAuditLog(@Ctx() ctx: AppContext) {
    return auditService.verify(ctx);
  }

  @Guard("read", "User")
  @FieldResolver(() => User, { nullable: true, description: "Who acted, if the caller may see them (null for the system or a failed sign-in)." })
  actor(@Root() entry: AuditRow, @Ctx() ctx: AppContext) {
    return entry.actorId ? userById(ctx).load(entry.actorId) : null;
  }
}
