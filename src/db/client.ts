import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { StartError } from "../start-error.js";

/** Any drizzle handle: the database or a transaction inside it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, any, any>;

/** Per-request statement counter behind the `Server-Timing` header. */
export class QueryMetrics {
  count = 0;
  durationMs = 0;
  /** How the GraphQL operation was served, when not by the resolvers (`compiled`: src/graphql/compiled-page.ts). */
  plan?: string;
  record(startedAt: number): void {
    this.count += 1;
    this.durationMs += performance.now() - startedAt;
  }
  header(): string {
    const n = this.count;
    const db = `db;dur=${this.durationMs.toFixed(1)};desc="${n} ${n === 1 ? "query" : "queries"}"`;
    return this.plan ? `${db}, plan;desc="${this.plan}"` : db;
  }
}

export interface Database {
  kind: "pglite" | "postgres";
  /** A drizzle handle whose statements are counted into `metrics`. */
  handle(metrics?: QueryMetrics): Db;
  /** Runs `fn` with a session-level advisory lock held (migrations, seeding). */
  withAdvisoryLock<T>(key: number, fn: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` only if no other process (or task of this one) holds the advisory lock `key`;
   * `{ ran: false }` otherwise, at once (jobs that several deployed processes schedule).
   */
  tryAdvisoryLock<T>(key: number, fn: (db: Db) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  ping(metrics?: QueryMetrics): Promise<void>;
  /** PGlite only: the whole data folder as a tar image that `openPglite` can start from. */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

// Time each statement from the moment it is issued until it settles.
function timed<T>(metrics: QueryMetrics, run: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  return run().finally(() => metrics.record(startedAt));
}

// Proxies bind every method to the real object: PGlite keeps private fields.
function bindAll<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(obj, prop) {
      if (typeof prop === "string" && prop in overrides) return overrides[prop];
      const value = Reflect.get(obj, prop, obj);
      return typeof value === "function" ? value.bind(obj) : value;
    },
  });
}

type PgliteLike = Pick<PGlite, "query" | "exec"> & Partial<Pick<PGlite, "transaction">>;

function instrumentPglite<T extends PgliteLike>(client: T, metrics: QueryMetrics): T {
  const overrides: Record<string, unknown> = {
    query: (...args: Parameters<PGlite["query"]>) => timed(metrics, () => client.query(...args)),
    exec: (...args: Parameters<PGlite["exec"]>) => timed(metrics, () => client.exec(...args)),
  };
  if (client.transaction) {
    const transaction = client.transaction.bind(client);
    overrides.transaction = <R>(fn: (tx: PgliteLike) => Promise<R>) => transaction((tx) => fn(instrumentPglite(tx, metrics)));
  }
  return bindAll(client, overrides);
}

async function createPglite(dataDir: string, image?: Blob): Promise<PGlite> {
  // pg_trgm: the contacts' search index (migration search_trgm).
  const extensions = { pg_trgm };
  if (dataDir === "memory://") return PGlite.create(image ? { loadDataDir: image, extensions } : { extensions });
  try {
    return await PGlite.create(dataDir, { extensions });
  } catch (error) {
    // A corrupted folder, or one written by another PostgreSQL version.
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartError(
      `DATA_DIR=${dataDir} holds a database that cannot be opened (${reason}): restore the folder from a backup, or point DATA_DIR at a new folder`,
    );
  }
}

/**
 * Advisory locks are re-entrant for the session that holds them, and PGlite (and a pooled
 * connection) may be that session for two tasks of one process: the process keeps its own
 * set of held keys so that a second task is refused too.
 */
const heldHere = new WeakMap<object, Set<number>>();
function claimHere(owner: object, key: number): boolean {
  const held = heldHere.get(owner) ?? new Set<number>();
  heldHere.set(owner, held);
  if (held.has(key)) return false;
  held.add(key);
  return true;
}
const releaseHere = (owner: object, key: number) => heldHere.get(owner)?.delete(key);

/**
 * `image` (from `dumpPglite`) starts an in-memory database as a copy of another one: the
 * tests migrate once and load that copy in each file instead of migrating again.
 */
export async function openPglite(dataDir: string, image?: Blob): Promise<Database> {
  const client = await createPglite(dataDir, image);
  const plain = drizzlePglite({ client });
  return {
    kind: "pglite",
    handle: (metrics) => (metrics ? drizzlePglite({ client: instrumentPglite(client, metrics) }) : plain),
    async withAdvisoryLock(key, fn) {
      // One process owns a PGlite folder; the lock keeps the code path the same as PostgreSQL.
      await client.query("select pg_advisory_lock($1)", [key]);
      try {
        return await fn(plain);
      } finally {
        await client.query("select pg_advisory_unlock($1)", [key]);
      }
    },
    async tryAdvisoryLock(key, fn) {
      if (!claimHere(client, key)) return { ran: false };
      try {
        const { rows } = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1) as ok", [key]);
        if (!rows[0]?.ok) return { ran: false };
        try {
          return { ran: true, value: await fn(plain) };
        } finally {
          await client.query("select pg_advisory_unlock($1)", [key]);
        }
      } finally {
        releaseHere(client, key);
      }
    },
    async ping(metrics) {
      await (metrics ? instrumentPglite(client, metrics) : client).query("select 1");
    },
    dump: () => client.dumpDataDir("none"),
    close: () => client.close(),
  };
}

type Sql = postgres.Sql;

/**
 * Reads run as named prepared statements (postgres.js keeps one per text and connection):
 * one round trip instead of two and no planning again. Only reads whose text is one of a
 * bounded set qualify: the loaders' texts do not depend on how many ids they look up
 * (`= any($1::uuid[])`); writes and bulk statements, whose text grows with their rows, and
 * statements with many parameters stay unnamed so the per-connection cache stays small.
 */
export const MAX_PREPARED_PARAMS = 64;
export function preparable(query: string, params: readonly unknown[] | undefined): boolean {
  return (params?.length ?? 0) <= MAX_PREPARED_PARAMS && /^\s*(select|with)\b/i.test(query) && !/\bfor\s+(update|share|no key update|key share)\b/i.test(query);
}

type UnsafeOptions = { prepare?: boolean } & Record<string, unknown>;
function withPrepare(args: Parameters<Sql["unsafe"]>): Parameters<Sql["unsafe"]> {
  const [query, params, options] = args as [string, unknown[] | undefined, UnsafeOptions | undefined];
  if (options?.prepare || !preparable(query, params)) return args;
  return [query, params as never, { ...options, prepare: true }] as Parameters<Sql["unsafe"]>;
}

/** The client drizzle uses: reads prepared (above), and each statement counted into `metrics` if given. */
function wrapPostgres(client: Sql, metrics?: QueryMetrics): Sql {
  const wrapQuery = (query: postgres.PendingQuery<postgres.Row[]>) => {
    if (!metrics) return query;
    const startedAt = performance.now();
    const then = query.then.bind(query);
    let settled = false;
    const done = () => {
      if (!settled) metrics.record(startedAt);
      settled = true;
    };
    // postgres.js queries are lazy promises: count the statement when it settles.
    (query as { then: unknown }).then = (ok?: (v: unknown) => unknown, fail?: (e: unknown) => unknown) =>
      then(
        (v) => {
          done();
          return ok ? ok(v) : v;
        },
        (e) => {
          done();
          if (fail) return fail(e);
          throw e;
        },
      );
    return query;
  };
  const wrapSql = (sql: Sql): Sql =>
    bindAll(sql, {
      unsafe: (...args: Parameters<Sql["unsafe"]>) => wrapQuery(sql.unsafe(...withPrepare(args))),
      begin: (...args: unknown[]) => {
        const fn = args[args.length - 1] as (tx: Sql) => unknown;
        const rest = args.slice(0, -1) as [];
        return (sql.begin as (...a: unknown[]) => unknown)(...rest, (tx: Sql) => fn(wrapSql(tx)));
      },
      savepoint: (...args: unknown[]) => {
        const fn = args[args.length - 1] as (tx: Sql) => unknown;
        const rest = args.slice(0, -1) as [];
        const sp = (sql as unknown as { savepoint: (...a: unknown[]) => unknown }).savepoint;
        return sp(...rest, (tx: Sql) => fn(wrapSql(tx)));
      },
    });
  return wrapSql(client);
}

export interface PoolOptions {
  /**
   * PostgreSQL's `statement_timeout` on every connection of the pool that `handle()` draws from
   * (the API's requests); 0 or unset: none. Work under an advisory lock (migrations, seeding, the
   * retention job) runs on a pool of its own without it: those statements may rightly be long.
   */
  statementTimeoutMs?: number;
}

export async function openPostgres(url: string, max = 10, options: PoolOptions = {}): Promise<Database> {
  const timeout = options.statementTimeoutMs ?? 0;
  const client = postgres(url, {
    max,
    onnotice: () => undefined,
    connection: { application_name: "alpha-crm-api", ...(timeout > 0 ? { statement_timeout: timeout } : {}) },
  });
  const plain = drizzlePostgres({ client: wrapPostgres(client) });
  // postgres.js connects lazily: the jobs' pool opens a connection only when a job runs.
  const jobsClient = timeout > 0 ? postgres(url, { max: 2, onnotice: () => undefined, connection: { application_name: "alpha-crm-jobs" } }) : client;
  const jobs = jobsClient === client ? plain : drizzlePostgres({ client: wrapPostgres(jobsClient) });
  return {
    kind: "postgres",
    handle: (metrics) => (metrics ? drizzlePostgres({ client: wrapPostgres(client, metrics) }) : plain),
    async withAdvisoryLock(key, fn) {
      // Several API processes may start at once: the first migrates, the others wait. The
      // lock lives on its own connection so the pool stays free for the work it guards.
      const lock = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        await lock`select pg_advisory_lock(${key})`;
        return await fn(jobs);
      } finally {
        await lock.end({ timeout: 5 });
      }
    },
    async tryAdvisoryLock(key, fn) {
      if (!claimHere(client, key)) return { ran: false };
      // Held on its own connection for the whole run; closing the connection releases it,
      // so a crashed run never leaves the job locked.
      const lock = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        const [row] = await lock`select pg_try_advisory_lock(${key}) as ok`;
        if (!row?.ok) return { ran: false };
        return { ran: true, value: await fn(jobs) };
      } finally {
        releaseHere(client, key);
        await lock.end({ timeout: 5 });
      }
    },
    async ping(metrics) {
      await (metrics ? wrapPostgres(client, metrics) : client).unsafe("select 1");
    },
    async close() {
      await Promise.all([client.end({ timeout: 5 }), jobsClient === client ? undefined : jobsClient.end({ timeout: 5 })]);
    },
  };
}

/**
 * `pool` applies to PostgreSQL only: the API passes STATEMENT_TIMEOUT_MS, the CLIs nothing (no
 * timeout). PGlite gets none: it is one embedded connection that the jobs share, and it does
 * not cancel on `statement_timeout` anyway (single-user backend, no timer).
 */
export function openDatabase(opts: { databaseUrl?: string; dataDir: string }, pool: PoolOptions = {}): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, 10, pool) : openPglite(opts.dataDir);
}

/** Rows of a raw `db.execute()` result, whichever driver ran it. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
