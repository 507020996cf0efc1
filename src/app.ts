import type { FastifyInstance } from "fastify";
import { recordPolicyVersion } from "./authz/decision-log.js";
import { loadPolicies, type PolicySet } from "./authz/policy-loader.js";
import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { loadSigningSecret } from "./db/secrets.js";
import { seedDemo } from "./db/seed.js";
import { buildServer, type LogStream } from "./http/server.js";
import { CursorCodec } from "./modules/common/cursor.js";
import { ErasureJournal } from "./modules/erasure/erasure.journal.js";
import { registry } from "./modules/registry.js";
import { UnsubscribeLinks } from "./modules/unsubscribe/unsubscribe.token.js";
import { ExportLinks } from "./modules/exports/export.token.js";
import { type RetentionSchedule, scheduleRetention } from "./modules/retention/retention.schedule.js";
import { retentionProblems } from "./modules/retention/retention.service.js";
import { type OutboxSchedule, scheduleOutbox } from "./modules/webhooks/outbox.schedule.js";
import { StartError } from "./start-error.js";

export interface App {
  server: FastifyInstance;
  database: Database;
  policies: PolicySet;
  /** SIGNING_SECRET, or the one generated and stored in the database (development). */
  signingSecret: string;
  /** The erasure journal eraseContact appends to (ERASURE_JOURNAL_PATH or DATA_DIR/erasure-journal.ndjson). */
  erasureJournal: ErasureJournal;
  /** The retention job's timer (RETENTION_INTERVAL_MINUTES); `runOnce` runs it now. */
  retention: RetentionSchedule;
  /** The outbox worker's timer (OUTBOX_INTERVAL_SECONDS); `runOnce` delivers what is due now. */
  outbox: OutboxSchedule;
  close(): Promise<void>;
}

export interface AppOptions {
  database?: Database;
  policies?: PolicySet;
  /** Says what the start is doing (`npm start` logs it; tests stay quiet). */
  log?: (message: string) => void;
  /** Where the server's JSON log goes (tests read it). */
  logStream?: LogStream;
}

/**
 * Loads and checks the policies (an invalid one stops the start), opens and migrates the
 * database, seeds the demo data when asked, and builds the HTTP server.
 */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? (() => undefined);
  const policies = opts.policies ?? loadPolicies(registry);
  // A retention period the job cannot apply stops the start, like an invalid policy file.
  const unenforced = retentionProblems(policies);
  if (unenforced.length > 0) throw new StartError(unenforced.join("; "));
  if (!opts.database) log(config.databaseUrl ? "connecting to PostgreSQL" : `opening the database (PGlite in ${config.dataDir})`);
  // Only the API's own pool gets STATEMENT_TIMEOUT_MS; the CLIs open theirs without it.
  const database = opts.database ?? (await openDatabase(config, { statementTimeoutMs: config.statementTimeoutMs }));
  try {
    log("migrating the database");
    await migrate(database);
    // Which policy decides from now on: recorded once per version, so a decision-log entry's
    // policy_digest always names files the database can show (npm run policy:show).
    await recordPolicyVersion(database.handle(), policies);
    if (config.seedDemo && (await seedDemo(database, config.demoPassword))) log("seeded the demo data (the database had no workspace)");
    // Read once, after the migrations made its table: every process shares it.
    const signingSecret = await loadSigningSecret(database.handle(), config);
    const erasureJournal = new ErasureJournal(config.erasureJournalPath, signingSecret);
    const server = await buildServer({
      config,
      database,
      policies,
      cursors: new CursorCodec(signingSecret),
      links: new UnsubscribeLinks(signingSecret, config.publicUrl),
      exports: new ExportLinks(signingSecret, config.publicUrl),
      erasureJournal,
      logStream: opts.logStream,
    });
    const retention = scheduleRetention(database, policies, config.retentionIntervalMinutes, (level, msg, detail) => server.log[level]({ ...detail }, msg), {
      erasureJournalPath: config.erasureJournalPath,
      backupRetentionDays: config.backupRetentionDays,
    });
    const outbox = scheduleOutbox(
      database,
      { production: config.production, allowPrivate: config.webhookAllowPrivateTargets },
      config.outboxIntervalSeconds,
      (level, msg, detail) => server.log[level]({ ...detail }, msg),
    );
    return {
      server,
      database,
      policies,
      signingSecret,
      erasureJournal,
      retention,
      outbox,
      async close() {
        await outbox.stop();
        await retention.stop();
        await server.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
