import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import type { DeliveryState } from "../../db/schema/index.js";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Connection, PageArgs } from "../../graphql/pagination.js";
import { pageRequest } from "../common/paging.js";
import { webhookService } from "./webhook.service.js";
import { CreatedWebhook, CreateWebhookInput, Webhook, WebhookDelivery, WebhookDeliveryState } from "./webhook.type.js";

export const WebhookConnection = Connection(Webhook, "Webhook");

@Resolver(() => Webhook)
export class WebhookResolver {
  @Guard("read", "Webhook")
  @Query(() => WebhookConnection, { description: "The workspace's webhooks (recipients told of privacy events, Art. 19), newest first." })
  async webhooks(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AppContext) {
    return new WebhookConnection(await webhookService.list(ctx, pageRequest(args)));
  }

  @Guard("read", "Webhook")
  @Query(() => [WebhookDelivery], {
    description: "A webhook's delivery log, newest first: state, attempts, last status code, error class and duration (never the response body).",
  })
  webhookDeliveries(
    @Arg("webhookId", () => ID, { description: "Webhook id." }) webhookId: string,
    @Arg("state", () => WebhookDeliveryState, { nullable: true, description: "Only deliveries in this state." }) state: DeliveryState | null,
    @Arg("first", () => Int, { nullable: true, description: "How many, newest first: default 50, at most 100." }) first: number | null,
    @Ctx() ctx: AppContext,
  ) {
    return webhookService.deliveries(ctx, webhookId, state, first);
  }

  @Guard("create", "Webhook")
  @Mutation(() => CreatedWebhook, {
    description: "Registers a webhook for privacy events; the answer carries its signing secret, shown this once.",
  })
  createWebhook(@Arg("input", () => CreateWebhookInput, { description: "Where to send which events." }) input: CreateWebhookInput, @Ctx() ctx: AppContext) {
    return webhookService.create(ctx, input);
  }

  @Guard("update", "Webhook")
  @Mutation(() => Webhook, { description: "Disables a webhook: its events are queued and wait until it is enabled again." })
  disableWebhook(@Arg("id", () => ID, { description: "Webhook id." }) id: string, @Ctx() ctx: AppContext) {
    return webhookService.setActive(ctx, id, false);
  }

  @Guard("update", "Webhook")
  @Mutation(() => Webhook, { description: "Enables a disabled webhook: the events queued meanwhile are sent." })
  enableWebhook(@Arg("id", () => ID, { description: "Webhook id." }) id: string, @Ctx() ctx: AppContext) {
    return webhookService.setActive(ctx, id, true);
  }

  @Guard("delete", "Webhook")
  @Mutation(() => Boolean, { description: "Deletes a webhook with its queued deliveries and their log." })
  deleteWebhook(@Arg("id", () => ID, { description: "Webhook id." }) id: string, @Ctx() ctx: AppContext) {
    return webhookService.remove(ctx, id);
  }

  @Guard("update", "Webhook")
  @Mutation(() => WebhookDelivery, { description: "Queues a delivery again now (a dead one, or one to send once more), with a fresh count of attempts." })
  redeliverWebhookEvent(@Arg("id", () => ID, { description: "Delivery id (from webhookDeliveries)." }) id: string, @Ctx() ctx: AppContext) {
    return webhookService.redeliver(ctx, id);
  }
}
