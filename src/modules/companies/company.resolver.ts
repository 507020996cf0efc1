import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { NestedPageArgs, PageArgs } from "../../graphql/pagination.js";
import { MAX_NESTED, NESTED_PAGE_SIZE, pageRequest } from "../common/paging.js";
import { Contact, ContactConnection } from "../contacts/contact.type.js";
import { contactPagesByCompany, contactsByCompany } from "../contacts/contact.loaders.js";
import { Deal, DealConnection } from "../deals/deal.type.js";
import { dealPagesByCompany, dealsByCompany } from "../deals/deal.loaders.js";
import { User } from "../users/user.type.js";
import { userById } from "../users/user.loaders.js";
import { CompanyFilter, CompanyOrder, CreateCompanyInput, UpdateCompanyInput } from "./company.input.js";
import { companyService } from "./company.service.js";
import { Company, CompanyConnection, type CompanyRow } from "./company.type.js";

@ArgsType()
class CompaniesArgs extends PageArgs {
  @Field(() => CompanyFilter, { nullable: true, description: "Conditions rows must meet." })
  filter?: CompanyFilter;

  @Field(() => CompanyOrder, { nullable: true, description: "Sort order; newest first by default." })
  orderBy?: CompanyOrder;
}

@Resolver(() => Company)
export class CompanyResolver {
  @Guard("read", "Company")
  @Query(() => CompanyConnection, { description: "Companies the caller may see, one page at a time." })
  async companies(@Args(() => CompaniesArgs) args: CompaniesArgs, @Ctx() ctx: AppContext) {
    return new CompanyConnection(await companyService.list(ctx, pageRequest(args), args.filter, args.orderBy));
  }

  @Guard("read", "Company")
  @Query(() => Company, { nullable: true, description: "One company; NOT_FOUND when missing or elsewhere." })
  company(@Arg("id", () => ID, { description: "Company id." }) id: string, @Ctx() ctx: AppContext) {
    return companyService.get(ctx, id);
  }

  @Guard("create", "Company")
  @Mutation(() => Company, { description: "Adds a company." })
  createCompany(@Arg("input", () => CreateCompanyInput, { description: "The new company." }) input: CreateCompanyInput, @Ctx() ctx: AppContext) {
    return companyService.create(ctx, input);
  }

  @Guard("update", "Company")
  @Mutation(() => Company, { description: "Changes a company." })
  updateCompany(
    @Arg("id", () => ID, { description: "Company id." }) id: string,
    @Arg("input", () => UpdateCompanyInput, { description: "The fields to change." }) input: UpdateCompanyInput,
    @Ctx() ctx: AppContext,
  ) {
    return companyService.update(ctx, id, input);
  }

  @Guard("delete", "Company")
  @Mutation(() => Boolean, { description: "Deletes a company; its people and deals stay, unlinked." })
  deleteCompany(@Arg("id", () => ID, { description: "Company id." }) id: string, @Ctx() ctx: AppContext) {
    return companyService.remove(ctx, id);
  }

  @FieldResolver(() => User, { nullable: true, description: "The workspace member who owns the record." })
  owner(@Root() company: CompanyRow, @Ctx() ctx: AppContext) {
    return company.ownerId ? userById(ctx).load(company.ownerId) : null;
  }

  @Guard("read", "Contact")
  @FieldResolver(() => [Contact], { nullable: true, description: "The company's newest people the caller may see (at most 100)." })
  contacts(
    @Root() company: CompanyRow,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20, description: "How many, newest first: 20 by default, at most 100." }) first: number,
    @Ctx() ctx: AppContext,
  ) {
    return contactsByCompany(ctx, first).load(company.id);
  }

  @Guard("read", "Deal")
  @FieldResolver(() => [Deal], { nullable: true, description: "The company's newest deals (at most 100)." })
  deals(
    @Root() company: CompanyRow,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20, description: "How many, newest first: 20 by default, at most 100." }) first: number,
    @Ctx() ctx: AppContext,
  ) {
    return dealsByCompany(ctx, first).load(company.id);
  }

  @Guard("read", "Contact", "contacts")
  @FieldResolver(() => ContactConnection, { nullable: true, description: "The company's people the caller may see, newest first, one page at a time." })
  async contactsConnection(@Root() company: CompanyRow, @Args(() => NestedPageArgs) args: NestedPageArgs, @Ctx() ctx: AppContext) {
    return new ContactConnection(await contactPagesByCompany(ctx, pageRequest(args, MAX_NESTED, NESTED_PAGE_SIZE)).load(company.id));
  }

  @Guard("read", "Deal", "deals")
  @FieldResolver(() => DealConnection, { nullable: true, description: "The company's deals the caller may see, newest first, one page at a time." })
  async dealsConnection(@Root() company: CompanyRow, @Args(() => NestedPageArgs) args: NestedPageArgs, @Ctx() ctx: AppContext) {
    return new DealConnection(await dealPagesByCompany(ctx, pageRequest(args, MAX_NESTED, NESTED_PAGE_SIZE)).load(company.id));
  }
}
