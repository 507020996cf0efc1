import type { IncomingHttpHeaders } from "node:http";
import type { Config } from "../config.js";

// Cloudflare's "unknown country"; other non-countries (T1 for Tor) fail the two-letter test.
const UNKNOWN = "XX";

/**
 * The client's country as the proxy in front states it (GEO_COUNTRY_HEADER), when that proxy
 * is trusted (TRUST_PROXY): an ISO 3166-1 alpha-2 code, or null. No look-up of our own.
 */
export function clientCountry(headers: IncomingHttpHeaders, config: Pick<Config, "geoCountryHeader" | "trustProxy">): string | null {
  if (!config.geoCountryHeader || !config.trustProxy) return null;
  const value = headers[config.geoCountryHeader];
  if (typeof value !== "string") return null;
  const code = value.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && code !== UNKNOWN ? code : null;
}
