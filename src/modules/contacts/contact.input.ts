import { IsOptional, Length, MaxLength } from "class-validator";
import { Field, ID, InputType, registerEnumType } from "type-graphql";
import { OrderDirection } from "../common/paging.js";
import { DateTime, EmailAddress, PhoneNumber } from "../../graphql/scalars.js";

@InputType({ description: "A new contact." })
export class CreateContactInput {
  @Field(() => String, { description: "Given name, 1 to 100 characters." })
  @Length(1, 100)
  firstName!: string;

  @Field(() => String, { description: "Family name, 1 to 100 characters." })
  @Length(1, 100)
  lastName!: string;

  @Field(() => EmailAddress, { nullable: true, description: "Email address." })
  @IsOptional()
  @MaxLength(254)
  email?: string | null;

  @Field(() => PhoneNumber, { nullable: true, description: "Phone number in E.164 form, e.g. +33612345678." })
  @IsOptional()
  phone?: string | null;

  @Field(() => String, { nullable: true, description: "Position at the company, up to 200 characters." })
  @IsOptional()
  @MaxLength(200)
  position?: string | null;

  @Field(() => ID, { nullable: true, description: "The company the person works for." })
  @IsOptional()
  companyId?: string | null;
}

@InputType({ description: "Changes to a contact: omitted fields stay, null clears an optional field." })
export class UpdateContactInput {
  @Field(() => String, { nullable: true, description: "Given name, 1 to 100 characters." })
  @IsOptional()
  @Length(1, 100)
  firstName?: string | null;

  @Field(() => String, { nullable: true, description: "Family name, 1 to 100 characters." })
  @IsOptional()
  @Length(1, 100)
  lastName?: string | null;

  @Field(() => EmailAddress, { nullable: true, description: "Email address." })
  @IsOptional()
  @MaxLength(254)
  email?: string | null;

  @Field(() => PhoneNumber, { nullable: true, description: "Phone number in E.164 form." })
  @IsOptional()
  phone?: string | null;

  @Field(() => String, { nullable: true, description: "Position, up to 200 characters." })
  @IsOptional()
  @MaxLength(200)
  position?: string | null;

  @Field(() => ID, { nullable: true, description: "The company the person works for." })
  @IsOptional()
  companyId?: string | null;
}

@InputType({ description: "Narrows a contact list; all given conditions must hold." })
export class ContactFilter {
  @Field(() => [ID], { nullable: true, description: "Only these ids (at most 200)." })
  ids?: string[] | null;

  @Field(() => ID, { nullable: true, description: "Only people of this company." })
  companyId?: string | null;

  @Field(() => String, { nullable: true, description: "Case-insensitive contains on names and email." })
  search?: string | null;

  @Field(() => String, { nullable: true, description: "Exact email address, case-insensitive." })
  email?: string | null;

  @Field(() => DateTime, { nullable: true, description: "Created at or after this instant." })
  createdAfter?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Created before this instant." })
  createdBefore?: Date | null;
}

export enum ContactOrderField {
  CREATED_AT = "CREATED_AT",
  LAST_NAME = "LAST_NAME",
  UPDATED_AT = "UPDATED_AT",
}
registerEnumType(ContactOrderField, {
  name: "ContactOrderField",
  description: "Sort keys for contacts.",
  valuesConfig: {
    CREATED_AT: { description: "When the contact was created." },
    LAST_NAME: { description: "The family name." },
    UPDATED_AT: { description: "When the contact last changed." },
  },
});

@InputType({ description: "Sort order of a contact list (ties broken by id)." })
export class ContactOrder {
  @Field(() => ContactOrderField, { description: "Sort key." })
  field!: ContactOrderField;

  @Field(() => OrderDirection, { description: "Direction." })
  direction!: OrderDirection;
}
