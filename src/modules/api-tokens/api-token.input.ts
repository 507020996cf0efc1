import { ArrayMaxSize, ArrayMinSize, IsOptional, Length } from "class-validator";
import { Field, InputType } from "type-graphql";
import { DateTime } from "../../graphql/scalars.js";

@InputType({ description: "A new API token: what it may do, under which purposes, until when." })
export class CreateApiTokenInput {
  @Field(() => String, { description: "A label (the integration it serves), 1 to 100 characters." })
  @Length(1, 100)
  name!: string;

  @Field(() => [String], { description: "1 to 50 scopes, each within what your role may do: `contacts:read`, `deals:write`, `consents:withdraw`..." })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  scopes!: string[];

  @Field(() => [String], { nullable: true, description: "Purposes the token may act under, within your role's; your role's default purpose when omitted." })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  purposes?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: "The purpose used when a request names none; one of `purposes` (your role's default if listed, else the first).",
  })
  @IsOptional()
  defaultPurpose?: string | null;

  @Field(() => DateTime, { nullable: true, description: "When the token stops working: in the future, at most one year ahead; 90 days when omitted." })
  @IsOptional()
  expiresAt?: Date | null;
}
