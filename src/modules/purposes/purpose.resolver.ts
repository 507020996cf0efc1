import { Ctx, Query, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Public } from "../../graphql/guard.js";
import type { RetentionRule } from "../../authz/policy-loader.js";
import { ProcessingPurpose, type RetentionPeriod } from "./purpose.type.js";

const retentionPeriod = (r: RetentionRule): RetentionPeriod => ({ ...r, policySection: r.policySection ?? null });

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
      retentionPeriod: retentionPeriod(ctx.policies.retention.get(p.retention)!),
    }));
  }
}
