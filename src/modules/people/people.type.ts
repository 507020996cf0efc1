import { IsOptional, Length } from "class-validator";
import { Field, ID, InputType, ObjectType } from "type-graphql";
import { Authenticated } from "../../graphql/guard.js";
import { DateTime, EmailAddress } from "../../graphql/scalars.js";

@InputType({ description: "Whom to invite into the caller's workspace, and with which role." })
export class InviteUserInput {
  @Field(() => EmailAddress, { description: "The invitee's email; it becomes their sign-in email. Must not already have an account." })
  email!: string;

  @Field(() => String, { description: "Role id from policies/roles (owner, dpo, auditor, sales_rep, marketing, support); never system." })
  @Length(1, 100)
  role!: string;

  @Field(() => String, { nullable: true, description: "The invitee's full name, 1 to 200 characters; they may give another when accepting." })
  @IsOptional()
  @Length(1, 200)
  name?: string | null;
}

// Returned only to the owner who issued it (inviteUser guards create User).
@Authenticated()
@ObjectType({ description: "An invitation to join the workspace. The token is shown once, here; it expires after 7 days and works once." })
export class Invitation {
  @Field(() => ID, { description: "Invitation id." })
  id!: string;

  @Field(() => EmailAddress, { description: "The invitee's email." })
  email!: string;

  @Field(() => String, { description: "The role the invitee gets on acceptance." })
  role!: string;

  @Field(() => DateTime, { description: "When the token stops working." })
  expiresAt!: Date;

  @Field(() => String, { description: "The one-time token for acceptInvitation. Shown once: only its SHA-256 is stored." })
  token!: string;
}

// Only ever the caller's own sessions (mySessions).
@Authenticated()
@ObjectType({ description: "One of the signed-in user's own sessions." })
export class Session {
  @Field(() => ID, { description: "Session id (revokeSession takes it); never the token." })
  id!: string;

  @Field(() => DateTime, { description: "When the session was opened (the sign-in)." })
  createdAt!: Date;

  @Field(() => DateTime, { description: "When the session ends by itself." })
  expiresAt!: Date;

  @Field(() => Boolean, { description: "True for the session this request was made with." })
  current!: boolean;
}
