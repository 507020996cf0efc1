import { Field, ObjectType } from "type-graphql";
import type { LawfulBasis as Basis } from "../../authz/policy-loader.js";
import type { CheckKind, CheckOutcome } from "../../authz/gates.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Structure } from "../../graphql/guard.js";
import { LawfulBasis } from "../purposes/purpose.type.js";

const AccessCheckKind = closedSetEnum<CheckKind>("AccessCheckKind", "What one link of an explained decision checks.", {
  purpose: "The role may act under the purpose.",
  role_rule: "A role rule allows the action on the subject (default.deny otherwise).",
  token_purposes: "An API token was given the purpose (its own allowed purposes, within its creator's role; callers with a token only).",
  token_scope: "An API token's scopes include the action on the subject (callers with a token only).",
  tenant: "The record belongs to the caller's workspace.",
  data_subjects: "The purpose processes the people the record is about (its dataSubjects).",
  data_category: "The purpose covers the record's data category (its dataCategories).",
  writes: "The purpose creates and changes records of this subject (its writes).",
  record_purpose: "The record serves the purpose it is written under.",
  interaction_kind: "The purpose records interactions of this kind (its interactionKinds).",
  consent: "The person gave a granted, unwithdrawn consent for a consent-based purpose.",
  objection: "The person did not object to an objectable purpose (Art. 21).",
  restriction: "The person's processing is not restricted (Art. 18).",
  erasure: "The person was not erased.",
  tombstone: "An erased person's personal fields are hidden.",
});

const AccessCheckOutcome = closedSetEnum<CheckOutcome>(
  "AccessCheckOutcome",
  "What one link of an explained decision found.",
  { pass: "The check lets the action through.", deny: "The check refuses the action.", "n/a": "The check does not apply to this record." },
  { "n/a": "NOT_APPLICABLE" },
);

@Structure()
@ObjectType({ description: "One link of the chain behind a decision." })
export class AccessCheck {
  @Field(() => AccessCheckKind, { description: "What was checked: the purpose, the role rule, the tenant, or a purpose gate." })
  check!: CheckKind;

  @Field(() => AccessCheckOutcome, { description: "PASS, DENY, or NOT_APPLICABLE." })
  outcome!: CheckOutcome;

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

  @Field(() => LawfulBasis, { nullable: true, description: "Lawful basis of that purpose." })
  lawfulBasis!: Basis | null;

  @Field(() => String, { nullable: true, description: "policies/ file and line of the deciding role rule." })
  source!: string | null;

  @Field(() => String, {
    description: "sha256 digest of the policy in force (policies/ files, gate table, subject registry); the decision log names the same digest.",
  })
  policyDigest!: string;

  @Field(() => [AccessCheck], { description: "Purpose, role rule, tenant and the person's consent/objection/restriction/erasure state." })
  chain!: AccessCheck[];
}
