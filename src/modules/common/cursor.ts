import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from "node:crypto";

/**
 * Opaque page cursors: AES-256-GCM over the keyset position, so a cursor shows nothing of the
 * row it points at (not even a value the caller could read) and cannot be forged or edited.
 * The workspace is authenticated with it (GCM additional data): another tenant's cursor is
 * refused. No GraphQL here: callers turn a refusal into their own input error.
 */

/** A keyset position: the order it belongs to, the row's sort value there, and its id. */
export interface Cursor {
  order: string;
  value: string | number | null;
  id: string;
}

/** The caller's codec and workspace: cursors are sealed for one workspace. */
export interface CursorScope {
  codec: CursorCodec;
  workspaceId: string;
  /** How far `totalCount` counts before it stops (COUNT_CAP; default DEFAULT_COUNT_CAP). */
  countCap?: number;
}

const VERSION = "cursor/v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Why a cursor was refused; the message is safe to show the caller. */
export class CursorError extends Error {}

export class CursorCodec {
  private readonly key: Buffer;
  private readonly ivKey: Buffer;

  constructor(secret: string) {
    // Keys of their own, so the signing secret's other uses (unsubscribe links) share nothing with them.
    this.key = Buffer.from(hkdfSync("sha256", secret, "alpha-crm", `${VERSION}:aes`, 32));
    this.ivKey = Buffer.from(hkdfSync("sha256", secret, "alpha-crm", `${VERSION}:iv`, 32));
  }

  encode(cursor: Cursor, workspaceId: string): string {
    const plain = Buffer.from(JSON.stringify([cursor.order, cursor.value, cursor.id]), "utf8");
    // A synthetic IV (a MAC of what is sealed): the same row gives the same cursor, so
    // `startCursor` equals its edge's cursor and clients may compare them; distinct positions
    // never share an IV (the SIV construction).
    const iv = createHmac("sha256", this.ivKey).update(aad(workspaceId)).update(plain).digest().subarray(0, IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv).setAAD(aad(workspaceId));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
  }

  /** The cursor if this API issued it for this workspace and `order`; CursorError otherwise. */
  decode(raw: string, workspaceId: string, order: string): Cursor {
    const cursor = this.open(raw, workspaceId);
    if (!cursor) throw new CursorError("is not a cursor this API issued");
    if (cursor.order !== order) throw new CursorError("belongs to another order or list; start again without it");
    return cursor;
  }

  private open(raw: string, workspaceId: string): Cursor | undefined {
    const bytes = Buffer.from(raw, "base64url");
    if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString("base64url") !== raw) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, IV_BYTES)).setAAD(aad(workspaceId));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      return shape(JSON.parse(plain.toString("utf8")));
    } catch {
      return undefined; // wrong key, workspace or bytes: GCM's tag check fails
    }
  }
}

const aad = (workspaceId: string) => Buffer.from(`${VERSION}:${workspaceId}`, "utf8");

function shape(value: unknown): Cursor | undefined {
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [order, sort, id] = value as unknown[];
  const sortOk = sort === null || typeof sort === "string" || typeof sort === "number";
  return typeof order === "string" && typeof id === "string" && sortOk ? { order, value: sort as Cursor["value"], id } : undefined;
}
