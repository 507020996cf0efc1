import { Field, ID, ObjectType } from "type-graphql";
import type { SUBSCRIPTION_STATUSES, users, workspaces } from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard, Public } from "../../graphql/guard.js";
import { DateTime, EmailAddress, PhoneNumber } from "../../graphql/scalars.js";

export type UserRow = Omit<typeof users.$inferSelect, "passwordHash">;
export type WorkspaceRow = typeof workspaces.$inferSelect;

type SubscriptionStatusValue = (typeof SUBSCRIPTION_STATUSES)[number];

const SubscriptionStatus = closedSetEnum<SubscriptionStatusValue>("SubscriptionStatus", "Where a workspace's subscription stands.", {
  trialing: "In the free trial.",
  active: "Paid and current.",
  past_due: "A payment failed; the workspace still works while it is retried.",
  cancelled: "Ended; the data is kept 6 months after cancelledAt, then deleted.",
});

@Guard("read", "Workspace")
@ObjectType({ description: "A customer account: the tenant every record belongs to." })
export class Workspace {
  @Field(() => ID, { description: "Workspace id." })
  id!: string;

  @Field(() => String, { description: "Workspace name." })
  name!: string;

  @Field(() => String, { nullable: true, description: "Subscription plan." })
  plan!: string | null;

  @Field(() => SubscriptionStatus, { nullable: true, description: "TRIALING, ACTIVE, PAST_DUE or CANCELLED." })
  subscriptionStatus!: SubscriptionStatusValue | null;

  @Field(() => DateTime, { nullable: true, description: "When the subscription ended; data is kept 6 months after." })
  cancelledAt!: Date | null;

  @Field(() => String, { nullable: true, description: "IANA time zone in which legal deadlines (privacy requests) are counted; null means UTC." })
  timeZone!: string | null;

  @Field(() => DateTime, { description: "When the workspace was created." })
  createdAt!: Date;
}

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
