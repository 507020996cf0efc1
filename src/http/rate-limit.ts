import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from "rate-limiter-flexible";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.js";
import { rowsOf } from "../db/client.js";
import { rateLimits } from "../db/schema/index.js";

/**
 * Per-caller limits (issue #8 item 3), fixed one-minute windows:
 * - per caller: an API token (`token:<id>`) or a user (`user:<id>`, whatever session: signing in
 *   again does not reset it), RATE_LIMIT_PER_MINUTE;
 * - per workspace, RATE_LIMIT_WORKSPACE_PER_MINUTE (default 10x). A caller over its own limit is
 *   refused before the workspace is counted, so one token over its limit does not stop another.
 * Shared across processes: Redis when REDIS_URL is set (rate-limiter-flexible's RateLimiterRedis,
 * a per-process memory limiter as insurance while Redis is down), PostgreSQL otherwise.
 */
export interface LimitVerdict {
  allowed: boolean;
  /** Seconds until the window that refused (or the closest to its limit) resets. */
  reset: number;
  headers: Record<string, string>;
}

export interface CallerLimiter {
  consume(caller: string, workspaceId: string): Promise<LimitVerdict>;
  close(): Promise<void>;
}

export interface LimitSettings {
  perMinute: number;
  workspacePerMinute: number;
}

interface Count {
  /** Requests counted in this window, this one included. */
  hits: number;
  /** Milliseconds until the window ends. */
  msLeft: number;
}

const WINDOW_SECONDS = 60;

/**
 * The IETF httpapi draft's fields (draft-ietf-httpapi-ratelimit-headers-09): RateLimit-Policy
 * lists both quotas; RateLimit reports the one closest to running out.
 */
function verdict(settings: LimitSettings, caller: Count, workspace: Count | undefined): LimitVerdict {
  const callerLeft = settings.perMinute - caller.hits;
  const spaceLeft = workspace ? settings.workspacePerMinute - workspace.hits : Number.POSITIVE_INFINITY;
  const [name, left, msLeft] = callerLeft <= spaceLeft ? ["caller", callerLeft, caller.msLeft] : ["workspace", spaceLeft, workspace!.msLeft];
  const reset = Math.max(1, Math.ceil(msLeft / 1000));
  const headers: Record<string, string> = {
    "ratelimit-policy": `"caller";q=${settings.perMinute};w=${WINDOW_SECONDS}, "workspace";q=${settings.workspacePerMinute};w=${WINDOW_SECONDS}`,
    ratelimit: `"${name}";r=${Math.max(0, left)};t=${reset}`,
  };
  return { allowed: left >= 0, reset, headers };
}

abstract class TwoLevelLimiter implements CallerLimiter {
  constructor(readonly settings: LimitSettings) {}
  /** `exact`: near the limit, count across processes at once (a caller's own limit). */
  protected abstract count(key: string, limit: number, exact: boolean): Promise<Count>;
  abstract close(): Promise<void>;

  async consume(caller: string, workspaceId: string): Promise<LimitVerdict> {
    const own = await this.count(`caller:${caller}`, this.settings.perMinute, true);
    if (own.hits > this.settings.perMinute) return verdict(this.settings, own, undefined);
    // The workspace's limit (10x a caller's by default) is a safety net: a busy workspace's
    // every request would otherwise write its one hot row.
    return verdict(this.settings, own, await this.count(`workspace:${workspaceId}`, this.settings.workspacePerMinute, false));
  }
}

/** Redis (shared by every process), with a memory limiter as insurance when Redis fails. */
export class RedisCallerLimiter extends TwoLevelLimiter {
  private readonly redis: Redis;
  private readonly limiters = new Map<number, RateLimiterRedis>();

  constructor(
    settings: LimitSettings,
    redisUrl: string,
    private readonly keyPrefix = "acrm:rl",
  ) {
    super(settings);
    // Commands wait for the (re)connection, one retry at most; then the insurance limiter answers.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    // Errors are answered by the insurance limiter; the client reconnects by itself.
    this.redis.on("error", () => undefined);
  }

  private limiter(points: number): RateLimiterRedis {
    let found = this.limiters.get(points);
    if (!found) {
      const insurance = new RateLimiterMemory({ points, duration: WINDOW_SECONDS, keyPrefix: `${this.keyPrefix}:${points}` });
      found = new RateLimiterRedis({
        storeClient: this.redis,
        points,
        duration: WINDOW_SECONDS,
        keyPrefix: `${this.keyPrefix}:${points}`,
        insuranceLimiter: insurance,
      });
      this.limiters.set(points, found);
    }
    return found;
  }

