import { JSONResolver } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import type { UsageKind as Kind, usageEvents } from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard } from "../../graphql/guard.js";
import { Connection } from "../../graphql/pagination.js";
import { DateTime } from "../../graphql/scalars.js";

export type UsageEventRow = typeof usageEvents.$inferSelect;

export const UsageKind = closedSetEnum<Kind>("UsageKind", "What a usage event records (privacy policy 2.2).", {
  login: "A sign-in; its duration is filled when the session ends: logout, revocation, a password change or reset, deactivation, or expiry.",
  page_view: "A page the frontend showed (reported by the frontend).",
  feature: "A feature the user used (reported by the frontend).",
  action: "A mutation the user performed: its operation name, root fields and outcome, never its arguments.",
});

@Guard("read", "UsageEvent")
@ObjectType({ description: "What a user did and from where: logins, pages, features and actions (kept 12 months)." })
export class UsageEvent {
  @Field(() => ID, { description: "Usage event id." })
  id!: string;

  @Field(() => UsageKind, { description: "LOGIN, PAGE_VIEW, FEATURE or ACTION." })
  kind!: Kind;

  @Field(() => ID, { description: "The account holder who acted." })
  userId!: string;

  @Field(() => DateTime, { description: "When it happened (for a login: when the session began)." })
  occurredAt!: Date;

  @Field(() => Int, { nullable: true, description: "Logins only: how long the session lasted, in seconds, once it ended." })
  durationSeconds!: number | null;

  @Field(() => String, { nullable: true, description: 'Browser and operating system, e.g. "Firefox 131 on macOS" (the raw User-Agent is not kept).' })
  device!: string | null;

  @Field(() => String, { nullable: true, description: "The client's IP address (network data)." })
  ip!: string | null;

  @Field(() => String, { nullable: true, description: "The client's country, ISO 3166-1 alpha-2, when a trusted proxy states it (network data)." })
  location!: string | null;

  @Field(() => JSONResolver, {
    nullable: true,
    description: "What was used, as JSON: `{ path }` for a page view, `{ feature }` for a feature, `{ operation, fields, outcome }` for an action.",
  })
  detail!: unknown;
}

export const UsageEventConnection = Connection(UsageEvent, "UsageEvent");
