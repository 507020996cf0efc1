import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";
import type { WorkspaceRow } from "./workspace.repository.js";
import { workspaceService } from "./workspace.service.js";
import { Workspace } from "./workspace.type.js";

@Resolver(() => Workspace)
export class WorkspaceResolver {
  @Guard("update", "Workspace")
  @Mutation(() => Workspace, {
    description: "Cancels the caller's workspace (owner only): status CANCELLED from now; the data is deleted at purgeAfter unless reactivated before.",
  })
  cancelWorkspace(@Ctx() ctx: AppContext) {
    return workspaceService.cancel(ctx);
  }

  @Guard("update", "Workspace")
  @Mutation(() => Workspace, {
    description: "Reactivates the caller's cancelled workspace before its purge date (owner only): status ACTIVE, cancelledAt cleared.",
  })
  reactivateWorkspace(@Ctx() ctx: AppContext) {
    return workspaceService.reactivate(ctx);
  }

  @Guard("update", "Workspace")
  @Mutation(() => Workspace, { description: "Sets the caller's workspace's time zone for legal deadlines (null: UTC); later deadlines are counted in it." })
  setWorkspaceTimeZone(
    @Arg("timeZone", () => String, { nullable: true, description: "An IANA time zone name such as Europe/Paris; null for UTC." }) timeZone: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return workspaceService.setTimeZone(ctx, timeZone);
  }

  @FieldResolver(() => DateTime, {
    nullable: true,
    description: "When a cancelled workspace's data is deleted: cancelledAt + the period of policies/retention.yaml (6 months, privacy policy section 8).",
  })
  purgeAfter(@Root() workspace: WorkspaceRow, @Ctx() ctx: AppContext) {
    return workspaceService.purgeAfter(ctx, workspace);
  }
}