  protected async count(key: string, limit: number): Promise<Count> {
    try {
      const res = await this.limiter(limit).consume(key);
      return { hits: res.consumedPoints, msLeft: res.msBeforeNext };
    } catch (rejected) {
      const res = rejected as RateLimiterRes;
      if (res && typeof res.consumedPoints === "number") return { hits: res.consumedPoints, msLeft: res.msBeforeNext };
      throw rejected;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

interface Tally {
  window: number;
  /** The shared count (every process) as of this process's last flush. */
  known: number;
  /** Requests counted here since that flush. */
  pending: number;
}

/**
 * What a process knows after sending `sent` requests to the shared row: the row's total, which
 * includes them (and whatever this or another process sent meanwhile); it is the count, not an
 * addition to what was known.
 */
function learn(tally: Tally, sent: number, shared: number | undefined): void {
  tally.known = Math.max(tally.known, shared ?? tally.known + sent);
}

/**
 * PostgreSQL: counts are kept in memory and added to `rate_limits` once a second in one
 * statement (no write per request; the retention job purges old windows). Past half its limit
 * in a window, a caller's requests are counted in the shared row as they come (one upsert
 * each), so the limit holds across processes where it matters; below half, another process
 * may serve up to about one flush interval of requests this one has not seen yet.
 */
export class PostgresCallerLimiter extends TwoLevelLimiter {
  private readonly tallies = new Map<string, Tally>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    settings: LimitSettings,
    private readonly db: Db,
    flushMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    super(settings);
    this.timer = setInterval(() => void this.flush().catch(() => undefined), flushMs);
    this.timer.unref();
  }

  protected async count(key: string, limit: number, exact: boolean): Promise<Count> {
    const at = this.now();
    const window = Math.floor(at / (WINDOW_SECONDS * 1000));
    let tally = this.tallies.get(key);
    if (!tally || tally.window !== window) {
      tally = { window, known: 0, pending: 0 };
      this.tallies.set(key, tally);
    }
    tally.pending += 1;
    const msLeft = (window + 1) * WINDOW_SECONDS * 1000 - at;
    // From half the limit on (as far as this process knows), the count is made exact: this
    // request and the pending ones go to the shared row now, and the shared total decides. Each
    // process serves fewer than half the limit unseen, so two processes never overshoot, even
    // without a flush; more processes flush once a second. Below half, no write per request
    // (two processes alternating once a second let 13 of 16 through a limit of 10 on a loaded
    // machine).
    if (exact && tally.known + tally.pending >= Math.ceil(limit / 2)) {
      const sent = tally.pending;
      tally.pending = 0;
      try {
        learn(tally, sent, (await this.add([{ key, window, hits: sent }])).get(key));
      } catch {
        // The database is away: counted here, sent with the next flush.
        tally.pending += sent;
      }
    }
    return { hits: tally.known + tally.pending, msLeft };
  }

  /** Adds counts to the shared rows (one statement) and returns their totals. */
  private async add(counts: Array<{ key: string; window: number; hits: number }>): Promise<Map<string, number>> {
    const values = sql.join(
      counts.map((c) => sql`(${c.key}, to_timestamp(${c.window * WINDOW_SECONDS}), ${c.hits}::int)`),
      sql`, `,
    );
    const result = await this.db.execute(sql`
      insert into ${rateLimits} (key, window_start, hits) values ${values}
      on conflict (key, window_start) do update set hits = ${rateLimits}.hits + excluded.hits
      returning key, hits`);
    return new Map(rowsOf<{ key: string; hits: number | string }>(result).map((r) => [r.key, Number(r.hits)]));
  }

  /** Adds the pending counts to the shared table and learns the other processes' counts. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const current = Math.floor(this.now() / (WINDOW_SECONDS * 1000));
    const batch: Array<{ key: string; tally: Tally; sent: number }> = [];
    // Callers this process served in this window but not since its last flush: their count
    // is read back too, or the other processes' requests would stay unseen here until this
    // process served the caller again (two processes let 11 of 16 through a limit of 10).
    const idle: Array<{ key: string; tally: Tally }> = [];
    for (const [key, tally] of this.tallies) {
      if (tally.window < current) this.tallies.delete(key);
      else if (tally.pending > 0) batch.push({ key, tally, sent: tally.pending });
      else idle.push({ key, tally });
    }
    if (batch.length === 0 && idle.length === 0) return;
    if (batch.length > 0) {
      for (const b of batch) b.tally.pending -= b.sent;
      try {
        const shared = await this.add(batch.map((b) => ({ key: b.key, window: b.tally.window, hits: b.sent })));
        for (const b of batch) learn(b.tally, b.sent, shared.get(b.key));
      } catch {
        // The database is away: keep counting here and send the counts with the next flush.
        for (const b of batch) b.tally.pending += b.sent;
      }
    }
    if (idle.length > 0) {
      // A read, once a second, only for callers seen this minute: still no write per request.
      const windowStart = new Date(current * WINDOW_SECONDS * 1000);
      const keys = idle.map((i) => i.key);
      try {
        const rows = await this.db
          .select({ key: rateLimits.key, hits: rateLimits.hits })
          .from(rateLimits)
          .where(and(eq(rateLimits.windowStart, windowStart), inArray(rateLimits.key, keys)));
        const shared = new Map(rows.map((r) => [r.key, Number(r.hits)]));
        for (const i of idle) i.tally.known = Math.max(i.tally.known, shared.get(i.key) ?? 0);
      } catch {
        // The database is away: the next flush reads again.
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }
}

/** The limiter the settings ask for: Redis when REDIS_URL is set, PostgreSQL otherwise. */
export function callerLimiter(
  config: { redisUrl?: string; rateLimitPerMinute: number; rateLimitWorkspacePerMinute: number; redisKeyPrefix?: string },
  database: Database,
): CallerLimiter {
  const settings = { perMinute: config.rateLimitPerMinute, workspacePerMinute: config.rateLimitWorkspacePerMinute };
  return config.redisUrl ? new RedisCallerLimiter(settings, config.redisUrl, config.redisKeyPrefix) : new PostgresCallerLimiter(settings, database.handle());
}
