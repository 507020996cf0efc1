import type { Database } from "../../db/client.js";
import { type DeliveryOptions, type DeliveryReport, deliverDue } from "./outbox.service.js";

export interface OutboxSchedule {
  /** Delivers what is due now (what the timer does). */
  runOnce(now?: Date): Promise<DeliveryReport>;
  stop(): Promise<void>;
}

/**
 * The outbox worker inside the server, every `intervalSeconds` (0: never). Every process runs
 * it; claims use `FOR UPDATE SKIP LOCKED`, so processes share the due deliveries without an
 * advisory lock. A tick that finds the previous one still running skips.
 */
export function scheduleOutbox(
  database: Database,
  options: DeliveryOptions,
  intervalSeconds: number,
  log: (level: "info" | "error", message: string, detail?: object) => void,
): OutboxSchedule {
  let running: Promise<unknown> | undefined;
  const runOnce = (now = new Date()) => deliverDue(database.handle(), now, options);
  const tick = () => {
    if (running) return;
    running = runOnce()
      .then(
        (report) => (report.delivered || report.failed || report.dead ? log("info", "outbox delivery", { ...report }) : undefined),
        (error: unknown) => log("error", "outbox delivery failed", { error: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = intervalSeconds > 0 ? setInterval(tick, intervalSeconds * 1000) : undefined;
  timer?.unref();
  return {
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
