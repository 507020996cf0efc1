import { IsOptional, Length, Matches, Max, Min } from "class-validator";
import { Field, Float, ID, InputType, registerEnumType } from "type-graphql";
import { OrderDirection } from "../common/paging.js";
import { DateTime } from "../../graphql/scalars.js";
import { DealStage } from "./deal.type.js";

const MAX_AMOUNT = 999_999_999_999;

@InputType({ description: "A new deal." })
export class CreateDealInput {
  @Field(() => String, { description: "Title, 1 to 200 characters." })
  @Length(1, 200)
  title!: string;

  @Field(() => DealStage, { nullable: true, description: "Stage; LEAD when omitted." })
  @IsOptional()
  stage?: DealStage | null;

  @Field(() => Float, { nullable: true, description: "Expected value, 0 or more." })
  @IsOptional()
  @Min(0)
  @Max(MAX_AMOUNT)
  amount?: number | null;

  @Field(() => String, { nullable: true, description: "ISO 4217 code; EUR when omitted." })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: "currency must be a three-letter ISO 4217 code" })
  currency?: string | null;

  @Field(() => ID, { nullable: true, description: "The person the deal is with." })
  @IsOptional()
  contactId?: string | null;

  @Field(() => ID, { nullable: true, description: "The company the deal is with." })
  @IsOptional()
  companyId?: string | null;
}

@InputType({ description: "Changes to a deal: omitted fields stay, null clears an optional field." })
export class UpdateDealInput {
  @Field(() => String, { nullable: true, description: "Title, 1 to 200 characters." })
  @IsOptional()
  @Length(1, 200)
  title?: string | null;

  @Field(() => DealStage, { nullable: true, description: "Stage." })
  @IsOptional()
  stage?: DealStage | null;

  @Field(() => Float, { nullable: true, description: "Expected value, 0 or more." })
  @IsOptional()
  @Min(0)
  @Max(MAX_AMOUNT)
  amount?: number | null;

  @Field(() => String, { nullable: true, description: "ISO 4217 code." })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: "currency must be a three-letter ISO 4217 code" })
  currency?: string | null;

  @Field(() => ID, { nullable: true, description: "The person the deal is with." })
  @IsOptional()
  contactId?: string | null;

  @Field(() => ID, { nullable: true, description: "The company the deal is with." })
  @IsOptional()
  companyId?: string | null;
}

@InputType({ description: "Narrows a deal list." })
export class DealFilter {
  @Field(() => [ID], { nullable: true, description: "Only these ids (at most 200)." })
  ids?: string[] | null;

  @Field(() => ID, { nullable: true, description: "Only deals with this person." })
  contactId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only deals with this company." })
  companyId?: string | null;

  @Field(() => DealStage, { nullable: true, description: "Only deals in this stage." })
  stage?: DealStage | null;

  @Field(() => String, { nullable: true, description: "Case-insensitive contains on the title." })
  search?: string | null;

  @Field(() => DateTime, { nullable: true, description: "Created at or after this instant." })
  createdAfter?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Created before this instant." })
  createdBefore?: Date | null;
}

export enum DealOrderField {
  CREATED_AT = "CREATED_AT",
  TITLE = "TITLE",
  UPDATED_AT = "UPDATED_AT",
}
registerEnumType(DealOrderField, {
  name: "DealOrderField",
  description: "Sort keys for deals.",
  valuesConfig: {
    CREATED_AT: { description: "When the deal was created." },
    TITLE: { description: "The deal's title." },
    UPDATED_AT: { description: "When the deal last changed." },
  },
});

@InputType({ description: "Sort order of a deal list (ties broken by id)." })
export class DealOrder {
  @Field(() => DealOrderField, { description: "Sort key." })
  field!: DealOrderField;

  @Field(() => OrderDirection, { description: "Direction." })
  direction!: OrderDirection;
}
