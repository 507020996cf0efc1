import { randomBytes } from "node:crypto";
import { actorId } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { type DeliveryState, WEBHOOK_EVENTS, type WebhookEventType } from "../../db/schema/index.js";
import { badInput, notFound } from "../../errors.js";
import { ensureAllowed, whereCan } from "../common/access.js";
import { CrudService, isUuid } from "../common/crud.service.js";
import type { OrderInput } from "../common/entity-store.js";
import { OrderDirection, type PageRequest, pageSize } from "../common/paging.js";
import type { Scope } from "../common/scope.js";
import { deleteWebhook, deliveriesOf, deliveryById, insertWebhook, requeue, setDisabled } from "./webhook.repository.js";
import { checkWebhookUrl } from "./webhook.target.js";
import type { WebhookRow } from "./webhook.type.js";

const crud = new CrudService<WebhookRow>("Webhook");
const NEWEST_FIRST: OrderInput = { field: "CREATED_AT", direction: OrderDirection.DESC };

export interface CreateWebhook {
  url: string;
  events: readonly string[];
  description?: string | null;
}

/** A row as the API shows it: `active` is derived from `disabledAt`. */
const shown = (row: WebhookRow) => Object.assign(row, { active: row.disabledAt === null });

function eventsArg(events: readonly string[]): WebhookEventType[] {
  if (events.length === 0) throw badInput("events", "name at least one event");
  const unknown = events.find((e) => !WEBHOOK_EVENTS.includes(e as WebhookEventType));
  if (unknown) throw badInput("events", `unknown event ${unknown}`);
  return [...new Set(events as WebhookEventType[])];
}

async function log(tx: Db, ctx: Scope, action: string, id: string, detail: Record<string, unknown>) {
  await recordDecision(tx, ctx.policies, ctx.principal!, { action, subject: "Webhook", subjectId: id, purpose: ctx.purpose?.id, decision: "allow", detail });
}

export const webhookService = {
  async list(ctx: Scope, page: PageRequest) {
    const result = await crud.list(ctx, page, undefined, NEWEST_FIRST);
    result.rows.forEach(shown);
    return result;
  },

  get: async (ctx: Scope, id: string, field?: string) => shown(await crud.get(ctx, id, field)),

  /** Registers a webhook and returns its signing secret, this once. */
  async create(ctx: Scope, input: CreateWebhook): Promise<{ webhook: WebhookRow; secret: string }> {
    const principal = ctx.principal!;
    const url = checkWebhookUrl(input.url, {
      production: ctx.settings.production !== false,
      allowPrivate: ctx.settings.webhookAllowPrivateTargets === true,
    });
    const events = eventsArg(input.events);
    const description = input.description?.trim() || null;
    if (description && description.length > 500) throw badInput("description", "at most 500 characters");
    const target: object = { workspaceId: principal.workspaceId };
    await ensureAllowed(ctx, "create", "Webhook", target);
    const secret = `whsec_${randomBytes(32).toString("base64url")}`;
    const id = await ctx.db.transaction(async (tx: Db) => {
      const created = await insertWebhook(tx, { workspaceId: principal.workspaceId, url, events, description, secret, createdById: actorId(principal) });
      // The URL is logged (who sends people's addresses where); the secret never.
      await log(tx, ctx, "create_webhook", created, { url, events });
      return created;
    });
    // The secret is shown this once: the answer must come back even to a caller that may not read webhooks.
    return { webhook: shown(await crud.written(ctx, id)), secret };
  },

  /** Disables (events wait, queued) or enables a webhook. */
  async setActive(ctx: Scope, id: string, active: boolean): Promise<WebhookRow> {
    const current = await webhookService.get(ctx, id, "id");
    await ensureAllowed(ctx, "update", "Webhook", current);
    const done = await ctx.db.transaction(async (tx: Db) => {
      if (!(await setDisabled(tx, whereCan(ctx, "update", "Webhook"), current.id, active ? null : new Date()))) return false;
      await log(tx, ctx, active ? "enable_webhook" : "disable_webhook", current.id, { url: current.url });
      return true;
    });
    if (!done) throw notFound("Webhook", id, "id");
    return webhookService.get(ctx, id);
  },

  /** Deletes a webhook with its queued deliveries and their log. */
  async remove(ctx: Scope, id: string): Promise<boolean> {
    const current = await webhookService.get(ctx, id, "id");
    await ensureAllowed(ctx, "delete", "Webhook", current);
    const done = await ctx.db.transaction(async (tx: Db) => {
      if (!(await deleteWebhook(tx, whereCan(ctx, "delete", "Webhook"), current.id))) return false;
      await log(tx, ctx, "delete_webhook", current.id, { url: current.url });
      return true;
    });
    if (!done) throw notFound("Webhook", id, "id");
    return true;
  },

  /** A webhook's delivery log, newest first: only for a webhook the caller may read. */
  async deliveries(ctx: Scope, webhookId: string, state: DeliveryState | null | undefined, first: number | null | undefined) {
    const hook = await webhookService.get(ctx, webhookId, "webhookId");
    return deliveriesOf(ctx.db, hook.workspaceId, hook.id, state ?? undefined, pageSize(first, 100, 50));
  },

  /** Queues a delivery again now (after a dead letter, or to send it once more). */
  async redeliver(ctx: Scope, deliveryId: string) {
    const principal = ctx.principal!;
    const delivery = isUuid(deliveryId) ? await deliveryById(ctx.db, principal.workspaceId, deliveryId) : undefined;
    if (!delivery) throw notFound("WebhookDelivery", deliveryId, "id");
    // Found through the webhook: the caller must be allowed to update it.
    const hook = await webhookService.get(ctx, delivery.webhookId, "id").catch(() => {
      throw notFound("WebhookDelivery", deliveryId, "id");
    });
    await ensureAllowed(ctx, "update", "Webhook", hook);
    await ctx.db.transaction(async (tx: Db) => {
      await requeue(tx, principal.workspaceId, delivery.id, new Date());
      await log(tx, ctx, "redeliver_webhook_event", hook.id, { deliveryId: delivery.id, eventId: delivery.eventId, previousState: delivery.state });
    });
    return deliveryById(ctx.db, principal.workspaceId, delivery.id);
  },
};
