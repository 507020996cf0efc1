import { createHash, randomBytes } from "node:crypto";

/** A random 256-bit secret with a readable prefix (secret scanners key on it). */
export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** Only this digest is stored; a 256-bit random token needs no slow hash. */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
