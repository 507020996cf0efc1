import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, processEnv } from "../../src/config.js";

const SECRET = "s".repeat(32);

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error, `loadConfig(${JSON.stringify(env)}) threw something other than a ConfigError`).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe("loadConfig", () => {
  it("applies the contract's defaults on an empty environment", () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.dataDir).toBe("./.data");
    expect(config.databaseUrl).toBeUndefined();
    expect(config.maxQueryDepth).toBe(10);
    expect(config.maxAliases).toBe(15);
    expect(config.countCap).toBe(10_000);
    expect(config.maxBodyBytes).toBe(1024 * 1024);
    expect(config.rateLimitPerMinute).toBe(600);
    expect(config.production).toBe(false);
    expect(config.development).toBe(true);
    expect(config.seedDemo).toBe(true);
    expect(config.corsOrigins).toEqual([]);
  });

  it("accepts a valid production environment", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      SIGNING_SECRET: SECRET,
      DATABASE_URL: "postgres://u@db:5432/crm",
      PORT: "8080",
      ERASURE_JOURNAL_PATH: "/var/lib/alpha/erasure-journal.ndjson",
    });
    expect(config.production).toBe(true);
    expect(config.erasureJournalPath).toBe("/var/lib/alpha/erasure-journal.ndjson");
    expect(config.development).toBe(false);
    expect(config.seedDemo).toBe(false);
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe("postgres://u@db:5432/crm");
  });

  const bad: Array<[string, Record<string, string>, string]> = [
    ["a non-numeric PORT", { PORT: "abc" }, "PORT"],
    ["an unknown LOG_LEVEL", { LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    ["a COUNT_CAP of 0", { COUNT_CAP: "0" }, "COUNT_CAP"],
    ["a non-PostgreSQL DATABASE_URL", { DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    ["production without SIGNING_SECRET", { NODE_ENV: "production" }, "SIGNING_SECRET"],
    [
      "production on PostgreSQL without ERASURE_JOURNAL_PATH",
      { NODE_ENV: "production", SIGNING_SECRET: SECRET, DATABASE_URL: "postgres://u@db/crm" },
      "ERASURE_JOURNAL_PATH",
    ],
    ["a relative ERASURE_JOURNAL_PATH", { ERASURE_JOURNAL_PATH: "journal.ndjson" }, "ERASURE_JOURNAL_PATH"],
    ["production with SEED_DEMO=true", { NODE_ENV: "production", SEED_DEMO: "true", SIGNING_SECRET: SECRET }, "SEED_DEMO"],
    ["MAX_QUERY_DEPTH=0", { MAX_QUERY_DEPTH: "0" }, "MAX_QUERY_DEPTH"],
  ];
  it.each(bad)("refuses %s with a ConfigError naming the variable", (_label, env, variable) => {
    const error = configError(env);
    expect(error.message).toContain(variable);
    // One clear line: the start script prints it as is.
    expect(error.message).not.toMatch(/\n/);
  });
});

describe("loadConfig collects every problem", () => {
  it("names each bad variable once, in one ConfigError", () => {
    const error = configError({ PORT: "-1", SEED_DEMO: "perhaps", SESSION_TTL_HOURS: "0", REDIS_URL: "http://x" });
    expect(error.problems.map((p) => p.split(" ")[0])).toEqual(["PORT", "SEED_DEMO", "REDIS_URL", "SESSION_TTL_HOURS"]);
  });
});

describe("processEnv", () => {
  it("reads .env when there is one; the environment wins over the file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "alpha-env-")), ".env");
    writeFileSync(file, "ALPHA_TEST_FROM_FILE=file\nALPHA_TEST_BOTH=file\n");
    process.env.ALPHA_TEST_BOTH = "environment";
    const env = processEnv(file);
    expect(env.ALPHA_TEST_FROM_FILE).toBe("file");
    expect(env.ALPHA_TEST_BOTH).toBe("environment");
    expect(() => processEnv(join(tmpdir(), "no-such-folder", ".env"))).not.toThrow();
  });
});
