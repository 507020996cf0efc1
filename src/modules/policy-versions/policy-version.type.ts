import { Length } from "class-validator";
import { Field, ID, InputType, ObjectType } from "type-graphql";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard, Structure } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";
import type { PolicyScope } from "./policy-version.service.js";

const PolicyVersionScope = closedSetEnum<PolicyScope>("PolicyVersionScope", "Whose notice a policy version is.", {
  platform: "Alpha CRM's own privacy policy, for every account holder.",
  workspace: "A customer's own notice, published by its workspace.",
});

@Guard("read", "PolicyVersion")
@ObjectType({ description: "A published version of a privacy notice (public: readable without sign-in)." })
export class PolicyVersion {
  @Field(() => ID, { description: "Policy version id." })
  id!: string;

  @Field(() => String, { description: "The version label, unique within its scope (e.g. 2026-11)." })
  version!: string;

  @Field(() => String, { description: "What changed." })
  summary!: string;

  @Field(() => Boolean, { description: "A material change: every account holder is notified once (privacy policy, section 13)." })
  material!: boolean;

  @Field(() => DateTime, { description: "When it was published." })
  publishedAt!: Date;

  @Field(() => PolicyVersionScope, { description: "PLATFORM (Alpha CRM's policy) or WORKSPACE (the customer's notice)." })
  scope!: PolicyScope;
}

@Structure()
@ObjectType({ description: "A material policy change the signed-in user has not acknowledged yet." })
export class PolicyNotice {
  @Field(() => String, { description: "The version label; pass it to acknowledgePolicy." })
  version!: string;

  @Field(() => String, { description: "What changed." })
  summary!: string;

  @Field(() => DateTime, { description: "When it was published." })
  publishedAt!: Date;
}

@InputType({ description: "A new version of the workspace's privacy notice." })
export class PolicyVersionInput {
  @Field(() => String, { description: "The version label, 1 to 50 characters, new in the workspace." })
  @Length(1, 50)
  version!: string;

  @Field(() => String, { description: "What changed, 1 to 2,000 characters." })
  @Length(1, 2_000)
  summary!: string;

  @Field(() => Boolean, {
    nullable: true,
    description: "A material change (default false): every member of the workspace sees a notice until they acknowledge it.",
  })
  material?: boolean | null;
}
