import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { unsubscribeService } from "./unsubscribe.service.js";
import { UnsubscribeHeaders } from "./unsubscribe.type.js";

const CONTACT = "The person the message goes to; they must be visible under the purpose (so hold its consent).";
const PURPOSE = "The consent purpose the message is sent for (marketing_email, marketing_sms); the request must act under it.";

@Resolver()
export class UnsubscribeResolver {
  @Guard("issue_unsubscribe_link", "Contact")
  @Query(() => String, {
    description:
      "An absolute one-click unsubscribe link for one person and one consent purpose. Its token is sealed: it shows neither the person's id nor their email, cannot be edited, and withdraws only that purpose's consent.",
  })
  async unsubscribeUrl(
    @Arg("contactId", () => ID, { description: CONTACT }) contactId: string,
    @Arg("purpose", () => String, { description: PURPOSE }) purpose: string,
    @Ctx() ctx: AppContext,
  ) {
    return (await unsubscribeService.headers(ctx, ctx.links, contactId, purpose)).url;
  }

  @Guard("issue_unsubscribe_link", "Contact")
  @Query(() => UnsubscribeHeaders, {
    description: "The unsubscribe link and the List-Unsubscribe and List-Unsubscribe-Post header values to put in the message (RFC 8058 one-click).",
  })
  unsubscribeHeaders(
    @Arg("contactId", () => ID, { description: CONTACT }) contactId: string,
    @Arg("purpose", () => String, { description: PURPOSE }) purpose: string,
    @Ctx() ctx: AppContext,
  ) {
    return unsubscribeService.headers(ctx, ctx.links, contactId, purpose);
  }
}
