/**
 * The legal clock of a privacy request, counted in calendar days of the workspace's time zone
 * (UTC when it sets none). Node's ICU time-zone data through Intl does the only zone-dependent
 * step (a local day's end -> an instant); the rest is plain calendar arithmetic, so no date
 * library is needed.
 *
 * GDPR Art. 12(3): one month from receipt, extendable by two further months. A period in
 * months ends on the same date of the later month, or on that month's last day when it has
 * no such date (Regulation 1182/71 Art. 3(2)(c); EDPB Guidelines 01/2022): received on
 * 31 January, due on 28 February (29 in a leap year). A deadline runs to the end of its day.
 * CCPA (Cal. Civ. Code 1798.130(a)(2)): 45 calendar days, extendable once by 45 more.
 */
import type { PRIVACY_LAWS } from "../../db/schema/index.js";

export type Law = (typeof PRIVACY_LAWS)[number];

export const GDPR_MAX_EXTENSION_MONTHS = 2;
export const CCPA_PERIOD_DAYS = 45;

/** The canonical IANA name of a zone the runtime knows (`europe/paris` -> Europe/Paris), else undefined. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length === 0 || name.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock reading of an instant in a zone, as if it were UTC (ms). */
function wallClock(instant: number, zone: string): number {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const seconds = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return seconds + (((instant % 1000) + 1000) % 1000);
}

/** The calendar date an instant falls on in a zone. */
export function localDate(instant: Date, zone: string): LocalDate {
  const wall = new Date(wallClock(instant.getTime(), zone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** The last millisecond of a local date in a zone, as an instant. */
export function endOfLocalDay(date: LocalDate, zone: string): Date {
  const target = Date.UTC(date.year, date.month - 1, date.day, 23, 59, 59, 999);
  // Offset at a first guess, then at the corrected instant (settles across a DST change).
  let instant = target - (wallClock(target, zone) - target);
  instant = target - (wallClock(instant, zone) - instant);
  return new Date(instant);
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The same date `months` later, clamped to that month's last day. */
export function addCalendarMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

export function addCalendarDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The answer is due by the end of this instant's day. */
export function dueAtFor(law: Law, receivedAt: Date, zone: string): Date {
  const received = localDate(receivedAt, zone);
  return endOfLocalDay(law === "ccpa" ? addCalendarDays(received, CCPA_PERIOD_DAYS) : addCalendarMonths(received, 1), zone);
}

/** The deadline after the one extension: counted from receipt, like the first one. */
export function extendedUntilFor(law: Law, receivedAt: Date, months: number, zone: string): Date {
  const received = localDate(receivedAt, zone);
  return endOfLocalDay(law === "ccpa" ? addCalendarDays(received, 2 * CCPA_PERIOD_DAYS) : addCalendarMonths(received, 1 + months), zone);
}

/** The deadline in force: the extended one if any. */
export const effectiveDue = (r: { dueAt: Date; extendedUntil: Date | null }): Date => r.extendedUntil ?? r.dueAt;

export function isOverdue(r: { status: string; dueAt: Date; extendedUntil: Date | null }, now = new Date()): boolean {
  return (r.status === "received" || r.status === "in_progress") && now.getTime() > effectiveDue(r).getTime();
}
