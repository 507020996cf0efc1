import { Field, ID, ObjectType } from "type-graphql";
import type { CANCELLED_BY, SUBSCRIPTION_STATUSES } from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";

type SubscriptionStatusValue = (typeof SUBSCRIPTION_STATUSES)[number];

const SubscriptionStatus = closedSetEnum<SubscriptionStatusValue>("SubscriptionStatus", "Where a workspace's subscription stands.", {
  trialing: "In the free trial.",
  active: "Paid and current.",
  past_due: "A payment failed; the workspace still works while it is retried.",
  cancelled: "Ended; the data is kept 6 months after cancelledAt (until purgeAfter), then deleted.",
  purged: "Ended and its data deleted; nobody can sign in to it or reactivate it.",
});

type CancelledByValue = (typeof CANCELLED_BY)[number];

const CancelledBy = closedSetEnum<CancelledByValue>("CancelledBy", "Who ended a workspace's subscription.", {
  owner: "An owner, with cancelWorkspace; reactivateWorkspace undoes it before purgeAfter.",
  stripe: "Stripe: the subscription was deleted there; only a new subscription through billing reactivates the workspace.",
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

  @Field(() => SubscriptionStatus, { nullable: true, description: "TRIALING, ACTIVE, PAST_DUE, CANCELLED or PURGED." })
  subscriptionStatus!: SubscriptionStatusValue | null;

  @Field(() => DateTime, { nullable: true, description: "When the subscription ended; data is kept 6 months after." })
  cancelledAt!: Date | null;

  @Field(() => CancelledBy, { nullable: true, description: "Who cancelled (OWNER or STRIPE); null while the workspace is not cancelled." })
  cancelledBy!: CancelledByValue | null;

  @Field(() => String, { nullable: true, description: "IANA time zone in which legal deadlines (privacy requests) are counted; null means UTC." })
  timeZone!: string | null;

  @Field(() => DateTime, { description: "When the workspace was created." })
  createdAt!: Date;
}
