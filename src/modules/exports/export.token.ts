import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { ExportFormat } from "./export.render.js";
import type { SubjectKind } from "./export.information.js";

/**
 * Download links of large exports: `PUBLIC_URL/exports/<token>`. The token is sealed with
 * AES-256-GCM under a key of its own (HKDF of SIGNING_SECRET or the stored secret, like the
 * cursor and unsubscribe codecs): it names the workspace, the person (a contact or the user
 * themself), the format, who asked (the permission is checked again at download), the export's
 * id and when it expires, and it can be neither read nor edited. No table: nothing to keep.
 */

export interface ExportTicket {
  /** The export's id: the decision log and a linked privacy request name it. */
  exportId: string;
  workspaceId: string;
  kind: SubjectKind;
  subjectId: string;
  format: ExportFormat;
  /** The user who asked; the download acts as them, with their role as it is then. */
  principalId: string;
  /** The request's purpose, for the decision log. */
  purpose: string;
  expiresAt: Date;
}

export const EXPORTS_PATH = "/exports";
/** How long a download link works. */
export const DOWNLOAD_TTL_MINUTES = 15;
export const MAX_EXPORT_TOKEN_LENGTH = 600;

const VERSION = 1;
const LABEL = "export/v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PURPOSE = /^[a-z][a-z0-9_]{0,62}$/;

/** Why a token was refused: `invalid` (not ours, edited, truncated) or `expired`. */
export type OpenResult = { ok: true; ticket: ExportTicket } | { ok: false; reason: "invalid" | "expired" };

export class ExportLinks {
  private readonly key: Buffer;

  constructor(
    secret: string,
    /** PUBLIC_URL without a trailing slash. */
    readonly publicUrl: string,
  ) {
    this.key = Buffer.from(hkdfSync("sha256", secret, "alpha-crm", `${LABEL}:aes`, 32));
  }

  url(ticket: ExportTicket): string {
    return `${this.publicUrl}${EXPORTS_PATH}/${this.seal(ticket)}`;
  }

  seal(t: ExportTicket): string {
    for (const id of [t.exportId, t.workspaceId, t.subjectId, t.principalId]) if (!UUID.test(id)) throw new Error("export ticket ids must be uuids");
    if (!PURPOSE.test(t.purpose)) throw new Error("export ticket purpose must be a purpose id");
    const plain = Buffer.from(
      JSON.stringify([t.exportId, t.workspaceId, t.kind, t.subjectId, t.format, t.principalId, t.purpose, t.expiresAt.getTime()]),
      "utf8",
    );
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv).setAAD(Buffer.from(LABEL));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString("base64url");
  }

  open(token: string, now = new Date()): OpenResult {
    const ticket = this.decode(token);
    if (!ticket) return { ok: false, reason: "invalid" };
    if (ticket.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
    return { ok: true, ticket };
  }

  private decode(token: string): ExportTicket | undefined {
    if (token.length > MAX_EXPORT_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const bytes = Buffer.from(token, "base64url");
    if (bytes.toString("base64url") !== token || bytes.length <= 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(1, 1 + IV_BYTES)).setAAD(Buffer.from(LABEL));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      const v = JSON.parse(plain.toString("utf8")) as unknown;
      if (!Array.isArray(v) || v.length !== 8) return undefined;
      const [exportId, workspaceId, kind, subjectId, format, principalId, purpose, expires] = v as unknown[];
      const ids = [exportId, workspaceId, subjectId, principalId];
      if (!ids.every((id) => typeof id === "string" && UUID.test(id))) return undefined;
      if ((kind !== "contact" && kind !== "user") || (format !== "json" && format !== "csv")) return undefined;
      if (typeof purpose !== "string" || !PURPOSE.test(purpose) || typeof expires !== "number" || !Number.isFinite(expires)) return undefined;
      return {
        exportId: exportId as string,
        workspaceId: workspaceId as string,
        kind,
        subjectId: subjectId as string,
        format,
        principalId: principalId as string,
        purpose,
        expiresAt: new Date(expires),
      };
    } catch {
      return undefined; // wrong key or bytes: GCM's tag check fails
    }
  }
}
