import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Contact } from "../contacts/contact.type.js";
import { privacyStateService } from "./privacy-state.service.js";

@Resolver()
export class PrivacyStateResolver {
  @Guard("restrict", "Contact")
  @Mutation(() => Contact, { description: "Restricts processing (GDPR Art. 18): the person disappears from every purpose but legal_compliance." })
  restrictProcessing(
    @Arg("contactId", () => ID, { description: "The person (contact id); found under legal_compliance whatever the request's purpose." }) contactId: string,
    @Arg("reason", () => String, { description: "Why (Art. 18(1) ground)." }) reason: string,
    @Arg("requestId", () => ID, {
      nullable: true,
      description: "The RESTRICTION privacy request about this person that this answers, if any; linked to it in the same transaction.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return privacyStateService.restrict(ctx, contactId, reason, requestId);
  }

  @Guard("restrict", "Contact")
  @Mutation(() => Contact, {
    description: "Lifts a restriction; records first that the person was informed (Art. 18(3)). informedVia is required: null or missing is BAD_USER_INPUT.",
  })
  liftRestriction(
    @Arg("contactId", () => ID, { description: "The person (contact id); found under legal_compliance whatever the request's purpose." }) contactId: string,
    @Arg("informedVia", () => String, {
      nullable: true,
      description:
        "Required, 3 to 500 characters: how the person was told, e.g. 'email of 2026-11-20'. Nullable only so that clients written before it was required still parse.",
    })
    informedVia: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return privacyStateService.lift(ctx, contactId, informedVia);
  }

  @Guard("object", "Contact")
  @Mutation(() => Contact, {
    description: "Records an objection (GDPR Art. 21) to an objectable purpose; the person is hidden under it from the next request.",
  })
  objectToProcessing(
    @Arg("contactId", () => ID, { description: "The person (contact id); found under legal_compliance whatever the request's purpose." }) contactId: string,
    @Arg("purpose", () => String, { description: "An objectable purpose, e.g. sales_pipeline or analytics." }) purpose: string,
    @Arg("reason", () => String, { nullable: true, description: "What the person said, if anything." }) reason: string | null,
    @Arg("requestId", () => ID, {
      nullable: true,
      description: "The OBJECTION privacy request about this person that this answers, if any; linked to it in the same transaction.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return privacyStateService.object(ctx, contactId, purpose, reason, requestId);
  }

  @Guard("object", "Contact")
  @Mutation(() => Contact, {
    description: "Upholds compelling legitimate grounds over an objection (Art. 21(1)), with a recorded justification. Refused for direct marketing.",
  })
  recordCompellingGrounds(
    @Arg("contactId", () => ID, { description: "The person (contact id); found under legal_compliance whatever the request's purpose." }) contactId: string,
    @Arg("purpose", () => String, { description: "The objectable purpose the objection was made to." }) purpose: string,
    @Arg("justification", () => String, { description: "The grounds, at least 20 characters." }) justification: string,
    @Arg("requestId", () => ID, {
      nullable: true,
      description: "The OBJECTION privacy request about this person that this decision answers, if any; linked to it in the same transaction.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return privacyStateService.compellingGrounds(ctx, contactId, purpose, justification, requestId);
  }
}
