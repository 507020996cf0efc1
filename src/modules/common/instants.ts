import { badInput } from "../../errors.js";

/**
 * Bounds of an instant at which something happened (an interaction, a breach's detection).
 * Not before 1900: nothing the CRM records is older, and drizzle reads a year below 100 back
 * through `new Date("0001-01-01 00:00:00+00")`, which turns it into 2001. Not later than a day
 * ahead (clock and time-zone slack): a far-future date would keep the record past every
 * retention period, which counts from it.
 */
export const EARLIEST_EVENT = new Date("1900-01-01T00:00:00Z");
export const EVENT_FUTURE_SLACK_MS = 24 * 60 * 60 * 1000;

/** `value`, refused with BAD_USER_INPUT naming `field` when out of those bounds. */
export function eventInstant(field: string, value: Date, now = Date.now()): Date {
  if (Number.isNaN(value.getTime())) throw badInput(field, "is not a date");
  if (value < EARLIEST_EVENT) throw badInput(field, "must not be before 1900-01-01T00:00:00Z");
  if (value.getTime() > now + EVENT_FUTURE_SLACK_MS) throw badInput(field, "must not be more than one day in the future");
  return value;
}
