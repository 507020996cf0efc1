import { Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
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

  @FieldResolver(() => DateTime, {
    nullable: true,
    description: "When a cancelled workspace's data is deleted: cancelledAt + 6 months (privacy policy section 8).",
  })
  purgeAfter(@Root() workspace: WorkspaceRow) {
    return workspaceService.purgeAfter(workspace);
  }
}
