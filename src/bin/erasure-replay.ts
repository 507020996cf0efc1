// `npm run erasure:replay`: after a database restore, re-applies every line of the erasure
// journal (ERASURE_JOURNAL_PATH, or DATA_DIR/erasure-journal.ndjson) and prints a JSON report.
import "reflect-metadata";
import { parseArgs } from "node:util";
import { loadPolicies } from "../authz/policy-loader.js";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { takeDataDir } from "../db/data-dir.js";
import { migrate } from "../db/migrate.js";
import { loadSigningSecret } from "../db/secrets.js";
import { CursorCodec } from "../modules/common/cursor.js";
import { systemScope } from "../modules/common/scope.js";
import { ErasureJournal } from "../modules/erasure/erasure.journal.js";
import { erasureService } from "../modules/erasure/erasure.service.js";
import { registry } from "../modules/registry.js";
import { StartError } from "../start-error.js";

const HELP = `Usage: npm run erasure:replay

Re-applies every erasure of the erasure journal to the database, after a restore from a backup:
each journalled contact that is not a tombstone is erased again, found by its id or, in its
workspace, by the keyed hash of its email address or phone number (a person imported again).
Idempotent: a second run erases nothing. Prints a JSON report (entries, erased, alreadyErased,
notFound, held, refused, unreadable lines).

Uses the same settings as the server (DATABASE_URL or DATA_DIR, ERASURE_JOURNAL_PATH, and the
same SIGNING_SECRET, whose key the journal's hashes are made with).

Exit codes: 0 every entry is applied (or was already); 3 some entry could not be applied (a
legal hold keeps the person, the system role was refused, or a journal line is unreadable):
see the report; 2 bad arguments; 1 any other failure (nothing is half-done: each erasure is
its own transaction, and a rerun continues).`;

async function main(argv: string[]): Promise<number> {
  let values: { help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = loadConfig(process.env);
  const policies = loadPolicies(registry);
  const dataDir = !config.databaseUrl && config.dataDir !== "memory://" ? takeDataDir(config.dataDir) : undefined;
  const database = await openDatabase(config);
  try {
    await migrate(database);
    const db = database.handle();
    const secret = await loadSigningSecret(db, config);
    const journal = new ErasureJournal(config.erasureJournalPath, secret);
    const deps = { db, policies, cursors: new CursorCodec(secret), settings: config, erasureJournal: journal };
    const report = await erasureService.replay(journal, (workspaceId) => systemScope(deps, workspaceId, "legal_compliance"));
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.held.length + report.refused.length + report.unreadable > 0 ? 3 : 0;
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
    process.stderr.write(`erasure:replay: ${known ? (error as Error).message : error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
