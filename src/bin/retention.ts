// `npm run retention -- [--dry-run] [--now <ISO time>] [--batch-size N]`: applies
// policies/retention.yaml once and prints the JSON report. The server runs the same job on a
// timer (RETENTION_INTERVAL_MINUTES); an advisory lock lets only one process run it at a time.
import "reflect-metadata";
import { LOCK_RETENTION } from "../modules/retention/retention.schedule.js";
import { runRetention } from "../modules/retention/retention.service.js";
import { type CliOptions, runAsScript, runCli } from "./run-cli.js";

const HELP = `Usage: npm run retention -- [--dry-run] [--now <ISO 8601 time>] [--batch-size <1-100000>]

Applies every period of policies/retention.yaml and prints a JSON report: per entry, its cutoff
and, per kind of data, how many rows are due, deleted and kept by a legal hold.

  --dry-run        count what would be deleted; delete nothing
  --now <time>     evaluate the periods at this time instead of the clock (e.g. 2027-06-01T00:00:00Z)
  --batch-size <n> rows deleted per transaction (default 1000)

Uses the same settings as the server (DATABASE_URL, or DATA_DIR for PGlite). Exit 0 with the
report, 0 with {"skipped":...} when another process is running retention, 2 on bad arguments,
1 on any other failure.`;

type Values = { "dry-run"?: boolean; now?: string; "batch-size"?: string };

const at = (values: Values) => (values.now === undefined ? new Date() : new Date(values.now));
const batchSize = (values: Values) => (values["batch-size"] === undefined ? 1000 : Number(values["batch-size"]));

export const main = (argv: string[], options?: CliOptions) =>
  runCli<Values>(
    {
      name: "retention",
      help: HELP,
      options: { "dry-run": { type: "boolean" }, now: { type: "string" }, "batch-size": { type: "string" } },
      check(values) {
        if (Number.isNaN(at(values).getTime()) || (values.now !== undefined && !/^\d{4}-\d{2}-\d{2}/.test(values.now))) {
          return `--now must be an ISO 8601 time such as 2027-06-01T00:00:00Z, got "${values.now}"`;
        }
        const size = batchSize(values);
        if (!Number.isInteger(size) || size < 1 || size > 100_000) return `--batch-size must be a whole number from 1 to 100000, got "${values["batch-size"]}"`;
        return undefined;
      },
      lock: { key: LOCK_RETENTION, skipped: "another process is running retention now; nothing was done" },
      async run({ db, policies, config, print }, values) {
        print(
          await runRetention(db, policies, {
            now: at(values),
            dryRun: values["dry-run"] === true,
            batchSize: batchSize(values),
            erasureJournalPath: config.erasureJournalPath,
            backupRetentionDays: config.backupRetentionDays,
          }),
        );
        return 0;
      },
    },
    argv,
    options,
  );

runAsScript(import.meta.url, main);
