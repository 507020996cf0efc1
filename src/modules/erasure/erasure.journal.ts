import { createHmac, hkdfSync } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
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

  /**
   * Every well-formed line, and how many lines were not (a torn last line after a crash...).
   * A compaction interrupted by a crash leaves its input beside the file; it is read too.
   */
  read(): { entries: JournalEntry[]; unreadable: number } {
    const entries: JournalEntry[] = [];
    let unreadable = 0;
    for (const file of [this.path, compactingPath(this.path)]) {
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        const parsed = parseLine(line);
        if (parsed) entries.push(parsed);
        else unreadable++;
      }
    }
    return { entries, unreadable };
  }

  /** Drops the lines of erasures before `before` (see compactJournal). */
  compact(before: Date, dryRun = false): CompactionReport {
    return compactJournal(this.path, before, dryRun);
  }
}

export interface CompactionReport {
  kept: number;
  dropped: number;
  /** Lines that could not be read: kept, since their age is unknown. */
  unreadable: number;
}

const compactingPath = (path: string) => `${path}.compacting`;

function parseLine(line: string): JournalEntry | undefined {
  try {
    const parsed = JSON.parse(line) as JournalEntry;
    if (
      parsed.v === 1 &&
      isUuid(parsed.workspaceId) &&
      isUuid(parsed.contactId) &&
      typeof parsed.erasedAt === "string" &&
      !Number.isNaN(Date.parse(parsed.erasedAt))
    )
      return parsed;
  } catch {
    // counted by the caller
  }
  return undefined;
}

/** Appends lines to a file and fsyncs it. */
function appendLines(path: string, lines: string[]): void {
  if (lines.length === 0) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, "a", 0o600);
  try {
    writeSync(fd, lines.map((l) => `${l}\n`).join(""));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Drops the journal lines of erasures made before `before`: a line is needed only while a
 * backup taken before its erasure may still be restored (retention entry
 * erasure_journal_backup_window). Unreadable lines are kept (their age is unknown), and so is
 * every line at or after `before`.
 *
 * Appends never wait for it and are never lost: the file is first renamed aside (new erasures
 * then start a fresh file), the lines to keep are appended to the live file, and any line an
 * erasure wrote to the old file meanwhile is carried over before the old file is removed. A
 * crash in between leaves the old file beside the live one, and `read` (replay) reads both.
 */
export function compactJournal(path: string, before: Date, dryRun = false): CompactionReport {
  const aside = compactingPath(path);
  const report: CompactionReport = { kept: 0, dropped: 0, unreadable: 0 };
  const keep = (line: string): boolean => {
    const entry = parseLine(line);
    if (!entry) {
      report.unreadable++;
      return true;
    }
    if (Date.parse(entry.erasedAt) < before.getTime()) {
      report.dropped++;
      return false;
    }
    report.kept++;
    return true;
  };
  const linesOf = (text: string) => text.split("\n").filter((l) => l.trim() !== "");
  if (dryRun) {
    for (const file of [path, aside]) if (existsSync(file)) linesOf(readFileSync(file, "utf8")).forEach(keep);
    return report;
  }
  // A compaction a crash interrupted: its input is still aside; finish it first (same filter).
  if (!existsSync(aside)) {
    if (!existsSync(path)) return report;
    renameSync(path, aside);
    fsyncFolder(dirname(path));
  }
  let seen = readFileSync(aside, "utf8");
  appendLines(path, linesOf(seen).filter(keep));
  // An erasure that opened the old file just before the rename may have written to it since:
  // carry those lines over too (the journal is ASCII, so characters and bytes agree).
  for (let now = readFileSync(aside, "utf8"); now.length > seen.length; now = readFileSync(aside, "utf8")) {
    appendLines(path, linesOf(now.slice(seen.length)).filter(keep));
    seen = now;
  }
  unlinkSync(aside);
  fsyncFolder(dirname(path));
  return report;
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
