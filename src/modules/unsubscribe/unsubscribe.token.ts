import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * One-click unsubscribe links (RFC 8058). The token is the whole proof (no sign-in), so it is
 * sealed with AES-256-GCM under a key of its own (HKDF of SIGNING_SECRET or the stored secret,
 * like the cursor codec): it names one contact and one consent purpose of one workspace, it
 * cannot be forged or edited (the GCM tag), and it shows neither the contact's id nor any
 * address (the ids are encrypted, the email is not in it at all). No table: nothing to keep,
 * nothing to clean up; a token for a person who is gone finds nobody.
 */

/** What a token stands for. */
export interface UnsubscribeTarget {
  workspaceId: string;
  contactId: string;
  purpose: string;
}

/** The path of the pages; the resolver and the HTTP routes share it. */
export const UNSUBSCRIBE_PATH = "/privacy/unsubscribe";
/** RFC 8058: the body a one-click POST carries, and the header value that announces it. */
export const ONE_CLICK_FIELD = "List-Unsubscribe";
export const ONE_CLICK_VALUE = "One-Click";
export const LIST_UNSUBSCRIBE_POST = `${ONE_CLICK_FIELD}=${ONE_CLICK_VALUE}`;

const VERSION = 1;
const LABEL = "unsubscribe/v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const UUID_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PURPOSE = /^[a-z][a-z0-9_]{0,62}$/;
/** Longer than any token this codec makes: a longer path segment is refused before decoding. */
export const MAX_TOKEN_LENGTH = 200;

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ""), "hex");
function uuidText(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class UnsubscribeLinks {
  private readonly key: Buffer;

  /** `publicUrl`: PUBLIC_URL without a trailing slash, the base of every link. */
  constructor(
    secret: string,
    readonly publicUrl: string,
  ) {
    this.key = Buffer.from(hkdfSync("sha256", secret, "alpha-crm", `${LABEL}:aes`, 32));
  }

  /** The absolute link for a target. */
  url(target: UnsubscribeTarget): string {
    return `${this.publicUrl}${UNSUBSCRIBE_PATH}/${this.seal(target)}`;
  }

  /** A fresh token (random IV: two links for the same person and purpose differ). */
  seal(target: UnsubscribeTarget): string {
    if (!UUID.test(target.workspaceId) || !UUID.test(target.contactId) || !PURPOSE.test(target.purpose)) {
      throw new Error("unsubscribe target must hold two uuids and a purpose id");
    }
    const plain = Buffer.concat([uuidBytes(target.workspaceId), uuidBytes(target.contactId), Buffer.from(target.purpose, "utf8")]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv).setAAD(aad());
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString("base64url");
  }

  /** The target of a token this API issued; undefined for anything else (tampered, truncated, foreign). */
  open(token: string): UnsubscribeTarget | undefined {
    if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const bytes = Buffer.from(token, "base64url");
    if (bytes.toString("base64url") !== token || bytes.length <= 1 + IV_BYTES + TAG_BYTES + 2 * UUID_BYTES || bytes[0] !== VERSION) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(1, 1 + IV_BYTES)).setAAD(aad());
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      const purpose = plain.subarray(2 * UUID_BYTES).toString("utf8");
      if (!PURPOSE.test(purpose)) return undefined;
      return { workspaceId: uuidText(plain.subarray(0, UUID_BYTES)), contactId: uuidText(plain.subarray(UUID_BYTES, 2 * UUID_BYTES)), purpose };
    } catch {
      return undefined; // wrong key or bytes: GCM's tag check fails
    }
  }
}

const aad = () => Buffer.from(LABEL, "utf8");
