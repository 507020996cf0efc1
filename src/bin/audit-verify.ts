// `npm run audit:verify -- [--workspace <id>]`: checks the audit log's hash chains (one per
// workspace, and the one of entries with no workspace) and prints a JSON report. Exit 0 when
// every chain matches, 1 naming the first entry that no longer matches, 2 on bad arguments.
import "reflect-metadata";
import { parseArgs } from "node:util";
import { verifyAuditChains } from "../authz/audit-chain.js";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { takeDataDir } from "../db/data-dir.js";
import { migrate } from "../db/migrate.js";
import { StartError } from "../start-error.js";

const HELP = `Usage: npm run audit:verify -- [--workspace <workspace id>]

Checks that every audit-log entry still matches its hash and follows the previous entry of its
workspace (entries changed, deleted or inserted directly in the database break the chain), from
the start of each chain or its latest checkpoint. Prints a JSON report per chain.

  --workspace <id>  check this workspace's chain only ("none" for entries with no workspace)

Uses the same settings as the server (DATABASE_URL, or DATA_DIR for PGlite). Exit 0 when every
chain matches, 1 when one is broken (the report names the first entry that no longer matches)
or on any other failure, 2 on bad arguments.`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(argv: string[]): Promise<number> {
  let values: { workspace?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { workspace: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.workspace !== undefined && values.workspace !== "none" && !UUID.test(values.workspace)) {
    process.stderr.write(`--workspace must be a workspace id or "none", got "${values.workspace}"\n`);
    return 2;
  }
  const workspaceId = values.workspace === undefined ? undefined : values.workspace === "none" ? null : values.workspace;
  const config = loadConfig(process.env);
  const dataDir = !config.databaseUrl && config.dataDir !== "memory://" ? takeDataDir(config.dataDir) : undefined;
  const database = await openDatabase(config);
  try {
    await migrate(database);
    const report = await verifyAuditChains(database.handle(), workspaceId);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    for (const chain of report.chains.filter((c) => !c.ok)) {
      process.stderr.write(`audit:verify: chain ${chain.workspaceId ?? "(no workspace)"} broken at entry ${chain.brokenAt}: ${chain.reason}\n`);
    }
    return report.ok ? 0 : 1;
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
    process.stderr.write(`audit:verify: ${known ? (error as Error).message : error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
