// `npm run workspace:create -- --name <name> --owner-email <email>`: creates a workspace and
// prints its owner's one-time invitation token (for acceptInvitation). No password ever goes
// through the shell. Works on any database, production included; run again with the same name
// and email, it says the workspace exists and issues a fresh token while the owner has no account.
import "reflect-metadata";
import { createWorkspace } from "../modules/people/workspace-create.js";
import { type CliOptions, runAsScript, runCli } from "./run-cli.js";

const HELP = `Usage: npm run workspace:create -- --name <name> --owner-email <email>

Creates a workspace and prints a one-time invitation token for its owner: the owner calls
acceptInvitation(token, password, name) to choose a password and sign in (valid 7 days).
Run again with the same name and email: says the workspace exists, and issues a fresh token
(the old one stops working) only while the owner has not accepted yet.

Uses the same settings as the server (DATABASE_URL, or DATA_DIR for PGlite). Exit 0 on success,
2 on bad arguments or input, 1 on any other failure.`;

type Values = { name?: string; "owner-email"?: string };

export const main = (argv: string[], options?: CliOptions) =>
  runCli<Values>(
    {
      name: "workspace:create",
      help: HELP,
      options: { name: { type: "string" }, "owner-email": { type: "string" } },
      check: (values) => (!values.name || !values["owner-email"] ? `--name and --owner-email are required\n\n${HELP}` : undefined),
      async run({ db, policies, io }, values) {
        const name = values.name as string;
        const result = await createWorkspace(db, policies, { name, ownerEmail: values["owner-email"] as string });
        if (result.outcome === "exists") {
          io.stdout(
            `Workspace "${name}" exists (id ${result.workspaceId}) and its owner has signed in: no new token. An owner can issue a password reset (issuePasswordReset), or run npm run user:reset-password.\n`,
          );
          return 0;
        }
        const { invitation } = result;
        io.stdout(
          `${result.outcome === "created" ? "Created workspace" : "Workspace exists; issued a fresh owner invitation for"} "${name}" (id ${result.workspaceId}).\n` +
            `Owner invitation for ${invitation.email}, valid until ${invitation.expiresAt.toISOString()} (shown once; older tokens no longer work):\n` +
            `${invitation.token}\n` +
            `The owner accepts it with: mutation { acceptInvitation(token: "<token>", password: "<at least 12 characters>", name: "<full name>") { token } }\n`,
        );
        return 0;
      },
    },
    argv,
    options,
  );

runAsScript(import.meta.url, main);
