import { createHash } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Purpose } from "../authz/policy-loader.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { CursorCodec } from "../modules/common/cursor.js";
import type { PolicySet } from "../authz/policy-loader.js";
import { unsubscribeService, type UnsubscribeDeps } from "../modules/unsubscribe/unsubscribe.service.js";
import { ONE_CLICK_FIELD, ONE_CLICK_VALUE, UNSUBSCRIBE_PATH, type UnsubscribeLinks } from "../modules/unsubscribe/unsubscribe.token.js";
import { anonymousRetryAfter } from "./authenticate.js";

/**
 * The public one-click unsubscribe pages (RFC 8058; no sign-in: the token is the proof).
 * `GET` shows one button and changes nothing (mail scanners follow links); `POST` with
 * `List-Unsubscribe=One-Click` (the button, or a mail client on its own) withdraws the consent
 * the token names and confirms. Plain HTML that works without JavaScript, loads nothing from
 * anywhere (a strict Content-Security-Policy says so), and answers 400 to a token this API did
 * not issue, changing nothing.
 */

export interface UnsubscribePagesOptions {
  config: Config;
  database: Database;
  policies: PolicySet;
  cursors: CursorCodec;
  links: UnsubscribeLinks;
}

/** The page's only style, allowed by its hash: no inline script, no other source. */
const STYLE =
  "body{font-family:system-ui,sans-serif;margin:0;background:#fff;color:#1a1a1a;line-height:1.5}" +
  "main{max-width:32rem;margin:4rem auto;padding:0 1.5rem}h1{font-size:1.6rem}" +
  "button{font:inherit;font-weight:600;padding:.75rem 1.5rem;border:2px solid #0b3d91;border-radius:.4rem;background:#0b3d91;color:#fff;cursor:pointer}" +
  "button:hover,button:focus-visible{background:#072a66;outline:3px solid #f5a623;outline-offset:2px}";
const STYLE_HASH = createHash("sha256").update(STYLE).digest("base64");

const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  "cache-control": "no-store",
  // The token is in the URL: no other site may see it through a Referer.
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "x-robots-tag": "noindex, nofollow",
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** "marketing emails" / "marketing text messages": what the person receives under the purpose. */
function messages(purpose: Purpose): string {
  return purpose.channel === "sms" ? "marketing text messages" : "marketing emails";
}

const askPage = (purpose: Purpose) =>
  page(
    `Unsubscribe from ${messages(purpose)}`,
    `<h1>Unsubscribe from ${escapeHtml(messages(purpose))}</h1>
<p>Press the button to stop receiving ${escapeHtml(messages(purpose))} from this sender (${escapeHtml(purpose.name)}). It takes effect at once; other messages are not affected.</p>
<form method="post">
<button type="submit" name="${ONE_CLICK_FIELD}" value="${ONE_CLICK_VALUE}">Unsubscribe</button>
</form>`,
  );

const donePage = (purpose: Purpose) =>
  page(
    "You are unsubscribed",
    `<h1>You are unsubscribed</h1>
<p>You will no longer receive ${escapeHtml(messages(purpose))} from this sender. Your consent to ${escapeHtml(purpose.name.toLowerCase())} is withdrawn and recorded. You can close this page.</p>`,
  );

const badLinkPage = () =>
  page(
    "This unsubscribe link does not work",
    `<h1>This unsubscribe link does not work</h1>
<p>The link is incomplete, was changed, or is no longer valid, so nothing was changed. Open the link from the message again, or reply to the sender and ask to be unsubscribed.</p>`,
  );

const badRequestPage = () =>
  page(
    "Nothing was changed",
    `<h1>Nothing was changed</h1>
<p>This request did not ask to unsubscribe. Open the link from the message and press the Unsubscribe button.</p>`,
  );

const busyPage = (seconds: number) =>
  page("Too many requests", `<h1>Too many requests</h1>\n<p>Too many requests came from your network. Please try again in ${seconds} seconds.</p>`);

const failedPage = () => page("Something went wrong", "<h1>Something went wrong</h1>\n<p>Nothing was changed. Please try again in a few minutes.</p>");

function send(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(HEADERS).send(html);
}

/** A POST body as this page understands it: did it carry List-Unsubscribe=One-Click? */
class OneClickBody {
  constructor(readonly oneClick: boolean) {}
}

function urlEncodedOneClick(body: string): boolean {
  return new URLSearchParams(body).getAll(ONE_CLICK_FIELD).includes(ONE_CLICK_VALUE);
}

/** RFC 8058 also allows multipart/form-data: the part named List-Unsubscribe must hold One-Click. */
function multipartOneClick(body: string, contentType: string): boolean {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return false;
  return body.split(`--${boundary}`).some((part) => {
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) return false;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, "");
    return new RegExp(`name="${ONE_CLICK_FIELD}"`, "i").test(head) && value.trim() === ONE_CLICK_VALUE;
  });
}

/** The path of a request as logs may show it: an unsubscribe token is a credential. */
export function loggedPath(url: string): string {
  const path = url.split("?")[0];
  return path.startsWith(`${UNSUBSCRIBE_PATH}/`) ? `${UNSUBSCRIBE_PATH}/[token]` : path;
}

const BODY_LIMIT = 4096;

export async function unsubscribePages(app: FastifyInstance, opts: UnsubscribePagesOptions): Promise<void> {
  const { config, database, policies, cursors, links } = opts;
  const deps = (request: FastifyRequest): UnsubscribeDeps => ({ db: database.handle(request.metrics), policies, cursors, settings: config, links });

  // Only these routes read form bodies: the GraphQL endpoint keeps refusing them (CSRF).
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: BODY_LIMIT }, (_req, body, done) =>
    done(null, new OneClickBody(urlEncodedOneClick(String(body)))),
  );
  app.addContentTypeParser("multipart/form-data", { parseAs: "string", bodyLimit: BODY_LIMIT }, (req, body, done) =>
    done(null, new OneClickBody(multipartOneClick(String(body), String(req.headers["content-type"])))),
  );
  // The pages answer in HTML, errors included (a wrong body type, a body too large).
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, "unsubscribe page failed");
    return send(reply, status, status === 500 ? failedPage() : badRequestPage());
  });

  /** Anonymous requests are counted per address like the other public operations. */
  async function limited(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const retryAfter = await anonymousRetryAfter(database.handle(request.metrics), request.ip, config.rateLimitAnonymousPerMinute);
    if (retryAfter === undefined) return false;
    send(reply.header("retry-after", String(retryAfter)), 429, busyPage(retryAfter));
    return true;
  }

  // A wildcard, not a parameter: a token of any length reaches the handler and gets the 400 page.
  app.get(`${UNSUBSCRIBE_PATH}/*`, async (request, reply) => {
    if (await limited(request, reply)) return reply;
    const token = (request.params as { "*": string })["*"];
    const link = await unsubscribeService.preview(deps(request), token);
    return link ? send(reply, 200, askPage(link.purpose)) : send(reply, 400, badLinkPage());
  });

  app.post(`${UNSUBSCRIBE_PATH}/*`, async (request, reply) => {
    if (await limited(request, reply)) return reply;
    const token = (request.params as { "*": string })["*"];
    if (!(request.body instanceof OneClickBody && request.body.oneClick)) return send(reply, 400, badRequestPage());
    const link = await unsubscribeService.redeem(deps(request), token);
    return link ? send(reply, 200, donePage(link.purpose)) : send(reply, 400, badLinkPage());
  });
}
