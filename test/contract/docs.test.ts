// The READMEs are read before the code: what they point at must exist, and the numbers and
// commands they state must be the code's. Each check reads the source of truth, not a copy.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_QUERY_OBJECTS } from "../../src/graphql/fan-out.js";
import { MAX_DIRECTIVES, MAX_QUERY_COST, MAX_TOKENS } from "../../src/http/server.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../src/modules/common/paging.js";

const DOCS = ["README.md", "policies/README.md"];
const read = (file: string) => readFileSync(resolve(file), "utf8");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const headings = [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]);
  return new Set(
    headings.map((h) =>
      h
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    ),
  );
}

/** Markdown links `[text](target)` that are not absolute URLs. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe("documentation matches the repository", () => {
  it("every relative link in the READMEs points to a file the repository has (and to a heading it has)", () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      for (const link of relativeLinks(read(doc))) {
        const [path, anchor] = link.split("#");
        const target = path ? join(dirname(doc), path) : doc;
        if (!existsSync(resolve(target))) broken.push(`${doc}: ${link} (no ${target})`);
        else if (anchor && target.endsWith(".md") && !anchors(read(target)).has(anchor)) broken.push(`${doc}: ${link} (no heading #${anchor} in ${target})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("every repository path the READMEs name in code (`src/...`, `policies/...`) exists", () => {
    const missing: string[] = [];
    for (const doc of DOCS) {
      for (const [, span] of read(doc).matchAll(/`((?:src|policies|test|drizzle|schema|bench|\.ci)\/[^`\s]*)`/g)) {
        if (/[<>*…]/.test(span)) continue; // placeholders and globs
        if (!existsSync(resolve(span))) missing.push(`${doc}: ${span}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("states the query limits and page sizes the code sets", () => {
    const n = (value: number) => value.toLocaleString("en-US");
    const fixed = read("README.md").match(/^Fixed in code: .*$/m)?.[0] ?? "";
    expect(fixed).toContain(`query cost ${n(MAX_QUERY_COST)}`);
    expect(fixed).toContain(`${n(MAX_QUERY_OBJECTS)} objects`);
    expect(fixed).toContain(`${MAX_TOKENS} tokens`);
    expect(fixed).toContain(`${MAX_DIRECTIVES} directives`);
    expect(fixed).toContain(`page size ${DEFAULT_PAGE_SIZE} by default, ${MAX_PAGE_SIZE} at most`);
  });

  it("lists every npm script in the README", () => {
    const readme = read("README.md");
    const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
    const unlisted = scripts.filter((name) => !readme.includes(`\`npm run ${name}`) && !readme.includes(`\`npm ${name}`));
    expect(unlisted).toEqual([]);
  });
});
