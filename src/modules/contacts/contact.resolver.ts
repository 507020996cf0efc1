import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { NestedPageArgs, PageArgs } from "../../graphql/pagination.js";
import { MAX_NESTED, NESTED_PAGE_SIZE, pageRequest } from "../common/paging.js";
import { Company } from "../companies/company.type.js";
import { companyById } from "../companies/company.loaders.js";
import { latestConsents } from "../consent/consent.loaders.js";
import { consentView } from "../consent/consent.service.js";
import { Deal, DealConnection } from "../deals/deal.type.js";
import { dealPagesByContact, dealsByContact } from "../deals/deal.loaders.js";
import { Interaction, InteractionConnection } from "../interactions/interaction.type.js";
import { interactionPagesByContact, interactionsByContact } from "../interactions/interaction.loaders.js";
import { User } from "../users/user.type.js";
import { userById } from "../users/user.loaders.js";
import { ContactFilter, ContactOrder, CreateContactInput, UpdateContactInput } from "./contact.input.js";
import { contactService } from "./contact.service.js";
import { erasureService } from "../erasure/erasure.service.js";
import { Contact, ContactConnection, ContactConsent, type ContactRow } from "./contact.type.js";

@ArgsType()
class ContactsArgs extends PageArgs {
  @Field(() => ContactFilter, { nullable: true, description: "Conditions rows must meet." })
  filter?: ContactFilter;

  @Field(() => ContactOrder, { nullable: true, description: "Sort order; newest first by default." })
  orderBy?: ContactOrder;
}

@Resolver(() => Contact)
export class ContactResolver {
  @Guard("read", "Contact")
  @Query(() => ContactConnection, { description: "Contacts the caller may see for the request's purpose, one page at a time." })
  async contacts(@Args(() => ContactsArgs) args: ContactsArgs, @Ctx() ctx: AppContext) {
    return new ContactConnection(await contactService.list(ctx, pageRequest(args), args.filter, args.orderBy));
  }

  @Guard("read", "Contact")
  @Query(() => Contact, { nullable: true, description: "One contact; NOT_FOUND when missing, elsewhere, or hidden for this purpose." })
  contact(@Arg("id", () => ID, { description: "Contact id." }) id: string, @Ctx() ctx: AppContext) {
    return contactService.get(ctx, id);
  }

  @Guard("create", "Contact")
  @Mutation(() => Contact, { description: "Adds a person." })
  createContact(@Arg("input", () => CreateContactInput, { description: "The new contact." }) input: CreateContactInput, @Ctx() ctx: AppContext) {
    return contactService.create(ctx, input);
  }

  @Guard("update", "Contact")
  @Mutation(() => Contact, {
    description:
      "Changes a person's details. With requestId, the change answers that RECTIFICATION request and is audited with the names of the fields changed, never their values.",
  })
  updateContact(
    @Arg("id", () => ID, { description: "Contact id." }) id: string,
    @Arg("input", () => UpdateContactInput, { description: "The fields to change." }) input: UpdateContactInput,
    @Arg("requestId", () => ID, {
      nullable: true,
      description: "The verified, open RECTIFICATION request about this person that the change answers; needs update on PrivacyRequest.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return contactService.update(ctx, id, input, requestId);
  }

  @Guard("delete", "Contact")
  @Mutation(() => Boolean, {
    description:
      "Erases a person, as eraseContact does (no person disappears without a report): needs delete under the request's purpose and the erase privacy action; the report is in the decision log.",
  })
  deleteContact(@Arg("id", () => ID, { description: "Contact id." }) id: string, @Ctx() ctx: AppContext) {
    return erasureService.deleteContact(ctx, id);
  }

  @FieldResolver(() => Company, { nullable: true, description: "The company the person works for." })
  company(@Root() contact: ContactRow, @Ctx() ctx: AppContext) {
    return contact.companyId ? companyById(ctx).load(contact.companyId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: "The workspace member who owns the record." })
  owner(@Root() contact: ContactRow, @Ctx() ctx: AppContext) {
    return contact.ownerId ? userById(ctx).load(contact.ownerId) : null;
  }

  @Guard("read", "Deal")
  @FieldResolver(() => [Deal], { nullable: true, description: "The person's newest deals (at most 100)." })
  deals(
    @Root() contact: ContactRow,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20, description: "How many, newest first: 20 by default, at most 100." }) first: number,
    @Ctx() ctx: AppContext,
  ) {
    return dealsByContact(ctx, first).load(contact.id);
  }

  @Guard("read", "Interaction")
  @FieldResolver(() => [Interaction], { nullable: true, description: "The person's newest interactions (at most 100)." })
  interactions(
    @Root() contact: ContactRow,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20, description: "How many, newest first: 20 by default, at most 100." }) first: number,
    @Ctx() ctx: AppContext,
  ) {
    return interactionsByContact(ctx, first).load(contact.id);
  }

  @Guard("read", "Deal", "deals")
  @FieldResolver(() => DealConnection, { nullable: true, description: "The person's deals the caller may see, newest first, one page at a time." })
  async dealsConnection(@Root() contact: ContactRow, @Args(() => NestedPageArgs) args: NestedPageArgs, @Ctx() ctx: AppContext) {
    return new DealConnection(await dealPagesByContact(ctx, pageRequest(args, MAX_NESTED, NESTED_PAGE_SIZE)).load(contact.id));
  }

  @Guard("read", "Interaction", "interactions")
  @FieldResolver(() => InteractionConnection, {
    nullable: true,
    description: "The person's interactions the caller may see, newest first, one page at a time.",
  })
  async interactionsConnection(@Root() contact: ContactRow, @Args(() => NestedPageArgs) args: NestedPageArgs, @Ctx() ctx: AppContext) {
    return new InteractionConnection(await interactionPagesByContact(ctx, pageRequest(args, MAX_NESTED, NESTED_PAGE_SIZE)).load(contact.id));
  }

  @FieldResolver(() => [ContactConsent], { nullable: true, description: "Consent state per consent-based purpose." })
  async consents(@Root() contact: ContactRow, @Ctx() ctx: AppContext) {
    return consentView(ctx, contact, await latestConsents(ctx).load(contact.id));
  }

  @FieldResolver(() => [String], { nullable: true, description: "Purpose ids the person objected to (GDPR Art. 21)." })
  objections(@Root() contact: ContactRow) {
    return contact.objectedPurposes;
  }

  @FieldResolver(() => Boolean, { description: "True for a tombstone: the person was erased." })
  erased(@Root() contact: ContactRow) {
    return contact.erasedAt !== null;
  }
}
