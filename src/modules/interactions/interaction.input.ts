import { IsOptional, MaxLength } from "class-validator";
import { Field, ID, InputType, registerEnumType } from "type-graphql";
import { OrderDirection } from "../common/paging.js";
import { DateTime } from "../../graphql/scalars.js";
import { InteractionKind } from "./interaction.type.js";

@InputType({ description: "A new interaction; it is recorded under the request's purpose." })
export class CreateInteractionInput {
  @Field(() => ID, { description: "The person it was with." })
  contactId!: string;

  @Field(() => InteractionKind, { description: "Kind of interaction." })
  kind!: InteractionKind;

  @Field(() => ID, { nullable: true, description: "The deal it belongs to." })
  @IsOptional()
  dealId?: string | null;

  @Field(() => String, { nullable: true, description: "Subject, up to 300 characters." })
  @IsOptional()
  @MaxLength(300)
  subject?: string | null;

  @Field(() => String, { nullable: true, description: "Content, up to 20000 characters." })
  @IsOptional()
  @MaxLength(20_000)
  body?: string | null;

  @Field(() => DateTime, { nullable: true, description: "When it happened; now when omitted." })
  @IsOptional()
  occurredAt?: Date | null;
}

@InputType({ description: "Changes to an interaction: omitted fields stay, null clears an optional field." })
export class UpdateInteractionInput {
  @Field(() => ID, { nullable: true, description: "The deal it belongs to." })
  @IsOptional()
  dealId?: string | null;

  @Field(() => String, { nullable: true, description: "Subject, up to 300 characters." })
  @IsOptional()
  @MaxLength(300)
  subject?: string | null;

  @Field(() => String, { nullable: true, description: "Content, up to 20000 characters." })
  @IsOptional()
  @MaxLength(20_000)
  body?: string | null;

  @Field(() => DateTime, { nullable: true, description: "When it happened." })
  @IsOptional()
  occurredAt?: Date | null;
}

@InputType({ description: "Narrows an interaction list." })
export class InteractionFilter {
  @Field(() => [ID], { nullable: true, description: "Only these ids (at most 200)." })
  ids?: string[] | null;

  @Field(() => ID, { nullable: true, description: "Only with this person." })
  contactId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only for this deal." })
  dealId?: string | null;

  @Field(() => InteractionKind, { nullable: true, description: "Only of this kind." })
  kind?: InteractionKind | null;

  @Field(() => String, { nullable: true, description: "Case-insensitive contains on subject and body." })
  search?: string | null;

  @Field(() => DateTime, { nullable: true, description: "Happened at or after this instant." })
  occurredAfter?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Happened before this instant." })
  occurredBefore?: Date | null;
}

export enum InteractionOrderField {
  OCCURRED_AT = "OCCURRED_AT",
  CREATED_AT = "CREATED_AT",
  UPDATED_AT = "UPDATED_AT",
}
registerEnumType(InteractionOrderField, {
  name: "InteractionOrderField",
  description: "Sort keys for interactions.",
  valuesConfig: {
    OCCURRED_AT: { description: "When it happened." },
    CREATED_AT: { description: "When it was recorded." },
    UPDATED_AT: { description: "When it last changed." },
  },
});

@InputType({ description: "Sort order of an interaction list (ties broken by id)." })
export class InteractionOrder {
  @Field(() => InteractionOrderField, { description: "Sort key." })
  field!: InteractionOrderField;

  @Field(() => OrderDirection, { description: "Direction." })
  direction!: OrderDirection;
}
