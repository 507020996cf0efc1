import { IsOptional, Length, MaxLength } from "class-validator";
import { Field, ID, InputType, ObjectType } from "type-graphql";
import type { users } from "../../db/schema/index.js";
import { Guard, Public } from "../../graphql/guard.js";
import { DateTime, EmailAddress, PhoneNumber } from "../../graphql/scalars.js";

export type UserRow = Omit<typeof users.$inferSelect, "passwordHash">;

@Guard("read", "User")
@ObjectType({ description: "A member of a workspace (an Alpha CRM account holder)." })
export class User {
  @Field(() => ID, { description: "User id." })
  id!: string;

  @Field(() => EmailAddress, { nullable: true, description: "Sign-in email (personal data)." })
  email!: string | null;

  @Field(() => String, { nullable: true, description: "Full name (personal data)." })
  name!: string | null;

  @Field(() => PhoneNumber, { nullable: true, description: "Phone number in E.164 form, e.g. +33612345678 (personal data)." })
  phone!: string | null;

  @Field(() => String, { nullable: true, description: "Position at the company (personal data)." })
  position!: string | null;

  @Field(() => String, { description: "Role id, e.g. sales_rep (see policies/roles)." })
  role!: string;

  @Field(() => DateTime, { nullable: true, description: "Last successful sign-in." })
  lastLoginAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When the account was created." })
  createdAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When an owner deactivated the account (null while active): sign-in is refused since." })
  deactivatedAt!: Date | null;
}

@Public()
@ObjectType({ description: "A new session." })
export class AuthPayload {
  @Field(() => String, { description: "Bearer token: send it as `Authorization: Bearer <token>`. Shown once." })
  token!: string;

  @Field(() => DateTime, { description: "When the session ends." })
  expiresAt!: Date;

  @Field(() => User, { description: "Who signed in." })
  user!: UserRow;
}

@InputType({ description: "Corrections to the signed-in user's own profile (Art. 16): omitted fields stay, null clears phone or position." })
export class UpdateMyProfileInput {
  @Field(() => String, { nullable: true, description: "Full name, 1 to 200 characters; cannot be cleared." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;

  @Field(() => PhoneNumber, { nullable: true, description: "Phone number in E.164 form, e.g. +33612345678." })
  @IsOptional()
  phone?: string | null;

  @Field(() => String, { nullable: true, description: "Position at the company, up to 200 characters." })
  @IsOptional()
  @MaxLength(200)
  position?: string | null;
}
