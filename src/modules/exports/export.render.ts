import { stringify } from "csv-stringify/sync";

/**
 * Turns an export's sections into JSON or CSV text, chunk by chunk, so that the caller decides
 * whether to keep it (a small export's `content`) or write it to a reply stream (a download):
 * nothing here holds more than one row at a time.
 *
 * CSV: RFC 4180 (CRLF line ends, fields quoted when they hold a comma, a quote or a line
 * break) through csv-stringify; UTF-8 with a byte-order mark so spreadsheet programs read the
 * accents right. One file, one section per table: each section starts with its own header row
 * whose first cell is `section`, every data row repeats the section's name in that column, and
 * a blank line separates sections (each section is a valid CSV on its own). Cells are made safe
 * from formula injection (CWE-1236): see `neutralize`.
 */

export type ExportFormat = "json" | "csv";

type Row = Record<string, unknown>;

export interface Section {
  name: string;
  /** The CSV header (and the keys of each JSON row). */
  columns: readonly string[];
  /** One object (JSON: an object or null) rather than a list. */
  single?: boolean;
  rows: AsyncIterable<Row> | Iterable<Row>;
}

/** What was written: rows per section and bytes (UTF-8), for the decision log. */
export interface RenderStats {
  counts: Record<string, number>;
  bytes: number;
}

export const CSV_BOM = "\uFEFF";
export const MEDIA_TYPES: Record<ExportFormat, string> = { json: "application/json; charset=utf-8", csv: "text/csv; charset=utf-8; header=present" };

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return) gets a leading apostrophe, which spreadsheets show as text (OWASP's CSV
 * injection advice). Valid numbers (`-12.5`) and E.164 phone numbers (`+33612345678`) are
 * left as they are: they are data, not formulas.
 */
export function neutralize(cell: string): string {
  if (!FORMULA_START.test(cell) || NUMBER.test(cell) || E164.test(cell)) return cell;
  return `'${cell}`;
}

function jsonValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value === undefined ? null : value;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value))
    return neutralize(value.map((v) => (v instanceof Date ? v.toISOString() : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v))).join("; "));
  if (typeof value === "object") return neutralize(JSON.stringify(value));
  return neutralize(String(value));
}

const csvLine = (cells: string[]) => stringify([cells], { record_delimiter: "\r\n" });

function pick(row: Row, columns: readonly string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, jsonValue(row[c])]));
}

async function* jsonChunks(head: Row, sections: Section[], stats: RenderStats): AsyncGenerator<string> {
  yield `{"export":${JSON.stringify(head)}`;
  for (const section of sections) {
    let n = 0;
    if (section.single) {
      let value: Row | null = null;
      for await (const row of section.rows) {
        value = pick(row, section.columns);
        n += 1;
        break;
      }
      yield `,${JSON.stringify(section.name)}:${JSON.stringify(value)}`;
    } else {
      yield `,${JSON.stringify(section.name)}:[`;
      for await (const row of section.rows) {
        yield `${n > 0 ? "," : ""}${JSON.stringify(pick(row, section.columns))}`;
        n += 1;
      }
      yield "]";
    }
    stats.counts[section.name] = n;
  }
  yield "}\n";
}

async function* csvChunks(head: Row, sections: Section[], stats: RenderStats): AsyncGenerator<string> {
  yield CSV_BOM;
  const about = Object.keys(head);
  yield csvLine(["section", ...about]);
  yield csvLine(["export", ...about.map((k) => csvCell(head[k]))]);
  for (const section of sections) {
    yield "\r\n";
    yield csvLine(["section", ...section.columns]);
    let n = 0;
    for await (const row of section.rows) {
      yield csvLine([section.name, ...section.columns.map((c) => csvCell(row[c]))]);
      n += 1;
      if (section.single) break;
    }
    stats.counts[section.name] = n;
  }
}

/** The export as text chunks; `stats` is filled as the chunks are taken. */
export async function* render(format: ExportFormat, head: Row, sections: Section[], stats: RenderStats): AsyncGenerator<string> {
  const chunks = format === "json" ? jsonChunks(head, sections, stats) : csvChunks(head, sections, stats);
  for await (const chunk of chunks) {
    stats.bytes += Buffer.byteLength(chunk, "utf8");
    yield chunk;
  }
}
