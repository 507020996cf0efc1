import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { erasureService } from "./erasure.service.js";
import { ErasureReport } from "./erasure.type.js";

@Resolver()
export class ErasureResolver {
  @Guard("erase", "Contact")
  @Mutation(() => ErasureReport, {
    description:
      "Erases a person (GDPR Art. 17, CCPA delete) in one transaction: personal fields emptied (the row stays as a tombstone), interactions deleted, deals unlinked, consent proof details removed; journalled outside the database so a backup restore cannot bring the person back. FORBIDDEN (rule legal_hold) while a legal hold covers the person.",
  })
  eraseContact(
    @Arg("contactId", () => ID, { description: "The person (contact id); found under legal_compliance whatever the request's purpose." }) contactId: string,
    @Arg("requestId", () => ID, { nullable: true, description: "The privacy request this erasure answers, if any." }) requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return erasureService.erase(ctx, contactId, requestId);
  }
}
