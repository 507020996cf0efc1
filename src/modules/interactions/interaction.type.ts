import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import type { interactions } from "../../db/schema/index.js";
import { Connection } from "../../graphql/pagination.js";
import { Guard } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";

export type InteractionRow = typeof interactions.$inferSelect & { contact?: Record<string, unknown> };

export enum InteractionKind {
  CALL = "call",
  EMAIL = "email",
  MEETING = "meeting",
  NOTE = "note",
  SMS = "sms",
}
registerEnumType(InteractionKind, {
  name: "InteractionKind",
  description: "What kind of contact took place.",
  valuesConfig: {
    CALL: { description: "A phone call." },
    EMAIL: { description: "An email message." },
    MEETING: { description: "A meeting, in person or online." },
    NOTE: { description: "An internal note about the person." },
    SMS: { description: "A text message." },
  },
});

@Guard("read", "Interaction")
@ObjectType({ description: "A call, email, meeting, note or text message with a person." })
export class Interaction {
  @Field(() => ID, { description: "Interaction id." })
  id!: string;

  @Field(() => InteractionKind, { description: "Kind of interaction." })
  kind!: InteractionKind;

  @Field(() => String, { description: "The processing purpose it was recorded under." })
  purpose!: string;

  @Field(() => String, { nullable: true, description: "Subject line or title (free text, personal data)." })
  subject!: string | null;

  @Field(() => String, { nullable: true, description: "Content or notes (free text, personal data)." })
  body!: string | null;

  @Field(() => DateTime, { description: "When it happened." })
  occurredAt!: Date;

  @Field(() => DateTime, { description: "When it was recorded." })
  createdAt!: Date;

  @Field(() => DateTime, { description: "When it last changed." })
  updatedAt!: Date;
}

export const InteractionConnection = Connection(Interaction, "Interaction");
