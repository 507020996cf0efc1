// `npm run policy:publish -- --version V --summary "..." [--material]`: Alpha CRM's operators
// publish a version of the platform's own privacy policy (every workspace's users see it; a
// material one appears once in each user's me.policyNotices). Runs as the system principal, on
// whatever database the settings name (DATABASE_URL, else DATA_DIR), production included.
import { parseArgs } from "node:util";
import { LEGAL_COMPLIANCE } from "../authz/ability.js";
import { loadPolicies } from "../authz/policy-loader.js";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { takeDataDir, type DataDirLock } from "../db/data-dir.js";
import { migrate } from "../db/migrate.js";
import { loadSigningSecret } from "../db/secrets.js";
import { DomainError } from "../errors.js";
import { CursorCodec } from "../modules/common/cursor.js";
import { systemScope } from "../modules/common/scope.js";
import { policyVersionService } from "../modules/policy-versions/policy-version.service.js";
import { registry } from "../modules/registry.js";

const HELP = `policy:publish --version V --summary "what changed" [--material]
  Publishes version V of Alpha CRM's own privacy policy (scope PLATFORM) as the system principal.
  --material   a material change: every account holder sees it once in me.policyNotices until acknowledged.
  Uses DATABASE_URL (else the PGlite folder DATA_DIR, which no running server may hold).
  Prints the published version as JSON; exit 1 when the version exists, 2 on bad arguments.`;

class UsageError extends Error {}

function options(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { version: { type: "string" }, summary: { type: "string" }, material: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) return undefined;
  if (!values.version?.trim()) throw new UsageError("--version is required");
  if (!values.summary?.trim()) throw new UsageError("--summary is required");
  return { version: values.version, summary: values.summary, material: values.material ?? false };
}

async function main(): Promise<number> {
  let input: ReturnType<typeof options>;
  try {
    input = options(process.argv.slice(2));
  } catch (error) {
    console.error(`policy:publish: ${(error as Error).message}\n${HELP}`);
    return 2;
  }
  if (!input) {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig();
  let dataDir: DataDirLock | undefined;
  if (!config.databaseUrl && config.dataDir !== "memory://") dataDir = takeDataDir(config.dataDir);
  const database = await openDatabase(config);
  try {
    await migrate(database);
    const db = database.handle();
    const policies = loadPolicies(registry);
    const cursors = new CursorCodec(await loadSigningSecret(db, config));
    // The platform has no workspace: the system principal acts for none.
    const scope = systemScope({ db, policies, cursors, settings: { sessionTtlHours: config.sessionTtlHours } }, "", LEGAL_COMPLIANCE);
    const published = await policyVersionService.publishPlatform(scope, input);
    const { id, version, summary, material, publishedAt } = published;
    console.log(JSON.stringify({ id, version, summary, material, publishedAt, scope: "PLATFORM" }));
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`policy:publish: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
    dataDir?.release();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) for (const problem of error.problems) console.error(`config error: ${problem}`);
    else console.error(`policy:publish: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
