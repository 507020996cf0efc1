import { Field, ObjectType } from "type-graphql";
import { Structure } from "../../graphql/guard.js";

@Structure()
@ObjectType({ description: "One link of the chain behind a decision." })
export class AccessCheck {
  @Field(() => String, { description: "purpose, role_rule, tenant, consent, objection, restriction or erasure." })
  check!: string;

  @Field(() => String, { description: "pass, deny, or n/a." })
  outcome!: string;

  @Field(() => String, { description: "What was checked, in words." })
  detail!: string;
}

@Structure()
@ObjectType({ description: "Why an action is allowed or denied: the same ability that enforces, explained." })
export class AccessDecision {
  @Field(() => Boolean, { description: "The verdict." })
  allowed!: boolean;

  @Field(() => String, { description: "Id of the deciding rule: a role rule, a purpose gate (gate.consent.*), or default.deny." })
  rule!: string;

  @Field(() => String, { description: "Why, in a sentence." })
  reason!: string;

  @Field(() => String, { description: "The role asked about." })
  role!: string;

  @Field(() => String, { description: "The purpose asked about." })
  purpose!: string;

  @Field(() => String, { nullable: true, description: "Lawful basis of that purpose." })
  lawfulBasis!: string | null;

  @Field(() => String, { nullable: true, description: "policies/ file and line of the deciding role rule." })
  source!: string | null;

  @Field(() => [AccessCheck], { description: "Purpose, role rule, tenant and the person's consent/objection/restriction/erasure state." })
  chain!: AccessCheck[];
}
