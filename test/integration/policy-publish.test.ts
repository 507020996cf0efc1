// `npm run policy:publish`: Alpha's operators publish the platform policy from the command line,
// on a database of its own here (a PGlite folder), as the system principal.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "../../src/db/client.js";

const dir = mkdtempSync(join(tmpdir(), "alpha-policy-publish-"));
const dataDir = join(dir, "db");

function publish(...args: string[]) {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent", NODE_ENV: "test" };
  delete env.DATABASE_URL;
  return spawnSync(process.execPath, ["--import", "tsx", "src/bin/policy-publish.ts", ...args], { encoding: "utf8", timeout: 120_000, env });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("policy:publish", () => {
  it("answers --help, and exit 2 without its arguments", () => {
    const help = publish("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("policy:publish --version V");
    const bad = publish("--version", "x");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--summary is required");
  });

  it("publishes a platform version once; a second run with the same version exits 1", async () => {
    const first = publish("--version", "2026-12", "--summary", "New processors listed", "--material");
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ version: "2026-12", material: true, scope: "PLATFORM" });
    const again = publish("--version", "2026-12", "--summary", "again");
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("already published");
    const database = await openPglite(dataDir);
    try {
      const rows = await database.handle().execute("select version, workspace_id, material from policy_versions");
      expect((rows as unknown as { rows: unknown[] }).rows).toEqual([{ version: "2026-12", workspace_id: null, material: true }]);
    } finally {
      await database.close();
    }
  }, 180_000);
});
