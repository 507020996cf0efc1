// Recipients told (issue 9 item 6, Art. 19): privacy changes go into an outbox in their own
// transaction and are POSTed, HMAC-signed, to the webhooks an owner registered; failures are
// retried with backoff until dead; other roles and other tenants see and receive nothing.
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.js";
import { outboxEvents, webhookAttempts, webhookDeliveries, webhooks } from "../../src/db/schema/index.js";
import { CursorCodec } from "../../src/modules/common/cursor.js";
import { systemScope } from "../../src/modules/common/scope.js";
import { consentService } from "../../src/modules/consent/consent.service.js";
import { deliverDue, MAX_ATTEMPTS } from "../../src/modules/webhooks/outbox.service.js";
import { verifySignature } from "../../src/modules/webhooks/webhook.target.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db, workspaceId } from "../helpers/fixtures.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A recipient on loopback that records what it gets and answers `status`. */
class Receiver {
  readonly got: Received[] = [];
  status = 200;
  private server!: Server;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        this.got.push({ headers: req.headers, body });
        res.writeHead(this.status, { "content-type": "text/plain" });
        res.end("a body the log must never keep");
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface DeliveryShown {
  id: string;
  state: string;
  attempts: number;
  nextAttemptAt: string;
  lastStatusCode: number | null;
}

let t: TestApp;
let acmeHooks: Receiver;
let failing: Receiver;
let globexHooks: Receiver;
let owner: string;
let globex: string;
const secrets = new Map<string, string>();
const hookIds = new Map<string, string>();

const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events active description createdById } } }`;
const LIST = `{ webhooks(first: 50) { totalCount nodes { id url events active } } }`;
const DELIVERIES = `query($id: ID!, $state: WebhookDeliveryState) { webhookDeliveries(webhookId: $id, state: $state) { id eventId eventType contactId state attempts nextAttemptAt lastStatusCode lastErrorClass lastDurationMs deliveredAt } }`;
const WITHDRAW = `mutation($id: ID!, $p: String!) { withdrawConsent(contactId: $id, purpose: $p) { id } }`;
const RESTRICT = `mutation($id: ID!) { restrictProcessing(contactId: $id, reason: "The person contests the accuracy of the data") { id } }`;
const OBJECT = `mutation($id: ID!) { objectToProcessing(contactId: $id, purpose: "sales_pipeline") { id } }`;

const handle = (): Db => db(t);

async function create(token: string, name: string, url: string, events: string[]) {
  const res = await t.gql(CREATE, { input: { url, events, description: `${name} recipient` } }, { token });
  expect(res.errors).toBeUndefined();
  secrets.set(name, res.data!.createWebhook.secret);
  hookIds.set(name, res.data!.createWebhook.webhook.id);
  return res.data!.createWebhook;
}

async function deliveries(token: string, name: string, state?: string) {
  const res = await t.gql(DELIVERIES, { id: hookIds.get(name), state }, { token });
  expect(res.errors).toBeUndefined();
  return res.data!.webhookDeliveries as DeliveryShown[];
}

beforeAll(async () => {
  t = await startTestApp({ OUTBOX_INTERVAL_SECONDS: "0" });
  [acmeHooks, failing, globexHooks] = await Promise.all([new Receiver().start(), new Receiver().start(), new Receiver().start()]);
  failing.status = 500;
  owner = await t.login("owner@acme.test");
  globex = await t.login("owner@globex.test");
});
afterAll(async () => {
  await t.close();
  await Promise.all([acmeHooks.close(), failing.close(), globexHooks.close()]);
});

describe("registering webhooks", () => {
  it("the owner registers one and gets its secret once; the list never shows it", async () => {
    const made = await create(owner, "acme", acmeHooks.url, ["CONSENT_WITHDRAWN", "CONTACT_OBJECTED"]);
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(made.webhook).toMatchObject({ url: acmeHooks.url, events: ["CONSENT_WITHDRAWN", "CONTACT_OBJECTED"], active: true });
    await create(owner, "failing", failing.url, ["CONTACT_RESTRICTED", "CONTACT_RESTRICTION_LIFTED"]);
    await create(globex, "globex", globexHooks.url, ["CONSENT_WITHDRAWN"]);
    const listed = await t.gql(LIST, {}, { token: owner });
    expect(listed.data!.webhooks.totalCount).toBe(2);
    expect(JSON.stringify(listed.data)).not.toContain(secrets.get("acme"));
  });

  it("refuses a bad URL or no events with a coded error, and creates nothing", async () => {
    const [before] = await handle().select({ n: count() }).from(webhooks);
    for (const [url, events] of [
      ["http://example.com/hook", ["CONSENT_WITHDRAWN"]],
      ["https://user:secret@example.com/hook", ["CONSENT_WITHDRAWN"]],
      ["ftp://example.com/hook", ["CONSENT_WITHDRAWN"]],
      ["not a url", ["CONSENT_WITHDRAWN"]],
      [acmeHooks.url, []],
    ] as const) {
      const res = await t.gql(CREATE, { input: { url, events } }, { token: owner });
      expect(res.errors?.[0].extensions.code, url).toBe("BAD_USER_INPUT");
    }
    const [after] = await handle().select({ n: count() }).from(webhooks);
    expect(after.n).toBe(before.n);
  });

  it("the DPO reads webhooks and their log but registers, disables and deletes none; other roles see nothing", async () => {
    const dpo = await t.login("dpo@acme.test");
    expect((await t.gql(LIST, {}, { token: dpo })).data!.webhooks.totalCount).toBe(2);
    const made = await t.gql(CREATE, { input: { url: acmeHooks.url, events: ["CONSENT_WITHDRAWN"] } }, { token: dpo });
    expect(made.errors?.[0].extensions.code).toBe("FORBIDDEN");
    const disabled = await t.gql(`mutation($id: ID!) { disableWebhook(id: $id) { id } }`, { id: hookIds.get("acme") }, { token: dpo });
    expect(disabled.errors?.[0].extensions.code).toBe("FORBIDDEN");
    const deleted = await t.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hookIds.get("acme") }, { token: dpo });
    expect(deleted.errors?.[0].extensions.code).toBe("FORBIDDEN");
    for (const email of ["sales@acme.test", "marketing@acme.test", "support@acme.test", "auditor@acme.test"]) {
      const token = await t.login(email);
      const read = await t.gql(LIST, {}, { token });
      expect(read.errors?.[0].extensions.code, email).toBe("FORBIDDEN");
      const log = await t.gql(DELIVERIES, { id: hookIds.get("acme") }, { token });
      expect(log.errors?.[0].extensions.code, email).toBe("FORBIDDEN");
      const write = await t.gql(CREATE, { input: { url: acmeHooks.url, events: ["CONSENT_WITHDRAWN"] } }, { token });
      expect(write.errors?.[0].extensions.code, email).toBe("FORBIDDEN");
    }
  });
});

describe("delivering privacy events", () => {
  it("a withdrawal reaches the webhook as signed JSON naming only the contact's id and email", async () => {
    const hugo = await contactIdByEmail(t, "hugo.durand@vandelay.test");
    expect((await t.gql(WITHDRAW, { id: hugo, p: "marketing_email" }, { token: owner })).errors).toBeUndefined();
    const now = new Date(Date.now() + 1000);
    const report = await deliverDue(handle(), now);
    expect(report).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(acmeHooks.got).toHaveLength(1);
    const [{ headers, body }] = acmeHooks.got;
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ type: "consent.withdrawn", contact: { id: hugo, email: "hugo.durand@vandelay.test" }, purpose: "marketing_email" });
    expect(Object.keys(parsed).sort()).toEqual(["contact", "id", "occurredAt", "purpose", "type", "workspaceId"]);
    expect(body).not.toContain("Hugo");
    expect(headers["x-alpha-event-id"]).toBe(parsed.id);
    // The recipient's check: t=<unix>,v1=hex HMAC-SHA256 of "<t>.<body>" under the secret.
    const signature = String(headers["x-alpha-signature"]);
    const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
    expect(Number(ts)).toBe(Math.floor(now.getTime() / 1000));
    expect(v1).toBe(createHmac("sha256", secrets.get("acme")!).update(`${ts}.${body}`).digest("hex"));
    expect(verifySignature(secrets.get("acme")!, body, signature, now)).toBe(true);

    const [logged] = await deliveries(owner, "acme");
    expect(logged).toMatchObject({
      eventType: "CONSENT_WITHDRAWN",
      contactId: hugo,
      state: "DELIVERED",
      attempts: 1,
      lastStatusCode: 200,
      lastErrorClass: null,
    });
    // Delivered once: the next tick sends nothing.
    expect(await deliverDue(handle(), new Date(now.getTime() + 3_600_000))).toEqual({ delivered: 0, failed: 0, dead: 0 });
  });

  it("a tampered body, another secret or an old timestamp fails the signature check", () => {
    const [{ headers, body }] = acmeHooks.got;
    const signature = String(headers["x-alpha-signature"]);
    const at = new Date(Number(/t=(\d+)/.exec(signature)![1]) * 1000);
    const secret = secrets.get("acme")!;
    expect(verifySignature(secret, body.replace("hugo.durand", "someone.else"), signature, at)).toBe(false);
    expect(verifySignature(secrets.get("failing")!, body, signature, at)).toBe(false);
    expect(verifySignature(secret, body, signature.replace(/v1=./, "v1=0"), at)).toBe(false);
    expect(verifySignature(secret, body, signature, new Date(at.getTime() + 600_000))).toBe(false);
  });

  it("an objection is delivered with its purpose", async () => {
    const karim = await contactIdByEmail(t, "karim.simon@initech.test");
    expect((await t.gql(OBJECT, { id: karim }, { token: owner })).errors).toBeUndefined();
    expect(await deliverDue(handle(), new Date(Date.now() + 1000))).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(JSON.parse(acmeHooks.got.at(-1)!.body)).toMatchObject({ type: "contact.objected", contact: { id: karim }, purpose: "sales_pipeline" });
  });

  it("a recipient answering 500 is retried with backoff, dead after the last attempt, and redelivered by the owner", async () => {
    const ines = await contactIdByEmail(t, "ines.leroy@example.test");
    expect((await t.gql(RESTRICT, { id: ines }, { token: owner })).errors).toBeUndefined();
    let now = new Date(Date.now() + 1000);
    expect(await deliverDue(handle(), now)).toEqual({ delivered: 0, failed: 1, dead: 0 });
    const [first] = await deliveries(owner, "failing");
    expect(first).toMatchObject({ eventType: "CONTACT_RESTRICTED", state: "PENDING", attempts: 1, lastStatusCode: 500, lastErrorClass: "http_status" });
    // First retry after a minute, with jitter (±10%).
    const wait = new Date(first.nextAttemptAt).getTime() - now.getTime();
    expect(wait).toBeGreaterThanOrEqual(54_000);
    expect(wait).toBeLessThanOrEqual(66_000);
    expect(await deliverDue(handle(), new Date(now.getTime() + 30_000))).toEqual({ delivered: 0, failed: 0, dead: 0 });
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      now = new Date(now.getTime() + 14 * 3_600_000);
      expect(await deliverDue(handle(), now)).toEqual(attempt < MAX_ATTEMPTS ? { delivered: 0, failed: 1, dead: 0 } : { delivered: 0, failed: 0, dead: 1 });
    }
    expect(failing.got).toHaveLength(MAX_ATTEMPTS);
    const [dead] = await deliveries(owner, "failing", "DEAD");
    expect(dead).toMatchObject({ state: "DEAD", attempts: MAX_ATTEMPTS, lastStatusCode: 500 });
    // The log keeps status, error class and duration per attempt, never the response body.
    const log = await handle().select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, dead.id));
    expect(log).toHaveLength(MAX_ATTEMPTS);
    expect(JSON.stringify(log)).not.toContain("must never keep");
    expect(await deliverDue(handle(), new Date(now.getTime() + 30 * 24 * 3_600_000))).toEqual({ delivered: 0, failed: 0, dead: 0 });

    // Another tenant cannot redeliver it; the owner can, and it goes through once the recipient is back.
    const foreign = await t.gql(`mutation($id: ID!) { redeliverWebhookEvent(id: $id) { id } }`, { id: dead.id }, { token: globex });
    expect(foreign.errors?.[0].extensions.code).toBe("NOT_FOUND");
    const dpo = await t.login("dpo@acme.test");
    const byDpo = await t.gql(`mutation($id: ID!) { redeliverWebhookEvent(id: $id) { id } }`, { id: dead.id }, { token: dpo });
    expect(byDpo.errors?.[0].extensions.code).toBe("FORBIDDEN");
    failing.status = 204;
    const again = await t.gql(`mutation($id: ID!) { redeliverWebhookEvent(id: $id) { id state attempts } }`, { id: dead.id }, { token: owner });
    expect(again.errors).toBeUndefined();
    expect(again.data!.redeliverWebhookEvent).toMatchObject({ state: "PENDING", attempts: 0 });
    expect(await deliverDue(handle(), new Date(Date.now() + 1000))).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(failing.got).toHaveLength(MAX_ATTEMPTS + 1);

    // The lift is told too (after the person was informed, Art. 18(3)).
    const lift = `mutation($id: ID!) { liftRestriction(contactId: $id, informedVia: "email of 2026-11-30") { id } }`;
    expect((await t.gql(lift, { id: ines }, { token: owner })).errors).toBeUndefined();
    expect(await deliverDue(handle(), new Date(Date.now() + 1000))).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(JSON.parse(failing.got.at(-1)!.body)).toMatchObject({ type: "contact.restriction_lifted", contact: { id: ines }, purpose: null });
  });

  it("a disabled webhook's events wait, and go out once it is enabled", async () => {
    const alice = await contactIdByEmail(t, "alice.martin@initech.test");
    const id = hookIds.get("acme");
    expect((await t.gql(`mutation($id: ID!) { disableWebhook(id: $id) { active } }`, { id }, { token: owner })).data!.disableWebhook.active).toBe(false);
    expect((await t.gql(WITHDRAW, { id: alice, p: "marketing_email" }, { token: owner })).errors).toBeUndefined();
    const before = acmeHooks.got.length;
    expect(await deliverDue(handle(), new Date(Date.now() + 1000))).toEqual({ delivered: 0, failed: 0, dead: 0 });
    expect((await t.gql(`mutation($id: ID!) { enableWebhook(id: $id) { active } }`, { id }, { token: owner })).data!.enableWebhook.active).toBe(true);
    expect(await deliverDue(handle(), new Date(Date.now() + 1000))).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(acmeHooks.got).toHaveLength(before + 1);
  });

  it("processes delivering at once send each event once (claims skip locked rows)", async () => {
    const bruno = await contactIdByEmail(t, "bruno.bernard@initech.test");
    expect((await t.gql(WITHDRAW, { id: bruno, p: "marketing_email" }, { token: owner })).errors).toBeUndefined();
    const before = acmeHooks.got.length;
    const now = new Date(Date.now() + 1000);
    const reports = await Promise.all([deliverDue(handle(), now), deliverDue(handle(), now), deliverDue(handle(), now)]);
    expect(reports.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    expect(acmeHooks.got).toHaveLength(before + 1);
  });
});

describe("tenancy and transactions", () => {
  it("Acme's events never go to Globex's webhook, and Globex's never to Acme's", async () => {
    expect(globexHooks.got).toHaveLength(0);
    const homer = await contactIdByEmail(t, "homer@springfield.test");
    expect((await t.gql(WITHDRAW, { id: homer, p: "marketing_email" }, { token: globex })).errors).toBeUndefined();
    const acmeBefore = acmeHooks.got.length;
    expect(await deliverDue(handle(), new Date(Date.now() + 1000))).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(globexHooks.got).toHaveLength(1);
    expect(JSON.parse(globexHooks.got[0].body)).toMatchObject({
      contact: { id: homer, email: "homer@springfield.test" },
      workspaceId: await workspaceId(t, "Globex"),
    });
    expect(acmeHooks.got).toHaveLength(acmeBefore);
    for (const hook of acmeHooks.got) expect(JSON.parse(hook.body).workspaceId).toBe(await workspaceId(t, "Acme"));
  });

  it("Globex sees none of Acme's webhooks or deliveries, and cannot change them", async () => {
    const listed = await t.gql(LIST, {}, { token: globex });
    expect(listed.data!.webhooks.nodes.map((w: { id: string }) => w.id)).toEqual([hookIds.get("globex")]);
    const id = hookIds.get("acme");
    expect((await t.gql(DELIVERIES, { id }, { token: globex })).errors?.[0].extensions.code).toBe("NOT_FOUND");
    expect((await t.gql(`mutation($id: ID!) { disableWebhook(id: $id) { id } }`, { id }, { token: globex })).errors?.[0].extensions.code).toBe("NOT_FOUND");
    expect((await t.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id }, { token: globex })).errors?.[0].extensions.code).toBe("NOT_FOUND");
    expect((await t.gql(LIST, {}, { token: owner })).data!.webhooks.totalCount).toBe(2);
  });

  it("no outbox row is written when the privacy change rolls back", async () => {
    const jules = await contactIdByEmail(t, "jules.moreau@example.test");
    const [before] = await handle().select({ n: count() }).from(outboxEvents);
    const cursors = new CursorCodec(t.app.signingSecret);
    const acme = await workspaceId(t, "Acme");
    // Everything below runs on the transaction only (PGlite has one connection).
    await expect(
      handle().transaction(async (tx: Db) => {
        const scope = systemScope({ db: tx, policies: t.app.policies, cursors, settings: t.config }, acme, "legal_compliance");
        await consentService.withdraw(scope, jules, "marketing_email", "api");
        // Inside the transaction the event is queued...
        const [inside] = await tx.select({ n: count() }).from(outboxEvents);
        expect(inside.n).toBe(before.n + 1);
        throw new Error("roll the withdrawal back");
      }),
    ).rejects.toThrow("roll the withdrawal back");
    const [after] = await handle().select({ n: count() }).from(outboxEvents);
    expect(after.n).toBe(before.n);
    expect(await deliverDue(handle(), new Date(Date.now() + 1000))).toEqual({ delivered: 0, failed: 0, dead: 0 });
  });

  it("the owner deletes a webhook with its queued deliveries", async () => {
    const id = hookIds.get("failing");
    const res = await t.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id }, { token: owner });
    expect(res.data!.deleteWebhook).toBe(true);
    const [left] = await handle().select({ n: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, id!));
    expect(left.n).toBe(0);
  });
});
