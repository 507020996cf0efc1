// `npm run workspace:create -- --name <name> --owner-email <email>`: creates a workspace and
// prints its owner's one-time invitation token (for acceptInvitation). No password ever goes
// through the shell. Works on any database, production included; run again with the same name
// and email, it says the workspace exists and issues a fresh token while the owner has no account.
import "reflect-metadata";
import { parseArgs } from "node:util";
import { loadPolicies } from "../authz/policy-loader.js";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { takeDataDir } from "../db/data-dir.js";
import { migrate } from "../db/migrate.js";
import { DomainError } from "../errors.js";
import { createWorkspace } from "../modules/people/workspace-create.js";
import { registry } from "../modules/registry.js";
import { StartError } from "../start-error.js";

const HELP = `Usage: npm run workspace:create -- --name <name> --owner-email <email>

Creates a workspace and prints a one-time invitation token for its owner: the owner calls
acceptInvitation(token, password, name) to choose a password and sign in (valid 7 days).
Run again with the same name and email: says the workspace exists, and issues a fresh token
(the old one stops working) only while the owner has not accepted yet.

Uses the same settings as the server (DATABASE_URL, or DATA_DIR for PGlite). Exit 0 on success,
2 on bad arguments or input, 1 on any other failure.`;

async function main(argv: string[]): Promise<number> {
  let values: { name?: string; "owner-email"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { name: { type: "string" }, "owner-email": { type: "string" }, help: { type: "boolean", short: "h" } },
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
  if (!values.name || !values["owner-email"]) {
    process.stderr.write(`--name and --owner-email are required\n\n${HELP}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const policies = loadPolicies(registry);
  const dataDir = !config.databaseUrl && config.dataDir !== "memory://" ? takeDataDir(config.dataDir) : undefined;
  const database = await openDatabase(config);
  try {
    await migrate(database);
    let result: Awaited<ReturnType<typeof createWorkspace>>;
    try {
      result = await createWorkspace(database.handle(), policies, { name: values.name, ownerEmail: values["owner-email"] });
    } catch (error) {
      if (error instanceof DomainError && error.code === "bad_input") {
        process.stderr.write(`workspace:create: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    if (result.outcome === "exists") {
      process.stdout.write(
        `Workspace "${values.name}" exists (id ${result.workspaceId}) and its owner has signed in: no new token. An owner can issue a password reset (issuePasswordReset).\n`,
      );
      return 0;
    }
    const { invitation } = result;
    process.stdout.write(
      `${result.outcome === "created" ? "Created workspace" : "Workspace exists; issued a fresh owner invitation for"} "${values.name}" (id ${result.workspaceId}).\n` +
        `Owner invitation for ${invitation.email}, valid until ${invitation.expiresAt.toISOString()} (shown once; older tokens no longer work):\n` +
        `${invitation.token}\n` +
        `The owner accepts it with: mutation { acceptInvitation(token: "<token>", password: "<at least 12 characters>", name: "<full name>") { token } }\n`,
    );
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
    process.stderr.write(`workspace:create: ${known ? (error as Error).message : error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
