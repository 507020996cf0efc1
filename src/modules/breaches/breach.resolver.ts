import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { PageArgs } from "../../graphql/pagination.js";
import { ReportBreachInput } from "./breach.input.js";
import type { BreachTarget } from "./breach.rules.js";
import { breachService } from "./breach.service.js";
import { User, type UserRow } from "../users/user.type.js";
import { Breach, BreachConnection, BreachNotice, BreachNotificationTarget } from "./breach.type.js";

@Resolver(() => Breach)
export class BreachResolver {
  @Guard("read", "Breach")
  @Query(() => BreachConnection, { description: "The breach register of the caller's workspace, newest detection first." })
  async breaches(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AppContext) {
    return new BreachConnection(await breachService.list(ctx, args));
  }

  @Guard("create", "Breach")
  @Mutation(() => Breach, { description: "Documents a personal-data breach; the authority and the users must be notified within 72 hours of detectedAt." })
  reportBreach(@Arg("input", () => ReportBreachInput, { description: "The breach." }) input: ReportBreachInput, @Ctx() ctx: AppContext) {
    return breachService.report(ctx, input);
  }

  @Guard("update", "Breach")
  @Mutation(() => Breach, { description: "Records that the authority, the affected users or the controllers were notified; a repeat keeps the first time." })
  recordBreachNotification(
    @Arg("id", () => ID, { description: "Breach id." }) id: string,
    @Arg("target", () => BreachNotificationTarget, { description: "Who was notified." }) target: BreachTarget,
    @Ctx() ctx: AppContext,
  ) {
    return breachService.recordNotification(ctx, id, target);
  }
}

@Resolver(() => User)
export class BreachNoticeResolver {
  @Guard("read", "User")
  @FieldResolver(() => [BreachNotice], { nullable: true, description: "Breach notices addressed to you (only on your own profile; null on others')." })
  breachNotices(@Root() user: UserRow, @Ctx() ctx: AppContext) {
    return breachService.notices(ctx, user);
  }
}
