import { Arg, Args, ArgsType, Ctx, Field, Mutation, Query, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { PageArgs } from "../../graphql/pagination.js";
import { UsageEventFilter, UsageInput } from "./usage.input.js";
import { usageService } from "./usage.service.js";
import { UsageEvent, UsageEventConnection } from "./usage.type.js";

@ArgsType()
class UsageEventsArgs extends PageArgs {
  @Field(() => UsageEventFilter, { nullable: true, description: "Conditions events must meet." })
  filter?: UsageEventFilter;
}

@Resolver(() => UsageEvent)
export class UsageResolver {
  @Guard("read", "UsageEvent")
  @Query(() => UsageEventConnection, {
    description: "Usage events, newest first: the whole workspace's for the roles and purposes allowed, otherwise the caller's own.",
  })
  async usageEvents(@Args(() => UsageEventsArgs) args: UsageEventsArgs, @Ctx() ctx: AppContext) {
    return new UsageEventConnection(await usageService.list(ctx, args, args.filter));
  }

  @Guard("create", "UsageEvent")
  @Mutation(() => Boolean, { description: "Records a page view or feature use of the signed-in user (device, address and country from the request)." })
  recordUsage(@Arg("input", () => UsageInput, { description: "What was shown or used." }) input: UsageInput, @Ctx() ctx: AppContext) {
    return usageService.report(ctx, input);
  }
}
