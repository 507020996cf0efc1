// Import boundaries, checked over the real import graph of src/: the policy engine and the
// database know no feature, the domain knows no transport, and only the GraphQL layer (and a
// module's types, inputs and resolvers) use type-graphql. Type-only imports are erased at
// build time and do not count.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve("src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

interface Edge {
  from: string;
  to: string;
}

/** Runtime imports of each file: a src/ path, or a package name. */
function edges(): Edge[] {
  const importRe = /^\s*(import|export)\s+(?!type\b)(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm;
  return files(SRC).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    const from = relative(SRC, file);
    return [...text.matchAll(importRe)].map((m) => {
      const spec = m[2];
      const to = spec.startsWith(".") ? relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, ".ts") : spec;
      return { from, to };
    });
  });
}

const under = (path: string, dir: string) => path.startsWith(`${dir}/`);
const TRANSPORT_FILE = /\.(type|input|resolver)\.ts$/;

function violations(rule: (e: Edge) => boolean): string[] {
  return edges()
    .filter(rule)
    .map((e) => `${e.from} -> ${e.to}`);
}

describe("import boundaries", () => {
  it("finds imports (the scanner works)", () => {
    expect(edges().length).toBeGreaterThan(100);
  });

  it("authz and db import no feature module, no transport", () => {
    expect(violations((e) => (under(e.from, "authz") || under(e.from, "db")) && ["modules", "graphql", "http"].some((d) => under(e.to, d)))).toEqual([]);
  });

  it("modules import no HTTP", () => {
    expect(violations((e) => under(e.from, "modules") && under(e.to, "http"))).toEqual([]);
  });

  it("services, repositories, loaders and subjects import no GraphQL layer", () => {
    expect(violations((e) => under(e.from, "modules") && !TRANSPORT_FILE.test(e.from) && (under(e.to, "graphql") || e.to === "graphql"))).toEqual([]);
  });

  it("services, repositories, loaders and subjects load no type, input or resolver file (so no type-graphql at run time)", () => {
    expect(violations((e) => under(e.from, "modules") && !TRANSPORT_FILE.test(e.from) && TRANSPORT_FILE.test(e.to))).toEqual([]);
  });

  it("only graphql/ and modules' types, inputs and resolvers import type-graphql", () => {
    const allowed = (from: string) => under(from, "graphql") || (under(from, "modules") && TRANSPORT_FILE.test(from));
    expect(violations((e) => e.to === "type-graphql" && !allowed(e.from))).toEqual([]);
  });

  it("jobs and command-line tools reach the domain without the GraphQL layer", () => {
    const tools = (from: string) => under(from, "jobs") || (under(from, "bin") && !from.endsWith("print-schema.ts") && !from.endsWith("start.ts"));
    expect(violations((e) => tools(e.from) && (under(e.to, "graphql") || under(e.to, "http") || e.to === "type-graphql"))).toEqual([]);
  });
});
