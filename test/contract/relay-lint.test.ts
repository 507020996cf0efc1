import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

// graphql-schema-linter's Relay rules over the committed schema (issue 7 item 3). The
// schema file is the code's (test/contract/schema.test.ts fails on drift), so this checks
// what clients see.
const RULES = ["relay-connection-types-spec", "relay-connection-arguments-spec", "relay-page-info-spec"];
const require = createRequire(import.meta.url);
const bin = join(dirname(require.resolve("graphql-schema-linter/package.json")), "lib", "cli.js");

describe("the schema follows the Relay connection spec", () => {
  it("graphql-schema-linter's relay rules report no error", () => {
    const run = spawnSync(process.execPath, [bin, "--format", "json", "--rules", RULES.join(","), "schema/schema.graphql"], { encoding: "utf8" });
    const report = JSON.parse(run.stdout) as { errors: Array<{ message: string; location: unknown; rule: string }> };
    expect(report.errors).toEqual([]);
    expect(run.status).toBe(0);
  });
});
