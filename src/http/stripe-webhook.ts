import type { FastifyInstance, FastifyReply } from "fastify";
import Stripe from "stripe";
import type { PolicySet } from "../authz/policy-loader.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { CursorCodec } from "../modules/common/cursor.js";
import { applyStripeEvent, type StripeSubscriptionEvent } from "../modules/workspaces/subscription.service.js";
import { ErrorCode } from "../graphql/errors.js";

export const STRIPE_WEBHOOK_PATH = "/webhooks/stripe";
const SIGNATURE_HEADER = "stripe-signature";

function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string) {
  return reply.code(status).send({ errors: [{ message, extensions: { code } }] });
}

/**
 * `POST /webhooks/stripe`: Stripe's subscription events, verified with Stripe's own library
 * against STRIPE_WEBHOOK_SECRET over the exact bytes received (hence a raw-body parser scoped
 * to this route; the rest of the server keeps its JSON parser). Not configured: 503, so Stripe
 * keeps redelivering until it is. A bad or missing signature: 400 and nothing changes.
 */
export async function registerStripeWebhook(
  app: FastifyInstance,
  deps: { config: Config; database: Database; policies: PolicySet; cursors: CursorCodec },
): Promise<void> {
  await app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    scoped.post(STRIPE_WEBHOOK_PATH, async (request, reply) => {
      const secret = deps.config.stripeWebhookSecret;
      if (!secret)
        return refuse(reply, 503, ErrorCode.SERVICE_UNAVAILABLE, "Stripe webhooks are not configured on this server (STRIPE_WEBHOOK_SECRET is unset).");
      const signature = request.headers[SIGNATURE_HEADER];
      if (typeof signature !== "string" || !Buffer.isBuffer(request.body)) {
        return refuse(reply, 400, ErrorCode.BAD_REQUEST, "A Stripe-Signature header and the event body are required.");
      }
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(request.body, signature, secret);
      } catch {
        return refuse(reply, 400, ErrorCode.BAD_REQUEST, "The Stripe signature does not match this body, is too old, or the body is not JSON.");
      }
      if (typeof event?.id !== "string" || typeof event.type !== "string" || typeof event.created !== "number") {
        return refuse(reply, 400, ErrorCode.BAD_REQUEST, "A signed body that is not a Stripe event.");
      }
      const db = deps.database.handle(request.metrics);
      const outcome = await applyStripeEvent(
        { db, policies: deps.policies, cursors: deps.cursors, settings: deps.config },
        event as unknown as StripeSubscriptionEvent,
      );
      if (outcome === "denied") return refuse(reply, 403, ErrorCode.FORBIDDEN, "The policy does not let the system change this workspace's subscription.");
      return { received: true, outcome };
    });
  });
}
