import { ArrayMaxSize, IsOptional, Length } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { DateTime } from "../../graphql/scalars.js";
import { type BreachSeverity as Severity, MAX_AFFECTED_IDS } from "./breach.rules.js";
import { BreachSeverity } from "./breach.type.js";

@InputType({ description: "A breach to document (Art. 33(5)): the facts, the effects, the measures, who was affected." })
export class ReportBreachInput {
  @Field(() => String, { description: "The facts: what happened, 1 to 10,000 characters." })
  @Length(1, 10_000)
  description!: string;

  @Field(() => DateTime, { description: "When the breach was detected; not in the future. The 72-hour deadlines count from it." })
  detectedAt!: Date;

  @Field(() => BreachSeverity, { description: "LOW, MEDIUM, HIGH or CRITICAL." })
  severity!: Severity;

  @Field(() => [ID], { nullable: true, description: "Contacts of your workspace whose data was affected." })
  @IsOptional()
  @ArrayMaxSize(MAX_AFFECTED_IDS)
  affectedContactIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: "Account holders of your workspace who were affected." })
  @IsOptional()
  @ArrayMaxSize(MAX_AFFECTED_IDS)
  affectedUserIds?: string[] | null;

  @Field(() => String, { description: "The likely consequences for the people affected, 1 to 10,000 characters." })
  @Length(1, 10_000)
  effects!: string;

  @Field(() => String, { description: "The measures taken or proposed, 1 to 10,000 characters." })
  @Length(1, 10_000)
  remedialAction!: string;

  @Field(() => String, { nullable: true, description: 'The supervisory authority to notify; "CNIL" when omitted (privacy policy, section 15).' })
  @IsOptional()
  @Length(1, 200)
  authority?: string | null;
}
