import postgres from "postgres";

/** Where the bench runs: PGlite in memory, or a throw-away database on a PostgreSQL server. */
export interface BenchDatabase {
  kind: "pglite" | "postgres";
  /** DATABASE_URL to hand to loadConfig (undefined for PGlite). */
  url: string | undefined;
  /** Human-readable target, without credentials. */
  label: string;
  /** Drops the throw-away database (no-op on PGlite). Safe to call twice. */
  drop(): Promise<void>;
}

function withoutPassword(url: URL): string {
  const copy = new URL(url.toString());
  copy.password = "";
  return copy.toString();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A run killed outright (SIGKILL: tsx force-kills a child that is too busy to acknowledge
 * Ctrl-C within its 30 ms grace) cannot drop its database. The next run drops those whose
 * process is gone, without `force`: a database someone is still connected to stays.
 */
async function sweepLeftovers(admin: postgres.Sql): Promise<void> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname ~ '^alpha_bench_[0-9]+$'`;
  for (const { datname } of rows) {
    const pid = Number(datname.slice("alpha_bench_".length));
    if (pid === process.pid || alive(pid)) continue;
    try {
      await admin.unsafe(`drop database if exists ${datname}`);
      process.stderr.write(`[bench] dropped ${datname}, left over from an interrupted run\n`);
    } catch {
      // In use: not ours to drop.
    }
  }
}

/**
 * No DATABASE_URL: PGlite in memory. Otherwise creates `alpha_bench_<pid>` on the server the
 * URL points at (connecting to the URL's own database to do so); createApp migrates it.
 */
export async function prepareDatabase(serverUrl: string | undefined): Promise<BenchDatabase> {
  if (!serverUrl) {
    return { kind: "pglite", url: undefined, label: "PGlite (memory://)", drop: async () => undefined };
  }
  const name = `alpha_bench_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined, connection: { application_name: "alpha-crm-bench" } });
  try {
    await sweepLeftovers(admin);
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    // SSD storage, as every system compared here would be deployed on: PostgreSQL's default
    // random_page_cost (4) prices an index read as a spinning disk's, and then counts read the
    // whole heap rather than the partial index of visible people (README "Deployment notes").
    await admin.unsafe(`alter database ${name} set random_page_cost = 1.1`);
  } catch (error) {
    await admin.end({ timeout: 5 });
    throw error;
  }
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  let dropped = false;
  return {
    kind: "postgres",
    url: target.toString(),
    label: `PostgreSQL ${withoutPassword(target)}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}

/** Server version string, for the report. */
export async function serverVersion(url: string | undefined): Promise<string | undefined> {
  if (!url) return undefined;
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    return row?.server_version;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
