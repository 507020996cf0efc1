import { eq, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../db/client.js";
import { rateLimits } from "../db/schema/index.js";

/** Sign-in attempts allowed per 15 minutes, per account email and per client address. */
export const LOGIN_LIMITS = { windowSeconds: 900, perEmail: 10, perAddress: 100 } as const;

/**
 * Counts one attempt against each key in the current fixed window (one statement) and tells
 * whether any key went over its limit, so callers refuse before expensive work (argon2).
 */
export async function overLimit(db: Db, limits: Record<string, number>, windowSeconds: number): Promise<boolean> {
  const window = sql`to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds})`;
  const rows = sql.join(
    Object.keys(limits).map((key) => sql`(${key}, ${window}, 1)`),
    sql`, `,
  );
  const result = await db.execute(sql`
    insert into ${rateLimits} (key, window_start, hits) values ${rows}
    on conflict (key, window_start) do update set hits = ${rateLimits}.hits + 1
    returning key, hits`);
  return rowsOf<{ key: string; hits: number | string }>(result).some((r) => Number(r.hits) > limits[r.key]);
}

/** Forgets a key's counts: a successful sign-in clears its account's failed attempts. */
export async function clearLimit(db: Db, key: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}

/** Seconds until the current fixed window of `windowSeconds` ends. */
export function secondsLeft(windowSeconds: number, now = Date.now()): number {
  return Math.max(1, Math.ceil(windowSeconds - ((now / 1000) % windowSeconds)));
}
