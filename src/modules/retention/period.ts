/** ISO 8601 durations as policies/retention.yaml writes them: years, months, days, hours. */
export interface Period {
  years: number;
  months: number;
  days: number;
  hours: number;
}

const PERIOD = /^P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(\d+)H)?$/;

export function parsePeriod(text: string): Period {
  const match = PERIOD.exec(text);
  if (!match) throw new Error(`"${text}" is not an ISO 8601 duration of years, months, days and hours`);
  const [, y, m, d, h] = match;
  return { years: Number(y ?? 0), months: Number(m ?? 0), days: Number(d ?? 0), hours: Number(h ?? 0) };
}

/**
 * `date` moved by `sign` times the period, calendar-aware in UTC: 31 August + 6 months is the
 * last day of February, as PostgreSQL's interval arithmetic says (the day is clamped).
 */
function shift(date: Date, period: Period, sign: 1 | -1): Date {
  const out = new Date(date.getTime());
  const day = out.getUTCDate();
  out.setUTCDate(1);
  out.setUTCMonth(out.getUTCMonth() + sign * (period.years * 12 + period.months));
  const lastDay = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(day, lastDay));
  return new Date(out.getTime() + sign * (period.days * 86_400_000 + period.hours * 3_600_000));
}

/** When a clock started at `start` runs out. */
export const addPeriod = (start: Date, period: string): Date => shift(start, parsePeriod(period), 1);

/** The oldest start whose clock has not yet run out at `now`: anything started before it is due. */
export const cutoffFor = (now: Date, period: string): Date => shift(now, parsePeriod(period), -1);
