/**
 * Privacy policy section 8: a cancelled account's data is kept 6 months after termination,
 * then deleted. The one place that number lives until policies/retention.yaml feeds it.
 */
export const CANCELLED_RETENTION_MONTHS = 6;

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
