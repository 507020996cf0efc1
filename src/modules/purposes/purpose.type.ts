import { Field, ObjectType } from "type-graphql";
import type { LawfulBasis as Basis, Purpose, RetentionTrigger } from "../../authz/policy-loader.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Public } from "../../graphql/guard.js";

export const LawfulBasis = closedSetEnum<Basis>("LawfulBasis", "A lawful basis of processing (GDPR Art. 6(1)).", {
  consent: "(a) The person gave consent for this purpose; it can be withdrawn at any time.",
  contract: "(b) Needed to perform a contract with the person, or to take steps they asked for before one.",
  legal_obligation: "(c) Needed to comply with a legal obligation of the controller.",
  vital_interests: "(d) Needed to protect someone's vital interests.",
  public_task: "(e) Needed for a task in the public interest or in the exercise of official authority.",
  legitimate_interest: "(f) Needed for the legitimate interests of the controller or a third party; the person may object.",
});

export const GdprRole = closedSetEnum<Purpose["gdprRole"]>("GdprRole", "Alpha CRM's role in a processing activity (GDPR Art. 4(7) and 4(8)).", {
  controller: "Alpha CRM decides why and how the data is processed.",
  processor: "Alpha CRM processes the data on behalf of its customers, who are the controllers.",
});

export const ConsentChannel = closedSetEnum<NonNullable<Purpose["channel"]>>("ConsentChannel", "The channel a consent covers.", {
  email: "Email messages.",
  sms: "Text messages (SMS).",
});

@Public()
@ObjectType({ description: "A recipient of personal data (privacy policy section 7) and how transfers are safeguarded (section 10)." })
export class Processor {
  @Field(() => String, { description: "Processor id." })
  id!: string;

  @Field(() => String, { description: "Legal name." })
  name!: string;

  @Field(() => String, { description: "What it does for us." })
  service!: string;

  @Field(() => String, { description: "Where the data is processed." })
  location!: string;

  @Field(() => String, { description: "Transfer safeguard: standard contractual clauses, adequacy decision..." })
  transferSafeguard!: string;
}

export const RetentionTriggerEnum = closedSetEnum<RetentionTrigger>("RetentionTrigger", "What starts a retention clock.", {
  workspace_cancelled: "The end of the workspace's subscription.",
  consent_withdrawn: "The withdrawal of the consent the data was processed under.",
  recorded: "The moment the record was made.",
  last_event: "The person's (or the record's) last recorded event.",
  expired: "The record's own expiry.",
});

@Public()
@ObjectType({ description: "A retention period from policies/retention.yaml (privacy policy section 8)." })
export class RetentionPeriod {
  @Field(() => String, { description: "Retention id, as purposes name it." })
  id!: string;

  @Field(() => String, { description: "Short name." })
  name!: string;

  @Field(() => String, { description: "What is kept, how long, and what happens after." })
  description!: string;

  @Field(() => RetentionTriggerEnum, { description: "What starts the clock." })
  trigger!: RetentionTrigger;

  @Field(() => String, { description: "How long after the trigger, as an ISO 8601 duration (P6M, P12M, P5Y)." })
  period!: string;

  @Field(() => String, { nullable: true, description: "Privacy policy section that states it." })
  policySection!: string | null;
}

@Public()
@ObjectType({ description: "A processing purpose from the record of processing activities (policies/purposes.yaml)." })
export class ProcessingPurpose {
  @Field(() => String, { description: "Purpose id, sent as X-Processing-Purpose." })
  id!: string;

  @Field(() => String, { description: "Short name." })
  name!: string;

  @Field(() => String, { description: "What the purpose covers." })
  description!: string;

  @Field(() => LawfulBasis, { description: "GDPR Art. 6 basis of the purpose." })
  lawfulBasis!: Basis;

  @Field(() => GdprRole, { description: "Alpha CRM's role: controller, or processor for its customers." })
  gdprRole!: Purpose["gdprRole"];

  @Field(() => ConsentChannel, { nullable: true, description: "For consent purposes: the channel (EMAIL or SMS)." })
  channel!: Purpose["channel"] | null;

  @Field(() => [String], { description: "Categories of personal data processed." })
  dataCategories!: string[];

  @Field(() => [String], { description: "Whose data: contacts, users, visitors." })
  dataSubjects!: string[];

  @Field(() => String, { description: "Retention rule that applies (an id of policies/retention.yaml)." })
  retention!: string;

  @Field(() => RetentionPeriod, { description: "The retention rule in full: period and what starts it." })
  retentionPeriod!: RetentionPeriod;

  @Field(() => [Processor], { description: "Processors involved." })
  processors!: Processor[];

  @Field(() => Boolean, { description: "The person may object (Art. 21)." })
  objectable!: boolean;

  @Field(() => Boolean, { description: "Still applies to restricted data (Art. 18(2))." })
  allowedWhenRestricted!: boolean;

  @Field(() => Boolean, { description: "Direct marketing: an objection is absolute (Art. 21(3))." })
  directMarketing!: boolean;

  @Field(() => String, { nullable: true, description: "Privacy policy section that states it." })
  policySection!: string | null;
}
