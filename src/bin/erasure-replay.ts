// `npm run erasure:replay`: after a database restore, re-applies every line of the erasure
// journal (ERASURE_JOURNAL_PATH, or DATA_DIR/erasure-journal.ndjson) and prints a JSON report.
import "reflect-metadata";
import { loadSigningSecret } from "../db/secrets.js";
import { CursorCodec } from "../modules/common/cursor.js";
import { systemScope } from "../modules/common/scope.js";
import { ErasureJournal } from "../modules/erasure/erasure.journal.js";
import { erasureService } from "../modules/erasure/erasure.service.js";
import { type CliOptions, runAsScript, runCli } from "./run-cli.js";

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

export const main = (argv: string[], options?: CliOptions) =>
  runCli(
    {
      name: "erasure:replay",
      help: HELP,
      options: {},
      async run({ db, config, policies, print }) {
        const secret = await loadSigningSecret(db, config);
        const journal = new ErasureJournal(config.erasureJournalPath, secret);
        const deps = { db, policies, cursors: new CursorCodec(secret), settings: config, erasureJournal: journal };
        const report = await erasureService.replay(journal, (workspaceId) => systemScope(deps, workspaceId, "legal_compliance"));
        print(report);
        return report.held.length + report.refused.length + report.unreadable > 0 ? 3 : 0;
      },
    },
    argv,
    options,
  );

runAsScript(import.meta.url, main);
