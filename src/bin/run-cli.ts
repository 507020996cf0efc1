// What every database command-line tool does the same way: parse the arguments (--help, usage
// errors exit 2), load the settings and policies, take DATA_DIR, open and migrate the database,
// optionally hold an advisory lock, print the JSON report, and turn any failure into one line
// on stderr with exit 1 (no stack trace). Each tool only declares its options and its work.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { loadPolicies, type PolicySet } from "../authz/policy-loader.js";
import { type Config, loadConfig } from "../config.js";
import { type Database, type Db, openDatabase } from "../db/client.js";
import { takeDataDir } from "../db/data-dir.js";
import { migrate } from "../db/migrate.js";
import { DomainError } from "../errors.js";
import { registry } from "../modules/registry.js";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CliContext {
  /** The database handle (the lock's when the command declares one). */
  db: Db;
  database: Database;
  config: Config;
  policies: PolicySet;
  io: CliIo;
  /** Prints a JSON report on stdout. */
  print(report: unknown): void;
  /** Prints one line on stderr, prefixed with the command's name. */
  warn(message: string): void;
}

export type CliValues = Record<string, string | boolean | undefined>;

export interface CliCommand<V extends CliValues> {
  /** As typed after `npm run` (prefixes every error line). */
  name: string;
  help: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Checks the arguments before anything is opened; a message is a usage error (exit 2). */
  check?(values: V): string | undefined;
  /** Only one process at a time runs the command: another one prints `skipped` and exits 0. */
  lock?: { key: number; skipped: string };
  /** The work; returns the exit code. A DomainError `bad_input` exits 2 with its message. */
  run(ctx: CliContext, values: V): Promise<number>;
}

/** Injected by tests that run a command in-process on their own database and output. */
export interface CliOptions {
  io?: CliIo;
  database?: Database;
  config?: Config;
  policies?: PolicySet;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function runCli<V extends CliValues>(command: CliCommand<V>, argv: string[], options: CliOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const warn = (message: string) => io.stderr(`${command.name}: ${message}\n`);
  let values: V;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...command.options, help: { type: "boolean", short: "h" } }, strict: true }) as unknown as { values: V });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${command.help}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${command.help}\n`);
    return 0;
  }
  const problem = command.check?.(values);
  if (problem) {
    io.stderr(`${problem}\n`);
    return 2;
  }
  try {
    const config = options.config ?? loadConfig(process.env);
    const policies = options.policies ?? loadPolicies(registry);
    const owned = options.database === undefined;
    const dataDir = owned && !config.databaseUrl && config.dataDir !== "memory://" ? takeDataDir(config.dataDir) : undefined;
    try {
      const database = options.database ?? (await openDatabase(config));
      try {
        if (owned) await migrate(database);
        const work = (db: Db) =>
          command.run({ db, database, config, policies, io, print: (report) => io.stdout(`${JSON.stringify(report, null, 2)}\n`), warn }, values);
        if (!command.lock) return await work(database.handle());
        const outcome = await database.tryAdvisoryLock(command.lock.key, work);
        if (outcome.ran) return outcome.value;
        io.stdout(`${JSON.stringify({ skipped: command.lock.skipped }, null, 2)}\n`);
        return 0;
      } finally {
        if (owned) await database.close();
      }
    } finally {
      dataDir?.release();
    }
  } catch (error) {
    if (error instanceof DomainError && error.code === "bad_input") {
      warn(error.message);
      return 2;
    }
    // ConfigError and StartError messages are written for the operator; anything else is one line too.
    warn(error instanceof Error ? error.message.split("\n")[0] : String(error));
    return 1;
  }
}

/** Whether the module at `moduleUrl` is the script node was started with (not imported by a test). */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** Runs `main` with the process's arguments when the module is the entry point, and sets the exit code. */
export function runAsScript(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (!isEntryPoint(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
