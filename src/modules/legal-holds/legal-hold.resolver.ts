import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Connection, PageArgs } from "../../graphql/pagination.js";
import { pageRequest } from "../common/paging.js";
import { legalHoldService } from "./legal-hold.service.js";
import { type HoldScope, LegalHold, LegalHoldFilter, type LegalHoldRow, LegalHoldScope, PlaceLegalHoldInput } from "./legal-hold.type.js";

export const LegalHoldConnection = Connection(LegalHold, "LegalHold");

@ArgsType()
class LegalHoldsArgs extends PageArgs {
  @Field(() => LegalHoldFilter, { nullable: true, description: "Conditions holds must meet." })
  filter?: LegalHoldFilter;
}

@Resolver(() => LegalHold)
export class LegalHoldResolver {
  @Guard("read", "LegalHold")
  @Query(() => LegalHoldConnection, { description: "The workspace's legal holds, newest first (legal_compliance)." })
  async legalHolds(@Args(() => LegalHoldsArgs) args: LegalHoldsArgs, @Ctx() ctx: AppContext) {
    return new LegalHoldConnection(await legalHoldService.list(ctx, pageRequest(args), args.filter));
  }

  @Guard("create", "LegalHold")
  @Mutation(() => LegalHold, {
    description: "Places a legal hold on a contact, or on the whole workspace without contactId: retention, erasure and deletes skip what it holds.",
  })
  placeLegalHold(@Arg("input", () => PlaceLegalHoldInput, { description: "What to hold and why." }) input: PlaceLegalHoldInput, @Ctx() ctx: AppContext) {
    return legalHoldService.place(ctx, input);
  }

  @Guard("update", "LegalHold")
  @Mutation(() => LegalHold, { description: "Releases a legal hold; retention and erasure resume for what it held." })
  releaseLegalHold(
    @Arg("id", () => ID, { description: "Hold id." }) id: string,
    @Arg("reason", () => String, { nullable: true, description: "Why it is released, 5 to 2000 characters." }) reason: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return legalHoldService.release(ctx, id, reason);
  }

  @Guard("read", "LegalHold", "scope")
  @FieldResolver(() => LegalHoldScope, { description: "CONTACT or WORKSPACE." })
  scope(@Root() hold: LegalHoldRow): HoldScope {
    return hold.contactId ? "contact" : "workspace";
  }

  @Guard("read", "LegalHold", "active")
  @FieldResolver(() => Boolean, { description: "Not yet released." })
  active(@Root() hold: LegalHoldRow): boolean {
    return hold.releasedAt === null;
  }
}
