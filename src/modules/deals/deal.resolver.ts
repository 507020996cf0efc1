import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { PageArgs } from "../../graphql/pagination.js";
import { pageRequest } from "../common/paging.js";
import { Company } from "../companies/company.type.js";
import { companyById } from "../companies/company.loaders.js";
import { Contact } from "../contacts/contact.type.js";
import { contactById } from "../contacts/contact.loaders.js";
import { User } from "../users/user.type.js";
import { userById } from "../users/user.loaders.js";
import { CreateDealInput, DealFilter, DealOrder, UpdateDealInput } from "./deal.input.js";
import { dealService } from "./deal.service.js";
import { Deal, DealConnection, type DealRow } from "./deal.type.js";

@ArgsType()
class DealsArgs extends PageArgs {
  @Field(() => DealFilter, { nullable: true, description: "Conditions rows must meet." })
  filter?: DealFilter;

  @Field(() => DealOrder, { nullable: true, description: "Sort order; newest first by default." })
  orderBy?: DealOrder;
}

@Resolver(() => Deal)
export class DealResolver {
  @Guard("read", "Deal")
  @Query(() => DealConnection, { description: "Deals the caller may see for the request's purpose, one page at a time." })
  async deals(@Args(() => DealsArgs) args: DealsArgs, @Ctx() ctx: AppContext) {
    return new DealConnection(await dealService.list(ctx, pageRequest(args), args.filter, args.orderBy));
  }

  @Guard("read", "Deal")
  @Query(() => Deal, { nullable: true, description: "One deal; NOT_FOUND when missing, elsewhere, or hidden for this purpose." })
  deal(@Arg("id", () => ID, { description: "Deal id." }) id: string, @Ctx() ctx: AppContext) {
    return dealService.get(ctx, id);
  }

  @Guard("create", "Deal")
  @Mutation(() => Deal, { description: "Opens a deal." })
  createDeal(@Arg("input", () => CreateDealInput, { description: "The new deal." }) input: CreateDealInput, @Ctx() ctx: AppContext) {
    return dealService.create(ctx, input);
  }

  @Guard("update", "Deal")
  @Mutation(() => Deal, { description: "Changes a deal; WON or LOST sets closedAt." })
  updateDeal(
    @Arg("id", () => ID, { description: "Deal id." }) id: string,
    @Arg("input", () => UpdateDealInput, { description: "The fields to change." }) input: UpdateDealInput,
    @Arg("requestId", () => ID, {
      nullable: true,
      description: "The verified, open RECTIFICATION request about this deal's person that the change answers; needs update on PrivacyRequest.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return dealService.update(ctx, id, input, requestId);
  }

  @Guard("delete", "Deal")
  @Mutation(() => Boolean, { description: "Deletes a deal." })
  deleteDeal(@Arg("id", () => ID, { description: "Deal id." }) id: string, @Ctx() ctx: AppContext) {
    return dealService.remove(ctx, id);
  }

  @Guard("read", "Contact")
  @FieldResolver(() => Contact, { nullable: true, description: "The person the deal is with, if the caller may see them." })
  contact(@Root() deal: DealRow, @Ctx() ctx: AppContext) {
    return deal.contactId ? contactById(ctx).load(deal.contactId) : null;
  }

  @Guard("read", "Company")
  @FieldResolver(() => Company, { nullable: true, description: "The company the deal is with." })
  company(@Root() deal: DealRow, @Ctx() ctx: AppContext) {
    return deal.companyId ? companyById(ctx).load(deal.companyId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: "The workspace member who owns the deal." })
  owner(@Root() deal: DealRow, @Ctx() ctx: AppContext) {
    return deal.ownerId ? userById(ctx).load(deal.ownerId) : null;
  }
}
