import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import type { DeliveryState, WebhookEventType, webhooks } from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard, Structure } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";

export type WebhookRow = Omit<typeof webhooks.$inferSelect, "secret">;

export const WebhookEvent = closedSetEnum<WebhookEventType>(
  "WebhookEvent",
  "A privacy event recipients are told about (Art. 19).",
  {
    "consent.withdrawn": "A contact withdrew a consent (the payload names the purpose).",
    "contact.objected": "A contact objected to a purpose (Art. 21).",
    "contact.restricted": "Processing of a contact was restricted (Art. 18).",
    "contact.restriction_lifted": "A restriction was lifted, after the person was informed.",
    "contact.erased": "A contact was erased (Art. 17).",
  },
  {
    "consent.withdrawn": "CONSENT_WITHDRAWN",
    "contact.objected": "CONTACT_OBJECTED",
    "contact.restricted": "CONTACT_RESTRICTED",
    "contact.restriction_lifted": "CONTACT_RESTRICTION_LIFTED",
    "contact.erased": "CONTACT_ERASED",
  },
);

export const WebhookDeliveryState = closedSetEnum<DeliveryState>("WebhookDeliveryState", "Where a delivery stands.", {
  pending: "Waiting for its next attempt.",
  delivered: "The recipient answered 2xx.",
  dead: "Gave up after repeated failures; an owner may redeliver it.",
});

@Guard("read", "Webhook")
@ObjectType({ description: "A recipient of the workspace's privacy events: each event is POSTed as signed JSON." })
export class Webhook {
  @Field(() => ID, { description: "Webhook id." })
  id!: string;

  @Field(() => String, { description: "Where events are POSTed (HTTPS)." })
  url!: string;

  @Field(() => String, { nullable: true, description: "What the recipient is (an email provider, a partner...)." })
  description!: string | null;

  @Field(() => [WebhookEvent], { description: "The events it receives." })
  events!: WebhookEventType[];

  @Field(() => Boolean, { description: "Not disabled: due deliveries are sent." })
  active!: boolean;

  @Field(() => ID, { nullable: true, description: "Who registered it." })
  createdById!: string | null;

  @Field(() => DateTime, { description: "When it was registered." })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "When it was disabled (events wait until it is enabled again)." })
  disabledAt!: Date | null;
}

@Structure()
@ObjectType({ description: "A webhook just registered, with its signing secret: shown this once, never again." })
export class CreatedWebhook {
  @Field(() => Webhook, { description: "The webhook." })
  webhook!: WebhookRow;

  @Field(() => String, { description: "The secret that signs every body (X-Alpha-Signature); store it now." })
  secret!: string;
}

@Structure()
@ObjectType({ description: "One privacy event to one webhook, and how its delivery went (never the recipient's response body)." })
export class WebhookDelivery {
  @Field(() => ID, { description: "Delivery id (pass it to redeliverWebhookEvent)." })
  id!: string;

  @Field(() => ID, { description: "The event id, also sent as X-Alpha-Event-Id: recipients deduplicate on it." })
  eventId!: string;

  @Field(() => WebhookEvent, { description: "The event." })
  eventType!: WebhookEventType;

  @Field(() => ID, { nullable: true, description: "The contact the event is about." })
  contactId!: string | null;

  @Field(() => WebhookDeliveryState, { description: "PENDING, DELIVERED or DEAD." })
  state!: DeliveryState;

  @Field(() => Int, { description: "Failed or successful attempts since it was queued (or redelivered)." })
  attempts!: number;

  @Field(() => DateTime, { nullable: true, description: "When the next attempt is due (pending only)." })
  nextAttemptAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When it was last tried." })
  lastAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true, description: "The HTTP status of the last attempt (null when no answer came)." })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true, description: "Why the last attempt failed: http_status, timeout, connection, redirect, refused_target." })
  lastErrorClass!: string | null;

  @Field(() => Int, { nullable: true, description: "How long the last attempt took, in milliseconds." })
  lastDurationMs!: number | null;

  @Field(() => DateTime, { nullable: true, description: "When the recipient accepted it." })
  deliveredAt!: Date | null;
}

@InputType({ description: "A webhook to register." })
export class CreateWebhookInput {
  @Field(() => String, { description: "Where to POST events: https (plain http only to loopback outside production), no credentials." })
  url!: string;

  @Field(() => [WebhookEvent], { description: "The events to receive, at least one." })
  events!: WebhookEventType[];

  @Field(() => String, { nullable: true, description: "What the recipient is, at most 500 characters." })
  description?: string | null;
}
