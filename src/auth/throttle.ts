import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "../db/client.js";
import { rateLimits } from "../db/schema/index.js";
import { tokenDigest } from "./tokens.js";

/**
 * Sign-in throttle, after OWASP's authentication cheat sheet: growing delays instead of a
 * lockout, so that nobody can lock an account from somewhere else.
 *
 * - per (account, address): `free` failures, then each attempt waits 2^k s after the last
 *   failure (1 s, 2 s, 4 s, ...) up to `capSeconds`. A success clears it.
 * - per address, whatever the account (credential stuffing from one place): the same, looser.
 * - per account, from every address (an attack spread over many addresses): above `ceiling`
 *   failures the pairs of that account lose their free failures and the cap grows. This only
 *   slows: it never refuses the first attempt from an address, so the owner can always try.
 *
 * Failures are kept as a log in `rate_limits` (one row per key and instant) and read over
 * `windowSeconds`, so delays decay by themselves and the window outlasts a capped streak.
 */
export const SIGN_IN_THROTTLE = {
  windowSeconds: 24 * 3600,
  pair: { free: 5, capSeconds: 15 * 60 },
  address: { free: 100, capSeconds: 15 * 60 },
  account: { ceiling: 100, underAttack: { free: 0, capSeconds: 60 * 60 } },
} as const;

interface DelayRule {
  free: number;
  capSeconds: number;
}

/** Seconds to wait after the last of `failures` failures: 0 while free, then 1, 2, 4, ... capped. */
export function delaySeconds(failures: number, rule: DelayRule): number {
  if (failures <= rule.free) return 0;
  return Math.min(2 ** (failures - rule.free - 1), rule.capSeconds);
}

/** The three keys an attempt counts against; digests, so the table holds no email or address. */
export function signInKeys(email: string, address: string) {
  const account = email.toLowerCase();
  return {
    pair: `login:pair:${tokenDigest(`${address}|${account}`)}`,
    address: `login:address:${tokenDigest(address)}`,
    account: `login:account:${tokenDigest(account)}`,
  };
}
export type SignInKeys = ReturnType<typeof signInKeys>;

interface Seen {
  failures: number;
  ageSeconds: number;
}

// clock_timestamp(), not now(): an attempt whose transaction began first but waited for the
// lock must not see the attempt that went ahead of it as in its future (a negative age).
async function failuresOf(db: Db, keys: SignInKeys): Promise<Record<keyof SignInKeys, Seen>> {
  const result = await db.execute(sql`
    select key, sum(hits) as failures, greatest(0, extract(epoch from clock_timestamp() - max(window_start))) as age
    from ${rateLimits}
    where key in (${keys.pair}, ${keys.address}, ${keys.account}) and hits > 0
      and window_start > now() - make_interval(secs => ${SIGN_IN_THROTTLE.windowSeconds})
    group by key`);
  const byKey = new Map(rowsOf<{ key: string; failures: number | string; age: number | string }>(result).map((r) => [r.key, r]));
  const seen = (key: string): Seen => ({ failures: Number(byKey.get(key)?.failures ?? 0), ageSeconds: Number(byKey.get(key)?.age ?? 0) });
  return { pair: seen(keys.pair), address: seen(keys.address), account: seen(keys.account) };
}

/** Seconds this attempt must still wait (0: go ahead). */
export function waitSeconds(seen: Record<keyof SignInKeys, Seen>): number {
  const { pair, address, account } = SIGN_IN_THROTTLE;
  const pairRule = seen.account.failures >= account.ceiling ? account.underAttack : pair;
  return Math.max(0, delaySeconds(seen.pair.failures, pairRule) - seen.pair.ageSeconds, delaySeconds(seen.address.failures, address) - seen.address.ageSeconds);
}

/**
 * Decides an attempt before the password is checked (argon2 is the expensive part). An
 * allowed attempt is counted as a failure at once, so parallel attempts cannot all slip
 * through one gap; `signInSucceeded` takes it back. Attempts from one address are decided one
 * at a time (a transaction-scoped advisory lock), which closes the same race for PostgreSQL.
 * Returns the seconds to wait, or the instant the attempt was counted at.
 */
export async function beginSignIn(db: Db, keys: SignInKeys): Promise<{ retryAfter: number } | { at: Date }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${keys.address}))`);
    const wait = waitSeconds(await failuresOf(tx, keys));
    if (wait > 0) return { retryAfter: Math.ceil(wait) };
    const result = await tx.execute(sql`
      with pruned as (
        delete from ${rateLimits}
        where key in (${keys.pair}, ${keys.address}, ${keys.account})
          and window_start <= now() - make_interval(secs => ${SIGN_IN_THROTTLE.windowSeconds})
      ), attempt as (
        select date_trunc('milliseconds', clock_timestamp()) as at
      )
      insert into ${rateLimits} (key, window_start, hits)
      select k.key, attempt.at, 1 from attempt, (values (${keys.pair}), (${keys.address}), (${keys.account})) as k(key)
      on conflict (key, window_start) do update set hits = ${rateLimits}.hits + 1
      returning window_start`);
    const [row] = rowsOf<{ window_start: string | Date }>(result);
    return { at: new Date(row.window_start) };
  });
}

/**
 * A success forgets the pair's failures (its owner signing in often is never slowed) and takes
 * back this attempt from the address and account counts, which keep earlier failures.
 */
export async function signInSucceeded(db: Db, keys: SignInKeys, at: Date): Promise<void> {
  // Rows left at 0 hits are skipped by the count and pruned with the window.
  await db.execute(sql`
    with cleared as (delete from ${rateLimits} where key = ${keys.pair})
    update ${rateLimits} set hits = hits - 1
    where key in (${keys.address}, ${keys.account}) and window_start = ${at.toISOString()}::timestamptz`);
}

/**
 * Counts one request in the current minute for `key` (one statement) and returns the count,
 * for the per-minute limits (anonymous requests per address).
 */
export async function countThisMinute(db: Db, key: string): Promise<number> {
  const result = await db.execute(sql`
    insert into ${rateLimits} (key, window_start, hits) values (${key}, date_trunc('minute', now()), 1)
    on conflict (key, window_start) do update set hits = ${rateLimits}.hits + 1
    returning hits`);
  return Number(rowsOf<{ hits: number | string }>(result)[0]?.hits ?? 0);
}

/** Seconds until the current fixed window of `windowSeconds` ends. */
export function secondsLeft(windowSeconds: number, now = Date.now()): number {
  return Math.max(1, Math.ceil(windowSeconds - ((now / 1000) % windowSeconds)));
}
