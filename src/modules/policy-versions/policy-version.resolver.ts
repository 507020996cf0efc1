import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Authenticated, Guard, Public } from "../../graphql/guard.js";
import { User, type UserRow } from "../users/user.type.js";
import { policyVersionService } from "./policy-version.service.js";
import { PolicyNotice, PolicyVersion, PolicyVersionInput } from "./policy-version.type.js";

@Resolver(() => PolicyVersion)
export class PolicyVersionResolver {
  @Public()
  @Query(() => [PolicyVersion], { description: "Published policy versions, newest first: Alpha CRM's, plus your workspace's when signed in." })
  policyVersions(@Ctx() ctx: AppContext) {
    return policyVersionService.list(ctx);
  }

  @Guard("create", "PolicyVersion")
  @Mutation(() => PolicyVersion, { description: "Publishes a version of your workspace's privacy notice; a material one notifies every member once." })
  publishPolicyVersion(@Arg("input", () => PolicyVersionInput, { description: "The new version." }) input: PolicyVersionInput, @Ctx() ctx: AppContext) {
    return policyVersionService.publish(ctx, input);
  }

  @Authenticated()
  @Mutation(() => Boolean, { description: "Acknowledges a policy version: its notice stops showing in me.policyNotices. A repeat answers true." })
  acknowledgePolicy(@Arg("version", () => String, { description: "The version label, as in policyNotices." }) version: string, @Ctx() ctx: AppContext) {
    return policyVersionService.acknowledge(ctx, version);
  }
}

@Resolver(() => User)
export class PolicyNoticeResolver {
  @Guard("read", "User")
  @FieldResolver(() => [PolicyNotice], {
    nullable: true,
    description: "Material policy changes you have not acknowledged (only on your own profile; null on others').",
  })
  policyNotices(@Root() user: UserRow, @Ctx() ctx: AppContext) {
    return policyVersionService.notices(ctx, user);
  }
}
