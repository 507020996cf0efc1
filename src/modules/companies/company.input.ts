import { IsOptional, Length, MaxLength } from "class-validator";
import { Field, ID, InputType, registerEnumType } from "type-graphql";
import { OrderDirection } from "../common/paging.js";
import { DateTime } from "../../graphql/scalars.js";

@InputType({ description: "A new company." })
export class CreateCompanyInput {
  @Field(() => String, { description: "Name, 1 to 200 characters." })
  @Length(1, 200)
  name!: string;

  @Field(() => String, { nullable: true, description: "Web domain, up to 253 characters." })
  @IsOptional()
  @MaxLength(253)
  domain?: string | null;

  @Field(() => String, { nullable: true, description: "Industry, up to 100 characters." })
  @IsOptional()
  @MaxLength(100)
  industry?: string | null;
}

@InputType({ description: "Changes to a company: omitted fields stay, null clears an optional field." })
export class UpdateCompanyInput {
  @Field(() => String, { nullable: true, description: "Name, 1 to 200 characters." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => String, { nullable: true, description: "Web domain." })
  @IsOptional()
  @MaxLength(253)
  domain?: string | null;

  @Field(() => String, { nullable: true, description: "Industry." })
  @IsOptional()
  @MaxLength(100)
  industry?: string | null;
}

@InputType({ description: "Narrows a company list." })
export class CompanyFilter {
  @Field(() => [ID], { nullable: true, description: "Only these ids (at most 200)." })
  ids?: string[] | null;

  @Field(() => String, { nullable: true, description: "Case-insensitive contains on name and domain." })
  search?: string | null;

  @Field(() => DateTime, { nullable: true, description: "Created at or after this instant." })
  createdAfter?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Created before this instant." })
  createdBefore?: Date | null;
}

export enum CompanyOrderField {
  CREATED_AT = "CREATED_AT",
  NAME = "NAME",
  UPDATED_AT = "UPDATED_AT",
}
registerEnumType(CompanyOrderField, {
  name: "CompanyOrderField",
  description: "Sort keys for companies.",
  valuesConfig: {
    CREATED_AT: { description: "When the company was created." },
    NAME: { description: "The company's name." },
    UPDATED_AT: { description: "When the company last changed." },
  },
});

@InputType({ description: "Sort order of a company list (ties broken by id)." })
export class CompanyOrder {
  @Field(() => CompanyOrderField, { description: "Sort key." })
  field!: CompanyOrderField;

  @Field(() => OrderDirection, { description: "Direction." })
  direction!: OrderDirection;
}
