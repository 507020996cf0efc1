import { MaxLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import type { DecisionEntry } from "../../authz/decision-log.js";
import { DateTime } from "../../graphql/scalars.js";
import { AuditDecision } from "./audit.type.js";

@InputType({ description: "Narrows the audit log; all given conditions must hold." })
export class AuditLogFilter {
  @Field(() => ID, { nullable: true, description: "Only entries by this user." })
  actorId?: string | null;

  @Field(() => String, { nullable: true, description: "Only this action (login, create, update, delete, read, grant_consent...)." })
  @MaxLength(100)
  action?: string | null;

  @Field(() => String, { nullable: true, description: "Only entries about this subject type (Contact, User...)." })
  @MaxLength(100)
  subject?: string | null;

  @Field(() => String, { nullable: true, description: "Only entries about this row (with `subject`, one record's history)." })
  @MaxLength(200)
  subjectId?: string | null;

  @Field(() => AuditDecision, { nullable: true, description: "Only allowed actions, or only denials." })
  outcome?: DecisionEntry["decision"] | null;

  @Field(() => DateTime, { nullable: true, description: "Written at or after this instant." })
  after?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Written before this instant." })
  before?: Date | null;
}
