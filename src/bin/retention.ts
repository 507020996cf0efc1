// `npm run retention -- [--dry-run] [--now <ISO time>] [--batch-size N]`: applies
// policies/retention.yaml once and prints the JSON report. The server runs the same job on a
// timer (RETENTION_INTERVAL_MINUTES); an advisory lock lets only one process run it at a time.
import "reflect-metadata";
import { parseArgs } from "node:util";
import { loadPolicies } from "../authz/policy-loader.js";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { takeDataDir } from "../db/data-dir.js";
import { migrate } from "../db/migrate.js";
import { registry } from "../modules/registry.js";
import { LOCK_RETENTION } from "../modules/retention/retention.schedule.js";
import { runRetention } from "../modules/retention/retention.service.js";
import { StartError } from "../start-error.js";

const HELP = `Usage: npm run retention -- [--dry-run] [--now <ISO 8601 time>] [--batch-size <1-100000>]

Applies every period of policies/retention.yaml and prints a JSON report: per entry, its cutoff
and, per kind of data, how many rows are due, deleted and kept by a legal hold.

  --dry-run        count what would be deleted; delete nothing
  --now <time>     evaluate the periods at this time instead of the clock (e.g. 2027-06-01T00:00:00Z)
  --batch-size <n> rows deleted per transaction (default 1000)

Uses the same settings as the server (DATABASE_URL, or DATA_DIR for PGlite). Exit 0 with the
report, 0 with {"skipped":...} when another process is running retention, 2 on bad arguments,
1 on any other failure.`;

async function main(argv: string[]): Promise<number> {
  let values: { "dry-run"?: boolean; now?: string; "batch-size"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { "dry-run": { type: "boolean" }, now: { type: "string" }, "batch-size": { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime()) || (values.now !== undefined && !/^\d{4}-\d{2}-\d{2}/.test(values.now))) {
    process.stderr.write(`--now must be an ISO 8601 time such as 2027-06-01T00:00:00Z, got "${values.now}"\n`);
    return 2;
  }
  const batchSize = values["batch-size"] === undefined ? 1000 : Number(values["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    process.stderr.write(`--batch-size must be a whole number from 1 to 100000, got "${values["batch-size"]}"\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const policies = loadPolicies(registry);
  const dataDir = !config.databaseUrl && config.dataDir !== "memory://" ? takeDataDir(config.dataDir) : undefined;
  const database = await openDatabase(config);
  try {
    await migrate(database);
    const outcome = await database.tryAdvisoryLock(LOCK_RETENTION, (db) =>
      runRetention(db, policies, {
        now,
        dryRun: values["dry-run"] === true,
        batchSize,
        erasureJournalPath: config.erasureJournalPath,
        backupRetentionDays: config.backupRetentionDays,
      }),
    );
    const report = outcome.ran ? outcome.value : { skipped: "another process is running retention now; nothing was done" };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    await database.close();
    dataDir?.release();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof StartError;
    process.stderr.write(`retention: ${known ? (error as Error).message : error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
