import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";
import type { deals } from "../../db/schema/index.js";
import { Connection } from "../../graphql/pagination.js";
import { Guard } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";
import { DealStage } from "./deal.subject.js";

export { DealStage };

export type DealRow = typeof deals.$inferSelect & { contact?: Record<string, unknown> };

registerEnumType(DealStage, {
  name: "DealStage",
  description: "Where a deal stands in the pipeline.",
  valuesConfig: {
    LEAD: { description: "A first contact; not yet qualified." },
    QUALIFIED: { description: "A real need and a budget are confirmed." },
    PROPOSAL: { description: "An offer was sent." },
    NEGOTIATION: { description: "Terms are being discussed." },
    WON: { description: "Signed (sets closedAt)." },
    LOST: { description: "Not signed (sets closedAt)." },
  },
});

@Guard("read", "Deal")
@ObjectType({ description: "A sales opportunity." })
export class Deal {
  @Field(() => ID, { description: "Deal id." })
  id!: string;

  @Field(() => String, { description: "Short title." })
  title!: string;

  @Field(() => DealStage, { description: "Pipeline stage." })
  stage!: DealStage;

  @Field(() => Float, { nullable: true, description: "Expected value, in `currency`." })
  amount!: number | null;

  @Field(() => String, { description: "ISO 4217 currency code." })
  currency!: string;

  @Field(() => DateTime, { nullable: true, description: "When the deal was won or lost." })
  closedAt!: Date | null;

  @Field(() => DateTime, { description: "When the deal was created." })
  createdAt!: Date;

  @Field(() => DateTime, { description: "When the deal last changed." })
  updatedAt!: Date;
}

export const DealConnection = Connection(Deal, "Deal");
