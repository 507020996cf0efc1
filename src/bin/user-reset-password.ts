// `npm run user:reset-password -- --workspace <name or id> --email <email>`: prints a one-time
// password reset token for a member of a workspace (for resetPassword), issued by the system
// principal under system.users.password_reset. No password ever goes through the shell.
import "reflect-metadata";
import { issueResetFromCommandLine } from "../modules/people/password-reset-cli.js";
import { type CliOptions, runAsScript, runCli } from "./run-cli.js";

const HELP = `Usage: npm run user:reset-password -- --workspace <name or id> --email <email>

Issues a one-time password reset token (valid 1 hour, older ones stop working) for the user
with this email in the workspace, and prints it as JSON: the user sets a new password with
resetPassword(token, newPassword), which ends every session of the account. For an owner who
is locked out with no other owner to call issuePasswordReset. Audited in the workspace's log.

Uses the same settings as the server (DATABASE_URL, or DATA_DIR for PGlite). Exit 0 on success,
2 on bad arguments or input (unknown workspace or email, a deactivated user), 1 on any other failure.`;

type Values = { workspace?: string; email?: string };

export const main = (argv: string[], options?: CliOptions) =>
  runCli<Values>(
    {
      name: "user:reset-password",
      help: HELP,
      options: { workspace: { type: "string" }, email: { type: "string" } },
      check: (values) => (!values.workspace || !values.email ? `--workspace and --email are required\n\n${HELP}` : undefined),
      async run({ db, policies, print }, values) {
        const issued = await issueResetFromCommandLine(db, policies, { workspace: values.workspace as string, email: values.email as string });
        print({
          ...issued,
          use: 'mutation { resetPassword(token: "<token>", newPassword: "<at least 12 characters>") }',
        });
        return 0;
      },
    },
    argv,
    options,
  );

runAsScript(import.meta.url, main);
