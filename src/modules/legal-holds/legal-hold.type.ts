import { Field, ID, InputType, ObjectType } from "type-graphql";
import type { legalHolds } from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";

export type LegalHoldRow = typeof legalHolds.$inferSelect;

export type HoldScope = "contact" | "workspace";

export const LegalHoldScope = closedSetEnum<HoldScope>("LegalHoldScope", "What a legal hold keeps.", {
  contact: "One contact and everything linked to them.",
  workspace: "The whole workspace: nothing in it is purged or deleted.",
});

@Guard("read", "LegalHold")
@ObjectType({ description: "A legal hold: retention and erasure skip what it holds until it is released, and say so in their reports." })
export class LegalHold {
  @Field(() => ID, { description: "Hold id." })
  id!: string;

  @Field(() => LegalHoldScope, { description: "CONTACT or WORKSPACE." })
  scope!: HoldScope;

  @Field(() => ID, { nullable: true, description: "The contact held (null for a workspace hold)." })
  contactId!: string | null;

  @Field(() => String, { description: "Why the data must be kept (litigation, an authority's request...)." })
  reason!: string;

  @Field(() => ID, { nullable: true, description: "Who placed it." })
  placedById!: string | null;

  @Field(() => DateTime, { description: "When it was placed." })
  placedAt!: Date;

  @Field(() => Boolean, { description: "Not yet released." })
  active!: boolean;

  @Field(() => DateTime, { nullable: true, description: "When it was released." })
  releasedAt!: Date | null;

  @Field(() => ID, { nullable: true, description: "Who released it." })
  releasedById!: string | null;

  @Field(() => String, { nullable: true, description: "Why it was released." })
  releaseReason!: string | null;
}

@InputType({ description: "A legal hold to place: on one contact, or on the whole workspace when contactId is left out." })
export class PlaceLegalHoldInput {
  @Field(() => ID, { nullable: true, description: "The contact to hold; leave out to hold the whole workspace." })
  contactId?: string | null;

  @Field(() => String, { description: "Why, 5 to 2000 characters." })
  reason!: string;
}

@InputType({ description: "Which legal holds to list." })
export class LegalHoldFilter {
  @Field(() => Boolean, { nullable: true, description: "Only holds still in force (true) or only released ones (false)." })
  active?: boolean | null;

  @Field(() => ID, { nullable: true, description: "Only holds on this contact." })
  contactId?: string | null;
}
