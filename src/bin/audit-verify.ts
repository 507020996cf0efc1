// `npm run audit:verify -- [--workspace <id>]`: checks the audit log's hash chains (one per
// workspace, and the one of entries with no workspace) and prints a JSON report. Exit 0 when
// every chain matches, 1 naming the first entry that no longer matches, 2 on bad arguments.
import "reflect-metadata";
import { verifyAuditChains } from "../authz/audit-chain.js";
import { type CliOptions, runAsScript, runCli } from "./run-cli.js";

const HELP = `Usage: npm run audit:verify -- [--workspace <workspace id>]

Checks that every audit-log entry still matches its hash and follows the previous entry of its
workspace (entries changed, deleted or inserted directly in the database break the chain), from
the start of each chain or its latest checkpoint. Prints a JSON report per chain.

  --workspace <id>  check this workspace's chain only ("none" for entries with no workspace)

Uses the same settings as the server (DATABASE_URL, or DATA_DIR for PGlite). Exit 0 when every
chain matches, 1 when one is broken (the report names the first entry that no longer matches)
or on any other failure, 2 on bad arguments.`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const main = (argv: string[], options?: CliOptions) =>
  runCli<{ workspace?: string }>(
    {
      name: "audit:verify",
      help: HELP,
      options: { workspace: { type: "string" } },
      check: ({ workspace }) =>
        workspace !== undefined && workspace !== "none" && !UUID.test(workspace)
          ? `--workspace must be a workspace id or "none", got "${workspace}"`
          : undefined,
      async run({ db, print, warn }, { workspace }) {
        const report = await verifyAuditChains(db, workspace === undefined ? undefined : workspace === "none" ? null : workspace);
        print(report);
        for (const chain of report.chains.filter((c) => !c.ok)) {
          warn(`chain ${chain.workspaceId ?? "(no workspace)"} broken at entry ${chain.brokenAt}: ${chain.reason}`);
        }
        return report.ok ? 0 : 1;
      },
    },
    argv,
    options,
  );

runAsScript(import.meta.url, main);
