import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

function start(env: Record<string, string>) {
  return spawnSync(resolve("node_modules/.bin/tsx"), ["src/bin/start.ts"], { encoding: "utf8", env: { ...process.env, DATA_DIR: "memory://", ...env }, timeout: 30_000 });
}

describe("npm start refuses bad settings with one clear line", () => {
  for (const [name, value] of [["PORT", "abc"], ["DATABASE_URL", "mysql://db"], ["LOG_LEVEL", "loud"]]) {
    it(`${name}=${value}`, () => {
      const run = start({ [name]: value });
      expect(run.status).toBe(1);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^config error: ${name} `));
    });
  }

  it("refuses production without SIGNING_SECRET", () => {
    const run = start({ NODE_ENV: "production", SEED_DEMO: "false" });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe("config error: SIGNING_SECRET is required when NODE_ENV=production");
  });
});
