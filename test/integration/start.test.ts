import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function start(env: Record<string, string>) {
  // What `npm start` runs, without npm.
  return spawnSync(process.execPath, ["--import", "tsx", "src/bin/start.ts"], {
    encoding: "utf8",
    env: { ...process.env, DATA_DIR: "memory://", ...env },
    timeout: 30_000,
  });
}

describe("npm start refuses bad settings with one clear line", () => {
  for (const [name, value] of [
    ["PORT", "abc"],
    ["DATABASE_URL", "mysql://db"],
    ["LOG_LEVEL", "loud"],
  ]) {
    it(`${name}=${value}`, () => {
      const run = start({ [name]: value });
      expect(run.status).toBe(1);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^config error: ${name} `));
    });
  }

  it("reports every bad setting at once, one line each", () => {
    const run = start({ PORT: "abc", LOG_LEVEL: "loud", MAX_ALIASES: "0", TRUST_PROXY: "maybe" });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines.map((l) => /^config error: (\w+) /.exec(l)?.[1])).toEqual(["PORT", "LOG_LEVEL", "MAX_ALIASES", "TRUST_PROXY"]);
  });

  it("refuses production without SIGNING_SECRET", () => {
    // The journal path is set so that SIGNING_SECRET is the only missing setting, with or without DATABASE_URL.
    const run = start({ NODE_ENV: "production", SEED_DEMO: "false", ERASURE_JOURNAL_PATH: "/tmp/alpha-start-test-journal.ndjson" });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe("config error: SIGNING_SECRET is required when NODE_ENV=production");
  });
});
