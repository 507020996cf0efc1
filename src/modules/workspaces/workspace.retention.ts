import type { PolicySet } from "../../authz/policy-loader.js";
import { parsePeriod } from "../retention/period.js";

/**
 * Privacy policy section 8: a cancelled account's data is kept for the period of the
 * policies/retention.yaml entry whose trigger is `workspace_cancelled` (six months), then
 * deleted. Whole months only: the purge date and the `workspace_purges` record count in months.
 */
export function cancelledRetentionMonths(policies: PolicySet): number {
  const entries = [...policies.retention.values()].filter((r) => r.trigger === "workspace_cancelled");
  if (entries.length !== 1) throw new Error(`policies/retention.yaml needs exactly one entry with trigger workspace_cancelled, found ${entries.length}`);
  const period = parsePeriod(entries[0].period);
  if (period.days !== 0 || period.hours !== 0) {
    throw new Error(`policies/retention.yaml: ${entries[0].id} must be whole years or months (the purge counts months), got ${entries[0].period}`);
  }
  return period.years * 12 + period.months;
}

/**
 * The moment a cancelled workspace's data becomes due for deletion: `cancelledAt` plus
 * `months` calendar months (UTC), the day clamped to the end of a shorter month (31 August
 * + 6 months = 28 or 29 February), the time of day kept. Every purge decision and every
 * `purgeAfter` shown comes from here.
 */
export function purgeDate(cancelledAt: Date, months: number): Date {
  if (!Number.isInteger(months)) throw new RangeError(`months must be a whole number, got ${months}`);
  const at = new Date(cancelledAt.getTime());
  const day = at.getUTCDate();
  at.setUTCDate(1);
  at.setUTCMonth(at.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
  at.setUTCDate(Math.min(day, lastDay));
  return at;
}
