import { IsOptional, Length } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import type { UsageKind as Kind } from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { DateTime } from "../../graphql/scalars.js";
import { MAX_USAGE_NAME, type ReportedKind } from "./usage.service.js";
import { UsageKind } from "./usage.type.js";

export const UsageReportKind = closedSetEnum<ReportedKind>("UsageReportKind", "What the frontend may report.", {
  page_view: "A page was shown: `name` is its path (no query string or fragment).",
  feature: "A feature was used: `name` is its id.",
});

@InputType({ description: "A page view or feature use the frontend reports for the signed-in user." })
export class UsageInput {
  @Field(() => UsageReportKind, { description: "PAGE_VIEW or FEATURE." })
  kind!: ReportedKind;

  @Field(() => String, {
    description: `The page path ("/contacts/123", no query string or fragment) or the feature id ("contacts.export"), at most ${MAX_USAGE_NAME} characters.`,
  })
  @Length(1, MAX_USAGE_NAME)
  name!: string;
}

@InputType({ description: "Conditions usage events must meet." })
export class UsageEventFilter {
  @Field(() => UsageKind, { nullable: true, description: "Only of this kind." })
  @IsOptional()
  kind?: Kind | null;

  @Field(() => ID, { nullable: true, description: "Only this user's events." })
  @IsOptional()
  userId?: string | null;

  @Field(() => DateTime, { nullable: true, description: "Happened at or after this instant." })
  @IsOptional()
  occurredAfter?: Date | null;

  @Field(() => DateTime, { nullable: true, description: "Happened before this instant." })
  @IsOptional()
  occurredBefore?: Date | null;
}
