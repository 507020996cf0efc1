import { Ctx, Query, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Public } from "../../graphql/guard.js";
import { ProcessingPurpose } from "./purpose.type.js";

@Resolver()
export class PurposeResolver {
  @Public()
  @Query(() => [ProcessingPurpose], { description: "The processing purposes, their lawful bases and processors: public, like the privacy policy." })
  processingPurposes(@Ctx() ctx: AppContext): ProcessingPurpose[] {
    return [...ctx.policies.purposes.values()].map((p) => ({
      ...p,
      channel: p.channel ?? null,
      policySection: p.policySection ?? null,
      processors: p.processors.map((id) => ctx.policies.processors.get(id)!),
    }));
  }
}
