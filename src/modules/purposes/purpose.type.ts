import { Field, ObjectType } from "type-graphql";
import { Public } from "../../graphql/guard.js";

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

@Public()
@ObjectType({ description: "A processing purpose from the record of processing activities (policies/purposes.yaml)." })
export class ProcessingPurpose {
  @Field(() => String, { description: "Purpose id, sent as X-Processing-Purpose." })
  id!: string;

  @Field(() => String, { description: "Short name." })
  name!: string;

  @Field(() => String, { description: "What the purpose covers." })
  description!: string;

  @Field(() => String, { description: "GDPR Art. 6 basis: consent, contract, legal_obligation or legitimate_interest." })
  lawfulBasis!: string;

  @Field(() => String, { description: "Alpha CRM's role: controller, or processor for its customers." })
  gdprRole!: string;

  @Field(() => String, { nullable: true, description: "For consent purposes: the channel (email or sms)." })
  channel!: string | null;

  @Field(() => [String], { description: "Categories of personal data processed." })
  dataCategories!: string[];

  @Field(() => [String], { description: "Whose data: contacts, users, visitors." })
  dataSubjects!: string[];

  @Field(() => String, { description: "Retention rule that applies." })
  retention!: string;

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
