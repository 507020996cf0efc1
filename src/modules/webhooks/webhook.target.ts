import { createHmac, timingSafeEqual } from "node:crypto";
import { lookup as lookupEach, type LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { badInput } from "../../errors.js";

/** Where webhooks may point: production is strict unless WEBHOOK_ALLOW_PRIVATE_TARGETS says otherwise. */
export interface TargetPolicy {
  production: boolean;
  allowPrivate: boolean;
}

// Addresses a webhook must not reach in production (SSRF): loopback, private, link-local
// (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast, ULA, the
// IETF and benchmarking blocks, and the IPv6 prefixes that carry an IPv4 address a gateway
// translates (NAT64 64:ff9b::/96 reaches a VPC's private IPv4 hosts; 6to4; IPv4-compatible).
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["2002::", 16],
  ["fc00::", 7],
  ["fec0::", 10],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv6");
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

const unbracket = (host: string) => host.replace(/^\[|\]$/g, "");

/** True for an address a production webhook must not reach (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

const isLoopbackHost = (host: string) => host === "localhost" || (isIP(host) !== 0 && LOOPBACK.check(host, isIP(host) === 4 ? "ipv4" : "ipv6"));

/**
 * Checks a URL an owner registers: absolute, no credentials, no fragment, HTTPS (plain HTTP
 * only to loopback outside production) and, in production, no private or link-local literal
 * address. Host names are resolved again at every delivery (`resolveTarget`).
 */
export function checkWebhookUrl(raw: string, policy: TargetPolicy): string {
  const value = raw.trim();
  if (value.length > 2000) throw badInput("url", "at most 2000 characters");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput("url", "is not an absolute URL");
  }
  if (url.username || url.password) throw badInput("url", "must not carry credentials; the body is signed with the webhook's secret instead");
  if (url.hash) throw badInput("url", "must not have a fragment");
  const host = unbracket(url.hostname);
  if (url.protocol === "http:") {
    if (policy.production || !isLoopbackHost(host)) throw badInput("url", "must use https (plain http only to loopback outside production)");
  } else if (url.protocol !== "https:") {
    throw badInput("url", "must use https");
  }
  if (policy.production && !policy.allowPrivate && (host === "localhost" || (isIP(host) !== 0 && isPrivateAddress(host)))) {
    throw badInput("url", "must not point at a private, loopback or link-local address");
  }
  return url.toString();
}

/**
 * At delivery: resolves the host and refuses private addresses in production, so a name that
 * later points inside the network (DNS rebinding) is not called. Undefined when allowed.
 */
export async function refusedTarget(url: string, policy: TargetPolicy): Promise<string | undefined> {
  if (!policy.production || policy.allowPrivate) return undefined;
  const host = unbracket(new URL(url).hostname);
  try {
    const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
    return addresses.some((a) => isPrivateAddress(a.address)) ? "private_address" : undefined;
  } catch {
    return "dns";
  }
}

/** Thrown when the connection's own resolution gives a private address (its `name`). */
export const REFUSED_TARGET = "RefusedTargetError";

/**
 * The connection's resolver: it checks the very addresses it connects to, so a name that
 * answers a public address to `refusedTarget` and a private one a moment later (DNS
 * rebinding, TTL 0) is still refused.
 */
function checkedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookupEach(hostname, { ...options, all: true }, (error, found) => {
      const addresses = found as unknown as LookupAddress[];
      if (error) return callback(error, "", 0);
      if (!policy.allowPrivate && policy.production && addresses.some((a) => isPrivateAddress(a.address))) {
        return callback(Object.assign(new Error(`${hostname} resolves to a private address`), { name: REFUSED_TARGET }), "", 0);
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * One POST to a webhook URL, connecting only to addresses `checkedLookup` allowed; redirects
 * are not followed and the response body is discarded unread. Resolves with the status code.
 */
export function postTo(url: string, headers: Record<string, string>, body: string, policy: TargetPolicy & { timeoutMs: number }): Promise<number> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: checkedLookup(policy),
        signal: AbortSignal.timeout(policy.timeoutMs),
      },
      (res) => {
        // The body is never read; a recipient that stalls or cuts it off changes nothing.
        res.on("error", () => undefined);
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** `X-Alpha-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (as Stripe signs). */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/**
 * What a recipient does (documented in the README, used by the tests): recomputes the HMAC
 * and compares in constant time; refuses a timestamp older than `toleranceSeconds` (replays).
 */
export function verifySignature(secret: string, body: string, header: string, now: Date, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
