// Reading policy YAML so that every problem can name its file and line.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import { LineCounter, parseDocument, type Document } from "yaml";

export interface ParsedFile {
  /** Path shown in messages: `policies/roles/sales_rep.yaml`. */
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
}

/** Parses a YAML file under `root` (duplicate keys are errors); `fail` builds the thrown error. */
export function parseYamlFile(path: string, root: string, fail: (problems: string[]) => Error): ParsedFile {
  const lines = new LineCounter();
  const text = readFileSync(path, "utf8");
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const file = relative(join(root, ".."), path);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const [line, col] = [e.linePos?.[0].line ?? 1, e.linePos?.[0].col ?? 1];
    // The offending line itself, with a caret under the column: a reviewer sees the typo.
    const source = text.split("\n")[line - 1] ?? "";
    throw fail([`${file}:${line}:${col}: ${e.message.split("\n")[0]}\n    | ${source}\n    | ${" ".repeat(Math.max(0, col - 1))}^`]);
  }
  return { file, doc, lines, data: doc.toJS() };
}

/** Line of the node at `path`, or of the nearest parent that has one. */
export function lineOf(parsed: ParsedFile, path: Array<string | number>): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = (depth === 0 ? parsed.doc.contents : parsed.doc.getIn(path.slice(0, depth), true)) as { range?: [number, number, number] } | null;
    if (node?.range) return parsed.lines.linePos(node.range[0]).line;
  }
  return 1;
}

/** An ajv instancePath (`/rules/2/conditions`) as a YAML path. */
export function pointer(instancePath: string): Array<string | number> {
  return instancePath
    .split("/")
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, "/").replace(/~0/g, "~")));
}

export function ajvMessage(error: ErrorObject): string {
  if (error.keyword === "additionalProperties") return `unknown key "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  const at = error.instancePath ? `${error.instancePath.split("/").slice(-1)[0]} ` : "";
  return `${at}${error.message ?? "is invalid"}`;
}

/** Compiles `policies/_schemas/<name>` strictly: unknown keywords in a schema are errors too. */
export function compileSchema(root: string, name: string): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  return ajv.compile(JSON.parse(readFileSync(join(root, "_schemas", name), "utf8")));
}
