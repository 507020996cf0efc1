import { createHmac, hkdfSync } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The erasure journal: one JSON line per erasure, appended and fsynced BEFORE the erasure's
 * transaction commits, in a file that lives outside the database (DATA_DIR, or
 * ERASURE_JOURNAL_PATH on durable storage that database backups do not restore). After a
 * restore, `npm run erasure:replay` re-applies every line. A line holds only what finds the
 * person again: ids, keyed hashes (HMAC-SHA256, key derived from the signing secret) of the
 * normalised email and phone, and the time. Never a clear value.
 */
export interface JournalEntry {
  v: 1;
  workspaceId: string;
  contactId: string;
  emailHash: string | null;
  phoneHash: string | null;
  erasedAt: string;
}

/** Lower-cased, trimmed: the form contacts are matched by (contacts_ws_email_idx is on lower(email)). */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
/** Digits only, with a leading + kept: "+33 6 12-34" and "+33612 34" are the same number. */
export const normalisePhone = (phone: string): string => {
  const trimmed = phone.trim();
  return (trimmed.startsWith("+") ? "+" : "") + trimmed.replace(/\D/g, "");
};

export class ErasureJournal {
  private readonly key: Buffer;

  constructor(
    readonly path: string,
    secret: string,
  ) {
    // A key of its own: the signing secret's other uses (cursors, links) share nothing with it.
    this.key = Buffer.from(hkdfSync("sha256", secret, "alpha-crm", "erasure-journal/v1:hmac", 32));
  }

  hash(kind: "email" | "phone", value: string | null | undefined): string | null {
    if (!value || value.trim() === "") return null;
    const normal = kind === "email" ? normaliseEmail(value) : normalisePhone(value);
    if (normal === "" || normal === "+") return null;
    return createHmac("sha256", this.key).update(`${kind}:${normal}`).digest("hex");
  }

  entryFor(workspaceId: string, contactId: string, email: string | null, phone: string | null, erasedAt: Date): JournalEntry {
    return { v: 1, workspaceId, contactId, emailHash: this.hash("email", email), phoneHash: this.hash("phone", phone), erasedAt: erasedAt.toISOString() };
  }

  /** Appends one line and fsyncs it (and the folder when the file is new) before returning. */
  append(entry: JournalEntry): void {
    const fresh = !existsSync(this.path);
    if (fresh) mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, "a", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (fresh) fsyncFolder(dirname(this.path));
  }

  /** Every well-formed line, and how many lines were not (a torn last line after a crash...). */
  read(): { entries: JournalEntry[]; unreadable: number } {
    if (!existsSync(this.path)) return { entries: [], unreadable: 0 };
    const entries: JournalEntry[] = [];
    let unreadable = 0;
    for (const line of readFileSync(this.path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        const parsed = JSON.parse(line) as JournalEntry;
        if (parsed.v === 1 && isUuid(parsed.workspaceId) && isUuid(parsed.contactId) && typeof parsed.erasedAt === "string") entries.push(parsed);
        else unreadable++;
      } catch {
        unreadable++;
      }
    }
    return { entries, unreadable };
  }
}

const isUuid = (value: unknown): value is string => typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

function fsyncFolder(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a folder; the file itself is synced.
  }
}
