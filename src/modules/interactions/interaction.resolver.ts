import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { PageArgs } from "../../graphql/pagination.js";
import { pageRequest } from "../common/paging.js";
import { Contact } from "../contacts/contact.type.js";
import { contactById } from "../contacts/contact.loaders.js";
import { Deal } from "../deals/deal.type.js";
import { dealById } from "../deals/deal.loaders.js";
import { User } from "../users/user.type.js";
import { userById } from "../users/user.loaders.js";
import { CreateInteractionInput, InteractionFilter, InteractionOrder, UpdateInteractionInput } from "./interaction.input.js";
import { interactionService } from "./interaction.service.js";
import { Interaction, InteractionConnection, type InteractionRow } from "./interaction.type.js";

@ArgsType()
class InteractionsArgs extends PageArgs {
  @Field(() => InteractionFilter, { nullable: true, description: "Conditions rows must meet." })
  filter?: InteractionFilter;

  @Field(() => InteractionOrder, { nullable: true, description: "Sort order; most recent first by default." })
  orderBy?: InteractionOrder;
}

@Resolver(() => Interaction)
export class InteractionResolver {
  @Guard("read", "Interaction")
  @Query(() => InteractionConnection, { description: "Interactions the caller may see for the request's purpose, one page at a time." })
  async interactions(@Args(() => InteractionsArgs) args: InteractionsArgs, @Ctx() ctx: AppContext) {
    return new InteractionConnection(await interactionService.list(ctx, pageRequest(args), args.filter, args.orderBy));
  }

  @Guard("read", "Interaction")
  @Query(() => Interaction, { nullable: true, description: "One interaction; NOT_FOUND when missing, elsewhere, or hidden for this purpose." })
  interaction(@Arg("id", () => ID, { description: "Interaction id." }) id: string, @Ctx() ctx: AppContext) {
    return interactionService.get(ctx, id);
  }

  @Guard("create", "Interaction")
  @Mutation(() => Interaction, { description: "Records an interaction under the request's purpose (an SMS under marketing_sms needs SMS consent)." })
  createInteraction(
    @Arg("input", () => CreateInteractionInput, { description: "The new interaction." }) input: CreateInteractionInput,
    @Ctx() ctx: AppContext,
  ) {
    return interactionService.create(ctx, input);
  }

  @Guard("update", "Interaction")
  @Mutation(() => Interaction, { description: "Changes an interaction." })
  updateInteraction(
    @Arg("id", () => ID, { description: "Interaction id." }) id: string,
    @Arg("input", () => UpdateInteractionInput, { description: "The fields to change." }) input: UpdateInteractionInput,
    @Arg("requestId", () => ID, {
      nullable: true,
      description: "The verified, open RECTIFICATION request about this interaction's person that the change answers; needs update on PrivacyRequest.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return interactionService.update(ctx, id, input, requestId);
  }

  @Guard("delete", "Interaction")
  @Mutation(() => Boolean, { description: "Deletes an interaction." })
  deleteInteraction(@Arg("id", () => ID, { description: "Interaction id." }) id: string, @Ctx() ctx: AppContext) {
    return interactionService.remove(ctx, id);
  }

  @Guard("read", "Contact")
  @FieldResolver(() => Contact, { nullable: true, description: "The person, if the caller may see them." })
  contact(@Root() interaction: InteractionRow, @Ctx() ctx: AppContext) {
    return contactById(ctx).load(interaction.contactId);
  }

  @Guard("read", "Deal")
  @FieldResolver(() => Deal, { nullable: true, description: "The deal it belongs to." })
  deal(@Root() interaction: InteractionRow, @Ctx() ctx: AppContext) {
    return interaction.dealId ? dealById(ctx).load(interaction.dealId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: "Who recorded it." })
  owner(@Root() interaction: InteractionRow, @Ctx() ctx: AppContext) {
    return interaction.ownerId ? userById(ctx).load(interaction.ownerId) : null;
  }
}
