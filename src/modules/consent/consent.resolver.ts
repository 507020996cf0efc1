import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Contact } from "../contacts/contact.type.js";
import { consentService } from "./consent.service.js";
import { ConsentEvent, ConsentProofInput } from "./consent.type.js";

@Resolver()
export class ConsentResolver {
  @Guard("read", "ConsentEvent")
  @Query(() => [ConsentEvent], { description: "The consent ledger of one person, newest first: the proof of every grant and withdrawal." })
  consentHistory(@Arg("contactId", () => ID) contactId: string, @Ctx() ctx: AppContext) {
    return consentService.history(ctx, contactId);
  }

  @Guard("manage_consent", "Contact")
  @Mutation(() => Contact, { description: "Records a person's explicit consent for a consent-based purpose, with proof. Nothing is ever pre-granted." })
  grantConsent(
    @Arg("contactId", () => ID) contactId: string,
    @Arg("purpose", () => String, { description: "A purpose whose lawful basis is consent, e.g. marketing_email." }) purpose: string,
    @Arg("source", () => String, { description: "form, signup_form, import, api, verbal or email_link." }) source: string,
    @Arg("proof", () => ConsentProofInput, { nullable: true, description: "The person's notice version, IP, user agent, evidence." }) proof: ConsentProofInput | null,
    @Ctx() ctx: AppContext,
  ) {
    return consentService.grant(ctx, contactId, purpose, source, proof);
  }

  @Guard("manage_consent", "Contact")
  @Mutation(() => Contact, { description: "Records a withdrawal of consent; it takes effect in the next request, everywhere." })
  withdrawConsent(
    @Arg("contactId", () => ID) contactId: string,
    @Arg("purpose", () => String, { description: "The consent-based purpose withdrawn." }) purpose: string,
    @Arg("source", () => String, { nullable: true, defaultValue: "api", description: "How the person withdrew; api by default." }) source: string,
    @Ctx() ctx: AppContext,
  ) {
    return consentService.withdraw(ctx, contactId, purpose, source);
  }
}
