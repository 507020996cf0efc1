import type { PolicySet } from "../../authz/policy-loader.js";
import type { Database } from "../../db/client.js";
import { type RetentionOptions, runRetention, type RetentionReport } from "./retention.service.js";

/** The advisory lock only one process holds while retention runs ("ALP" + 3). */
export const LOCK_RETENTION = 0x41_4c_50_03;

export interface RetentionSchedule {
  /** Runs once now (what the timer does); `undefined` when another process held the lock. */
  runOnce(now?: Date): Promise<RetentionReport | undefined>;
  stop(): Promise<void>;
}

/**
 * The retention job inside the server, every `intervalMinutes` (0: never; run it from cron with
 * `npm run retention` instead). Every process schedules it; the advisory lock lets one run at a
 * time, and a run that finds the lock taken just waits for the next tick.
 */
export function scheduleRetention(
  database: Database,
  policies: PolicySet,
  intervalMinutes: number,
  log: (level: "info" | "error", message: string, detail?: object) => void,
  files: Pick<RetentionOptions, "erasureJournalPath" | "backupRetentionDays"> = {},
): RetentionSchedule {
  let running: Promise<unknown> = Promise.resolve();
  const runOnce = async (now = new Date()) => {
    const outcome = await database.tryAdvisoryLock(LOCK_RETENTION, (db) => runRetention(db, policies, { now, dryRun: false, batchSize: 1000, ...files }));
    return outcome.ran ? outcome.value : undefined;
  };
  const tick = () => {
    running = runOnce().then(
      (report) => report && log("info", "retention run", { totals: report.totals }),
      (error: unknown) => log("error", "retention run failed", { error: error instanceof Error ? error.message : String(error) }),
    );
  };
  const timer = intervalMinutes > 0 ? setInterval(tick, intervalMinutes * 60_000) : undefined;
  timer?.unref();
  return {
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
