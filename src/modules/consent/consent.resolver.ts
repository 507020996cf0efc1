import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { MAX_PAGE_SIZE } from "../common/paging.js";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Contact, ContactConsent } from "../contacts/contact.type.js";
import { userById } from "../users/user.loaders.js";
import { User } from "../users/user.type.js";
import { GRANT_SOURCES, proofTable } from "./consent.proof.js";
import { consentService } from "./consent.service.js";
import { ConsentEvent, ConsentProofInput, type ConsentEventRow } from "./consent.type.js";

@Resolver(() => ConsentEvent)
export class ConsentResolver {
  @Guard("read", "ConsentEvent")
  @Query(() => [ConsentEvent], {
    description: `The consent ledger of one person, newest first: the proof of every grant and withdrawal. At most the ${MAX_PAGE_SIZE} newest events; the person's data export (exportContactData) holds the whole ledger.`,
  })
  consentHistory(
    @Arg("contactId", () => ID, { description: "The person (contact id); they must be visible under the request's purpose." }) contactId: string,
    @Ctx() ctx: AppContext,
    @Arg("first", () => Int, { defaultValue: MAX_PAGE_SIZE, description: `How many of the newest events: 0 to ${MAX_PAGE_SIZE}.` }) first?: number | null,
  ) {
    return consentService.history(ctx, contactId, first);
  }

  @Guard("grant_consent", "Contact")
  @Mutation(() => Contact, {
    description: `Records a person's explicit consent for a consent-based purpose, with the proof its source needs (${proofTable()}); a missing or blank proof field is BAD_USER_INPUT naming it. Nothing is ever pre-granted; a consent already granted is refused (withdraw it first).`,
  })
  grantConsent(
    @Arg("contactId", () => ID, { description: "The person (contact id); found under legal_compliance whatever the request's purpose." }) contactId: string,
    @Arg("purpose", () => String, { description: "A purpose whose lawful basis is consent, e.g. marketing_email." }) purpose: string,
    @Arg("source", () => String, { description: `${GRANT_SOURCES.join(", ")}: decides which proof is required.` }) source: string,
    @Arg("proof", () => ConsentProofInput, {
      nullable: true,
      description: "The person's notice version, IP, user agent, evidence: required as the source needs.",
    })
    proof: ConsentProofInput | null,
    @Ctx() ctx: AppContext,
  ) {
    return consentService.grant(ctx, contactId, purpose, source, proof);
  }

  @Guard("withdraw_consent", "Contact")
  @Mutation(() => Contact, {
    description:
      "Records a withdrawal of consent; it takes effect in the next request, everywhere. A consent that is not granted is left as it is (no ledger entry, no error).",
  })
  withdrawConsent(
    @Arg("contactId", () => ID, { description: "The person (contact id); found under legal_compliance whatever the request's purpose." }) contactId: string,
    @Arg("purpose", () => String, { description: "The consent-based purpose withdrawn." }) purpose: string,
    @Arg("source", () => String, { nullable: true, defaultValue: "api", description: "How the person withdrew; api by default." }) source: string,
    @Arg("requestId", () => ID, {
      nullable: true,
      description:
        "The WITHDRAW_CONSENT (or OBJECTION) privacy request about this person that this withdrawal answers, if any; linked to it in the same transaction.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return consentService.withdraw(ctx, contactId, purpose, source, requestId);
  }

  @Guard("read", "User")
  @Query(() => [ContactConsent], {
    description:
      "The signed-in user's own marketing consents (Alpha CRM's marketing to its account holders, privacy policy section 6): one entry per consent-based purpose.",
  })
  myConsents(@Ctx() ctx: AppContext) {
    return consentService.mine(ctx);
  }

  @Guard("grant_consent", "User")
  @Mutation(() => [ContactConsent], {
    description:
      "The signed-in user gives their own consent to a consent-based purpose (marketing_email, marketing_sms), recorded in the consent ledger with the request's own proof: the notice version shown, the client address and the User-Agent header. A consent already granted is refused (withdraw it first). Answers the user's consents.",
  })
  grantMyConsent(
    @Arg("purpose", () => String, { description: "A purpose whose lawful basis is consent, e.g. marketing_email." }) purpose: string,
    @Arg("noticeVersion", () => String, { description: "Version of the privacy notice the app showed the user (at most 50 characters)." })
    noticeVersion: string,
    @Ctx() ctx: AppContext,
  ) {
    return consentService.grantMine(ctx, purpose, noticeVersion);
  }

  @Guard("withdraw_consent", "User")
  @Mutation(() => [ContactConsent], {
    description:
      "The signed-in user withdraws their own consent; it takes effect in the next request. A consent that is not granted is left as it is (no ledger entry, no error). Answers the user's consents.",
  })
  withdrawMyConsent(
    @Arg("purpose", () => String, { description: "The consent-based purpose withdrawn." }) purpose: string,
    @Arg("requestId", () => ID, {
      nullable: true,
      description:
        "The privacy request about the signed-in user (type WITHDRAW_CONSENT or OBJECTION) this withdrawal answers, if any; linked to it in the same transaction. The user may link their own request without any role on requests.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return consentService.withdrawMine(ctx, purpose, requestId);
  }

  @Guard("read", "User")
  @FieldResolver(() => User, { nullable: true, description: "The workspace member who recorded it, if the caller may see them (null for the system)." })
  recorder(@Root() event: ConsentEventRow, @Ctx() ctx: AppContext) {
    return event.recordedBy ? userById(ctx).load(event.recordedBy) : null;
  }
}
