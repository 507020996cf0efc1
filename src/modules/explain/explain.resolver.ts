import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { ACTIONS } from "../../authz/subjects.js";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { explainService } from "./explain.service.js";
import { AccessDecision } from "./explain.type.js";

@Resolver()
export class ExplainResolver {
  @Guard("read", "AuditEntry")
  @Query(() => AccessDecision, {
    description: "For reviewers: would the caller's role be allowed `action` on `subject` (one row with `id`) under `purpose`, by which rule, and why.",
  })
  explainAccess(
    @Arg("action", () => String, { description: `One of ${ACTIONS.join(", ")}.` }) action: string,
    @Arg("subject", () => String, { description: "Contact, Company, Deal, Interaction, ..." }) subject: string,
    @Arg("id", () => ID, { nullable: true, description: "One row; without it, the answer is for the type." }) id: string | null,
    @Arg("purpose", () => String, { nullable: true, description: "Purpose to ask about; the request's by default." }) purpose: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return explainService.explain(ctx, action, subject, id, purpose);
  }
}
