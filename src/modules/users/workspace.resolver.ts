import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Workspace } from "./user.type.js";
import { workspaceService } from "./workspace.service.js";

@Resolver(() => Workspace)
export class WorkspaceResolver {
  @Guard("update", "Workspace")
  @Mutation(() => Workspace, { description: "Sets the caller's workspace's time zone for legal deadlines (null: UTC); later deadlines are counted in it." })
  setWorkspaceTimeZone(
    @Arg("timeZone", () => String, { nullable: true, description: "An IANA time zone name such as Europe/Paris; null for UTC." }) timeZone: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return workspaceService.setTimeZone(ctx, timeZone);
  }
}
