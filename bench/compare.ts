// The side-by-side part of `npm run bench` (#12 item 1): scenario (b), the nested page of 50
// contacts with company, deals, interactions and totalCount, asked of five systems on the same
// PostgreSQL database, each its own child process:
//   api               this API (policies/ as written)
//   api-allow-all     this API with an allow-all ability (bench/api-server.mjs): what policy checks cost
//   postgraphile-rls  PostGraphile 5 (amber) as a role under row-level security policies
//   postgraphile      PostGraphile 5 (amber) as the superuser, the query naming the tenant
//   sql               node:http + postgres.js, one hand-written statement building the JSON
// Runs are interleaved (round-robin, several rounds); the report keeps the medians.
import { type ChildProcess, fork, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { percentile, queryCount } from "./load.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const peersDir = join(here, "peers");
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

export type SystemId = "api" | "api-allow-all" | "postgraphile-rls" | "postgraphile" | "sql";

export const SYSTEMS: Record<SystemId, { label: string; authorized: boolean }> = {
  api: { label: "this API", authorized: true },
  "api-allow-all": { label: "this API, allow-all ability (bench only)", authorized: false },
  "postgraphile-rls": { label: "PostGraphile 5 (amber) with row-level security", authorized: true },
  postgraphile: { label: "PostGraphile 5 (amber), no authorization", authorized: false },
  sql: { label: "hand-written SQL (one statement, json_agg)", authorized: true },
};

/** One system's answer, reduced to what every system must agree on. */
interface Canonical {
  totalCount: number;
  nodes: Array<{
    id: string;
    firstName: string;
    lastName: string;
    email: string | null;
    company: { id: string; name: string } | null;
    deals: Array<{ id: string; title: string; stage: string; amount: number | null }>;
    interactions: Array<{ id: string; kind: string; subject: string | null; occurredAt: number }>;
  }>;
}

const API_QUERY = `query($first: Int) { contacts(first: $first) { totalCount nodes {
  id firstName lastName email
  company { id name }
  deals { id title stage amount }
  interactions { id kind subject occurredAt } } } }`;

// The same page in PostGraphile's amber schema (relations named after the composite tenant keys,
// (workspace_id, x_id)): the same order (newest first, id to break
// ties; deals newest first, interactions by occurrence, 100 at most each, as the API's loaders).
const PGL_QUERY = `query($first: Int, $ws: UUID!) { allContacts(first: $first, orderBy: [CREATED_AT_DESC, ROW_ID_DESC], condition: { workspaceId: $ws }) {
  totalCount nodes {
  rowId firstName lastName email
  companyByWorkspaceIdAndCompanyId { rowId name }
  dealsByWorkspaceIdAndContactId(first: 100, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) { nodes { rowId title stage amount } }
  interactionsByWorkspaceIdAndContactId(first: 100, orderBy: [OCCURRED_AT_DESC, ROW_ID_DESC]) { nodes { rowId kind subject occurredAt } } } } }`;

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON of three different schemas
type Json = any;

function canonical(system: SystemId, data: Json): Canonical {
  const time = (v: string) => Date.parse(v);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  // The API's enums are GraphQL enum values (LEAD); the peers return the column's text (lead).
  const low = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
  if (system === "postgraphile" || system === "postgraphile-rls") {
    const c = data.allContacts;
    return {
      totalCount: c.totalCount,
      nodes: c.nodes.map((n: Json) => ({
        id: n.rowId,
        firstName: n.firstName,
        lastName: n.lastName,
        email: n.email,
        company: n.companyByWorkspaceIdAndCompanyId ? { id: n.companyByWorkspaceIdAndCompanyId.rowId, name: n.companyByWorkspaceIdAndCompanyId.name } : null,
        deals: n.dealsByWorkspaceIdAndContactId.nodes.map((d: Json) => ({ id: d.rowId, title: d.title, stage: low(d.stage), amount: num(d.amount) })),
        interactions: n.interactionsByWorkspaceIdAndContactId.nodes.map((i: Json) => ({
          id: i.rowId,
          kind: low(i.kind),
          subject: i.subject,
          occurredAt: time(i.occurredAt),
        })),
      })),
    };
  }
  const c = data.contacts;
  return {
    totalCount: c.totalCount,
    nodes: c.nodes.map((n: Json) => ({
      id: n.id,
      firstName: n.firstName,
      lastName: n.lastName,
      email: n.email,
      company: n.company ? { id: n.company.id, name: n.company.name } : null,
      deals: (n.deals ?? []).map((d: Json) => ({ id: d.id, title: d.title, stage: low(d.stage), amount: num(d.amount) })),
      interactions: (n.interactions ?? []).map((i: Json) => ({ id: i.id, kind: low(i.kind), subject: i.subject, occurredAt: time(i.occurredAt) })),
    })),
  };
}

/** The first difference between two answers, or undefined. */
function difference(a: unknown, b: unknown, path = ""): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = difference((a as Json)[k], (b as Json)[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

interface Stats {
  cpu: NodeJS.CpuUsage;
  rss: number;
  statements: number;
}

/** A server the bench started, with its IPC channel for stats. */
class Child {
  private next = 0;
  private readonly waiting = new Map<number, (s: Stats) => void>();
  constructor(
    readonly id: SystemId,
    readonly process: ChildProcess,
    readonly url: string,
  ) {
    process.on("message", (m: Json) => {
      if (m?.type === "stats") this.waiting.get(m.id)?.(m);
    });
  }
  stats(): Promise<Stats> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.id}: no stats within 10 s`)), 10_000);
      this.waiting.set(id, (s) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(s);
      });
      this.process.send({ type: "stats", id });
    });
  }
  stop(): void {
    if (this.process.connected) this.process.disconnect();
    setTimeout(() => this.process.kill("SIGKILL"), 5000).unref();
  }
}

function start(id: SystemId, script: string, args: string[], execArgv: string[], cwd: string): Promise<Child> {
  const child = fork(script, args, { cwd, execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"], env: { ...process.env, GRAPHILE_ENV: "production" } });
  let stderr = "";
  child.stderr?.on("data", (c) => {
    stderr = (stderr + String(c)).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not start within 120 s: ${stderr}`)), 120_000);
    child.on("message", (m: Json) => {
      if (m?.type !== "ready") return;
      clearTimeout(timer);
      resolve(new Child(id, child, m.url));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${id} exited (${code}) before it listened: ${stderr}`));
    });
  });
}

/** bench/peers/node_modules, installed from its lock file when missing (npm ci --prefix bench/peers). */
export function ensurePeers(): string | undefined {
  if (existsSync(join(peersDir, "node_modules", "postgraphile", "package.json"))) return undefined;
  log("installing the bench peers (npm ci --prefix bench/peers)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--prefix", peersDir, "--no-audit", "--no-fund"], { stdio: ["ignore", "inherit", "inherit"], timeout: 300_000 });
  if (r.status !== 0) return `npm ci --prefix bench/peers failed (${r.status ?? r.error?.message}); run it by hand to compare with PostGraphile`;
  return undefined;
}

/**
 * Row-level security expressing the rules the API applies to the owner under
 * service_provision, for a role of its own: the tenant from `alpha.workspace_id` (set per
 * request by PostGraphile's pgSettings), no restricted or erased person, and no deal or
 * interaction of a restricted person. Helpers live in schema alpha_bench_rls; the API and
 * the other peers connect as the superuser, which row-level security never applies to.
 */
async function installRls(sql: postgres.Sql, role: string): Promise<void> {
  await sql.unsafe(`
    create role ${role} nologin;
    create schema alpha_bench_rls;
    create function alpha_bench_rls.tenant() returns uuid language sql stable
      as $$ select nullif(current_setting('alpha.workspace_id', true), '')::uuid $$;
    -- Looks through the contacts policy (security definer): a deal's person may be hidden.
    -- By (workspace_id, id): the contacts' primary key since the tenant keys (#12 item 7).
    create function alpha_bench_rls.person_restricted(ws uuid, contact uuid) returns boolean language sql stable security definer set search_path = public
      as $$ select coalesce((select processing_restricted from contacts where workspace_id = ws and id = contact), false) $$;
    grant usage on schema public, alpha_bench_rls to ${role};
    grant execute on all functions in schema alpha_bench_rls to ${role};
    grant select on contacts, companies, deals, interactions to ${role};
    alter table contacts enable row level security;
    alter table companies enable row level security;
    alter table deals enable row level security;
    alter table interactions enable row level security;
    create policy bench_tenant_read on contacts for select to ${role}
      using (workspace_id = alpha_bench_rls.tenant() and not processing_restricted and erased_at is null);
    create policy bench_tenant_read on companies for select to ${role}
      using (workspace_id = alpha_bench_rls.tenant());
    create policy bench_tenant_read on deals for select to ${role}
      using (workspace_id = alpha_bench_rls.tenant() and (contact_id is null or not alpha_bench_rls.person_restricted(workspace_id, contact_id)));
    create policy bench_tenant_read on interactions for select to ${role}
      using (workspace_id = alpha_bench_rls.tenant() and not alpha_bench_rls.person_restricted(workspace_id, contact_id));
  `);
}

/** Roles of runs killed outright: dropped when their process is gone and they own nothing left. */
async function sweepRoles(sql: postgres.Sql): Promise<void> {
  const rows = await sql<{ rolname: string }[]>`select rolname from pg_roles where rolname ~ '^alpha_bench_rls_[0-9]+$'`;
  for (const { rolname } of rows) {
    const pid = Number(rolname.slice("alpha_bench_rls_".length));
    try {
      process.kill(pid, 0);
      continue;
    } catch {
      // gone
    }
    await sql.unsafe(`drop role if exists ${rolname}`).catch(() => undefined);
  }
}

/** CPU time (ms) of the PostgreSQL backends serving a database, from /proc (same host only). */
class PgCpu {
  private readonly tick = 1000 / Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim() || 100);
  constructor(
    private readonly sql: postgres.Sql,
    readonly available: boolean,
  ) {}
  static async open(sql: postgres.Sql): Promise<PgCpu> {
    const [me] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    return new PgCpu(sql, !!me && existsSync(`/proc/${me.pid}/stat`));
  }
  async sample(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (!this.available) return out;
    const rows = await this.sql<
      { pid: number }[]
    >`select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`;
    for (const { pid } of rows) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        out.set(pid, (Number(fields[11]) + Number(fields[12])) * this.tick);
      } catch {
        // the backend ended
      }
    }
    return out;
  }
  static delta(before: Map<number, number>, after: Map<number, number>): number {
    let ms = 0;
    for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
    return ms;
  }
}

export interface RunResult {
  system: SystemId;
  round: number;
  concurrency: number;
  requests: number;
  errors: number;
  firstError?: string;
  rps: number;
  p50: number;
  p99: number;
  nodeCpuMs: number;
  pgCpuMs: number;
  statements: number;
  rssMb: number;
}

export interface CompareOptions {
  /** Bench database (superuser). */
  url: string;
  workspaceId: string;
  /** The owner's bearer token for the API. */
  token: string;
  rounds: number;
  concurrency: number[];
  requests: number;
  seconds: number;
  warmup: number;
  /** Run a second API process and split the load over both (scale-out check). */
  twoProcesses: boolean;
  shouldStop: () => boolean;
}

export interface CompareReport {
  runs: RunResult[];
  systems: SystemId[];
  skipped: string[];
  /** Answers compared with the API's: "same" or the first difference. */
  answers: Record<string, string>;
  pgCpu: boolean;
  hiddenRows: number;
  twoProcesses?: { requests: number; errors: number; rps: number; firstError?: string; answers: string };
  /** Two API processes limited to `limit` requests a minute per caller, one caller alternating between them. */
  sharedLimit?: { limit: number; slack: number; sent: number; allowed: number; refused: number; other: number; answers: string; pass: boolean };
}

export async function compare(opts: CompareOptions): Promise<CompareReport> {
  const admin = postgres(opts.url, { max: 1, onnotice: () => undefined, connection: { application_name: "bench-compare" } });
  const role = `alpha_bench_rls_${process.pid}`;
  const children: Child[] = [];
  let limitedPair: Promise<Child[]> | undefined;
  const skipped: string[] = [];
  try {
    await sweepRoles(admin);
    await installRls(admin, role);
    const [hidden] = await admin<{ n: number }[]>`
      select count(*)::int as n from contacts where workspace_id = ${opts.workspaceId} and (processing_restricted or erased_at is not null)`;
    const hiddenRows = hidden?.n ?? 0;

    // Installed first: npm ci blocks this process, which must not miss the servers' start.
    const missing = ensurePeers();
    if (missing) skipped.push(missing);
    // The API runs its production build (dist/, built here first), as it is deployed.
    buildApi();
    const starting: Array<Promise<Child | undefined>> = [
      start("api", API_SERVER, [opts.url, "policies"], [], root),
      start("api-allow-all", API_SERVER, [opts.url, "allow-all"], [], root),
      start("sql", join(peersDir, "sql-server.mjs"), [opts.url], [], root),
    ];
    // The pair for the shared-limit check starts now too, and waits idle until the end.
    if (opts.twoProcesses) {
      limitedPair = startLimited(opts.url);
      limitedPair.catch(() => undefined);
    }
    if (!missing) {
      const polyfill = ["--import", "./polyfill.mjs"];
      starting.push(start("postgraphile-rls", join(peersDir, "postgraphile-server.mjs"), [opts.url, role], polyfill, peersDir));
      starting.push(start("postgraphile", join(peersDir, "postgraphile-server.mjs"), [opts.url], polyfill, peersDir));
    }
    for (const p of await Promise.allSettled(starting)) {
      if (p.status === "fulfilled" && p.value) children.push(p.value);
      else if (p.status === "rejected") {
        skipped.push(String(p.reason).slice(0, 300));
        log(`peer did not start: ${String(p.reason).slice(0, 300)}`);
      }
    }
    const order: SystemId[] = ["api", "api-allow-all", "postgraphile-rls", "postgraphile", "sql"];
    children.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    const systems = children.map((c) => c.id);
    log(`peers listening: ${systems.join(", ")}`);

    const send = async (child: Child, first: number) => {
      const isApi = child.id === "api" || child.id === "api-allow-all";
      const isPgl = child.id.startsWith("postgraphile");
      const headers: Record<string, string> = { "content-type": "application/json", "x-workspace-id": opts.workspaceId };
      if (isApi) headers.authorization = `Bearer ${opts.token}`;
      const body = isPgl ? { query: PGL_QUERY, variables: { first, ws: opts.workspaceId } } : { query: API_QUERY, variables: { first } };
      const started = performance.now();
      const res = await fetch(child.url, { method: "POST", headers, body: JSON.stringify(body) });
      const text = await res.text();
      const ms = performance.now() - started;
      return { status: res.status, ms, text, queries: queryCount(res.headers.get("server-timing")) };
    };

    // Same answers: each system's page against the API's (the reference), once before the runs.
    const answers: Record<string, string> = {};
    const reference = children.find((c) => c.id === "api");
    if (!reference) throw new Error("the API child did not start");
    const ref = canonical("api", JSON.parse((await send(reference, 50)).text).data);
    for (const child of children) {
      const got = JSON.parse((await send(child, 50)).text);
      if (got.errors?.length || !got.data) {
        answers[child.id] = `errors: ${JSON.stringify(got.errors).slice(0, 200)}`;
        continue;
      }
      const c = canonical(child.id, got.data);
      // Without authorization the restricted and erased people are counted too (never on page 1 here).
      const expected = { ...ref, totalCount: ref.totalCount + (SYSTEMS[child.id].authorized ? 0 : hiddenRows) };
      answers[child.id] = difference(c, expected) ?? "same";
    }
    log(
      `answers: ${Object.entries(answers)
        .map(([k, v]) => `${k} ${v}`)
        .join("; ")}`,
    );

    const pgCpu = await PgCpu.open(admin);
    const totalFor = (id: SystemId) => ref.totalCount + (SYSTEMS[id].authorized ? 0 : hiddenRows);
    const check = (child: Child, r: { status: number; text: string }): string | undefined => {
      if (r.status !== 200) return `HTTP ${r.status}: ${r.text.slice(0, 120)}`;
      const body = JSON.parse(r.text);
      if (body.errors?.length) return `errors: ${JSON.stringify(body.errors[0]).slice(0, 160)}`;
      const page = child.id.startsWith("postgraphile") ? body.data?.allContacts : body.data?.contacts;
      if (page?.nodes?.length !== 50) return `expected 50 nodes, got ${page?.nodes?.length}`;
      if (page.totalCount !== totalFor(child.id)) return `totalCount ${page.totalCount}, expected ${totalFor(child.id)}`;
      return undefined;
    };

    const load = async (targets: Child[], concurrency: number, maxRequests: number, maxMs: number) => {
      const latencies: number[] = [];
      let issued = 0;
      let errors = 0;
      let queries = 0;
      let firstError: string | undefined;
      const started = performance.now();
      const worker = async (w: number) => {
        while (issued < maxRequests && performance.now() - started < maxMs && !opts.shouldStop()) {
          const target = targets[(issued + w) % targets.length];
          issued += 1;
          try {
            const r = await send(target, 50);
            latencies.push(r.ms);
            if (Number.isFinite(r.queries)) queries += r.queries;
            const problem = check(target, r);
            if (problem) {
              errors += 1;
              firstError ??= `${target.id}: ${problem}`;
            }
          } catch (error) {
            errors += 1;
            firstError ??= `${target.id}: ${String(error)}`;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
      return { latencies, errors, firstError, queries, elapsedMs: performance.now() - started };
    };

    const runs: RunResult[] = [];
    for (let round = 0; round < opts.rounds && !opts.shouldStop(); round++) {
      for (const concurrency of opts.concurrency) {
        // Round-robin, starting one system further each round.
        const rotated = children.map((_, i) => children[(i + round) % children.length]);
        for (const child of rotated) {
          if (opts.shouldStop()) break;
          await load([child], concurrency, opts.warmup, 5000);
          const [s0, p0] = await Promise.all([child.stats(), pgCpu.sample()]);
          const r = await load([child], concurrency, opts.requests, opts.seconds * 1000);
          const [s1, p1] = await Promise.all([child.stats(), pgCpu.sample()]);
          const n = Math.max(1, r.latencies.length);
          const cpuMs = (s1.cpu.user - s0.cpu.user + s1.cpu.system - s0.cpu.system) / 1000;
          const statements = Number.isFinite(s1.statements) ? s1.statements - s0.statements : r.queries;
          const result: RunResult = {
            system: child.id,
            round,
            concurrency,
            requests: r.latencies.length,
            errors: r.errors,
            firstError: r.firstError,
            rps: r.latencies.length / (r.elapsedMs / 1000),
            p50: percentile(r.latencies, 50),
            p99: percentile(r.latencies, 99),
            nodeCpuMs: cpuMs / n,
            pgCpuMs: pgCpu.available ? PgCpu.delta(p0, p1) / n : Number.NaN,
            statements: statements / n,
            rssMb: s1.rss / 1024 / 1024,
          };
          runs.push(result);
          log(
            `round ${round + 1} c=${concurrency} ${child.id}: ${result.requests} req, ${result.rps.toFixed(1)} req/s, p50 ${result.p50.toFixed(1)} p99 ${result.p99.toFixed(1)} ms, node ${result.nodeCpuMs.toFixed(2)} ms/req, pg ${result.pgCpuMs.toFixed(2)} ms/req, ${result.statements.toFixed(2)} stmts, rss ${result.rssMb.toFixed(0)} MB, errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ""}`,
          );
        }
      }
    }

    let twoProcesses: CompareReport["twoProcesses"];
    if (opts.twoProcesses && !opts.shouldStop() && reference) {
      const second = await start("api", API_SERVER, [opts.url, "policies"], [], root).catch((e: unknown) => {
        skipped.push(`second API process: ${String(e).slice(0, 200)}`);
        return undefined;
      });
      if (second) {
        children.push(second);
        const a = canonical("api", JSON.parse((await send(second, 50)).text).data);
        const r = await load([reference, second], 8, opts.requests, opts.seconds * 1000);
        twoProcesses = {
          requests: r.latencies.length,
          errors: r.errors,
          firstError: r.firstError,
          rps: r.latencies.length / (r.elapsedMs / 1000),
          answers: difference(a, ref) ?? "same",
        };
        log(
          `two API processes: ${twoProcesses.requests} req, ${twoProcesses.rps.toFixed(1)} req/s, errors ${twoProcesses.errors}, answers ${twoProcesses.answers}`,
        );
      }
    }
    let sharedLimit: CompareReport["sharedLimit"];
    if (opts.twoProcesses && !opts.shouldStop()) {
      sharedLimit = await limitAcrossProcesses(limitedPair!).catch((e: unknown) => {
        skipped.push(`shared limit check: ${String(e).slice(0, 300)}`);
        return undefined;
      });
      if (sharedLimit) log(`shared limit: ${JSON.stringify(sharedLimit)}`);
    }
    return { runs, systems, skipped, answers, pgCpu: pgCpu.available, hiddenRows, twoProcesses, sharedLimit };
  } finally {
    for (const child of children) child.stop();
    for (const child of (await limitedPair?.catch(() => [])) ?? []) child.stop();
    await admin.end({ timeout: 5 });
  }
}

const LIMIT = 10;
const SENT = 16;
const PACE_MS = 1000;

/**
 * #12 item 7: two API processes limited to LIMIT requests a minute per caller, on the same
 * database (the limiter's PostgreSQL store, no REDIS_URL). One caller (sales@acme.test, whom
 * the runs above never used) asks both alternately, one request every PACE_MS: exactly LIMIT
 * answers (from half the limit on, each request is counted in the shared row at once), then
 * 429s; and both processes give the same page.
 */
export function startLimited(url: string): Promise<Child[]> {
  return Promise.all([
    start("api", API_SERVER, [url, "policies", String(LIMIT)], [], root),
    start("api", API_SERVER, [url, "policies", String(LIMIT)], [], root),
  ]);
}

/** The API child: the production build, no transpiler in the process (bench/api-server.mjs). */
const API_SERVER = join(here, "api-server.mjs");

/** `npm run build` (tsc into dist/), so the API children run what production runs, as of this tree. */
export function buildApi(): void {
  log("building the API (npm run build) for the side-by-side runs");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["run", "--silent", "build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"], timeout: 300_000 });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status ?? r.error?.message})`);
}

export async function limitAcrossProcesses(starting: Promise<Child[]>): Promise<CompareReport["sharedLimit"]> {
  const pair = await starting;
  try {
    const post = (child: Child, body: object, token?: string) =>
      fetch(child.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    // Fixed one-minute windows: start early in a window, before the first counted request (the
    // two pages below), so that every request of the count falls in the same window. Waiting
    // after the pages let a run near the minute's end count them in the window before: 12 of 16.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 60_000 - (SENT * PACE_MS + 10_000)) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 200));
    const login: Json = await (
      await post(pair[0], {
        query: `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`,
        variables: { e: "sales@acme.test", p: "alpha-demo" },
      })
    ).json();
    const token = login?.data?.login?.token;
    if (typeof token !== "string") throw new Error(`sign-in failed: ${JSON.stringify(login?.errors)}`);
    const pages = await Promise.all(
      pair.map(async (child) => ((await (await post(child, { query: API_QUERY, variables: { first: 50 } }, token)).json()) as Json).data),
    );
    const answers = pages[0] && pages[1] ? (difference(canonical("api", pages[0]), canonical("api", pages[1])) ?? "same") : "no page";
    let allowed = 2;
    let refused = 0;
    let other = 0;
    const sent = SENT;
    for (let i = 2; i < sent; i++) {
      // Paced, as a client would be: below half the limit, a process knows the other's counts
      // as of their last flush (once a second); from half on, each request counts at once.
      await new Promise((r) => setTimeout(r, PACE_MS));
      const res = await post(pair[i % 2], { query: "{ contacts(first: 1) { totalCount } }" }, token);
      const body: Json = await res.json().catch(() => undefined);
      if (res.status === 200 && !body?.errors) allowed += 1;
      else if (res.status === 429) refused += 1;
      else other += 1;
    }
    // From half its limit on, a process counts each request of the caller in the shared row at
    // once (src/http/rate-limit.ts): two processes serve exactly the limit.
    const slack = 0;
    return {
      limit: LIMIT,
      slack,
      sent,
      allowed,
      refused,
      other,
      answers,
      pass: allowed >= LIMIT && allowed <= LIMIT + slack && other === 0 && answers === "same",
    };
  } finally {
    for (const child of pair) child.stop();
  }
}

/** Drops the RLS role once its database is gone (it owns nothing elsewhere). */
export async function dropRlsRole(serverUrl: string): Promise<void> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`drop role if exists alpha_bench_rls_${process.pid}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const median = (values: number[]) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

export interface Summary {
  system: SystemId;
  concurrency: number;
  rounds: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  nodeCpuMs: number;
  pgCpuMs: number;
  statements: number;
  rssMb: number;
}

/** Medians over the rounds, per system and concurrency (RSS: the largest seen). */
export function summarize(report: CompareReport): Summary[] {
  const out: Summary[] = [];
  for (const system of report.systems) {
    for (const concurrency of [...new Set(report.runs.map((r) => r.concurrency))]) {
      const runs = report.runs.filter((r) => r.system === system && r.concurrency === concurrency);
      if (runs.length === 0) continue;
      out.push({
        system,
        concurrency,
        rounds: runs.length,
        requests: runs.reduce((n, r) => n + r.requests, 0),
        errors: runs.reduce((n, r) => n + r.errors, 0),
        rps: median(runs.map((r) => r.rps)),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        nodeCpuMs: median(runs.map((r) => r.nodeCpuMs)),
        pgCpuMs: median(runs.map((r) => r.pgCpuMs)),
        statements: median(runs.map((r) => r.statements)),
        rssMb: Math.max(...runs.map((r) => r.rssMb)),
      });
    }
  }
  return out;
}

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/m");

export function comparisonTable(summary: Summary[], answers: Record<string, string>): string {
  const lines = [
    "| system | conc | rounds | requests | errors | req/s (median) | p50 ms | p99 ms | Node CPU ms/req | PostgreSQL CPU ms/req | statements/req | RSS MB (max) | same answer |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const s of summary) {
    lines.push(
      `| ${SYSTEMS[s.system].label} | ${s.concurrency} | ${s.rounds} | ${s.requests} | ${s.errors} | ${f(s.rps)} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.nodeCpuMs, 2)} | ${f(s.pgCpuMs, 2)} | ${f(s.statements, 1)} | ${f(s.rssMb, 0)} | ${answers[s.system] ?? "-"} |`,
    );
  }
  return lines.join("\n");
}

export interface Ratio {
  target: string;
  actual: string;
  pass: boolean | undefined;
}

/** #12's targets that one run can check, as ratios at concurrency 8. */
export interface ScaleRatios {
  contacts: number;
  baseline: number;
  /** (b) in process at `contacts` against (b) at `baseline` contacts, one row per concurrency. */
  rows: Array<{ concurrency: number; p99Ms: number; baseP99Ms: number; ratio: number }>;
}

export function ratios(summary: Summary[], pageSizeQueries: { b: number[]; c: number[] }, scale?: ScaleRatios): Ratio[] {
  const at = (system: SystemId, concurrency = 8) => summary.find((s) => s.system === system && s.concurrency === concurrency);
  const api = at("api");
  const out: Ratio[] = [];
  const vs = (peer: SystemId, floor: number, target: string) => {
    const p = at(peer);
    if (!api || !p) return out.push({ target, actual: "not measured", pass: undefined });
    const r = api.rps / p.rps;
    out.push({ target, actual: `${(r * 100).toFixed(0)}% (${f(api.rps)} vs ${f(p.rps)} req/s)`, pass: r >= floor });
  };
  vs("postgraphile-rls", 1, "API >= PostGraphile with RLS (hard floor), req/s at concurrency 8");
  vs("postgraphile", 1, "API >= plain PostGraphile (aim), req/s at concurrency 8");
  vs("sql", 0.4, "API >= 40% of hand-written SQL, req/s at concurrency 8");
  const free = at("api-allow-all");
  if (api && free) {
    const cost = 1 - api.rps / free.rps;
    out.push({
      target: "policy checks cost <= 10% of throughput (API vs allow-all ability, concurrency 8)",
      actual: `${(cost * 100).toFixed(0)}% (${f(api.rps)} vs ${f(free.rps)} req/s; Node CPU ${f(api.nodeCpuMs, 2)} vs ${f(free.nodeCpuMs, 2)} ms/req)`,
      pass: cost <= 0.1,
    });
  } else out.push({ target: "policy checks cost <= 10% of throughput", actual: "not measured", pass: undefined });
  const same = pageSizeQueries.b.length === 1 && pageSizeQueries.c.length === 1 && pageSizeQueries.b[0] === pageSizeQueries.c[0];
  out.push({
    target: "statements per request constant in page size ((b) first: 50 vs (c) first: 200)",
    actual: `${pageSizeQueries.b.join("/") || "-"} vs ${pageSizeQueries.c.join("/") || "-"}`,
    pass: same,
  });
  if (scale?.rows.length) {
    out.push({
      target: `p99 of the nested page at ${scale.contacts} contacts within 2x of ${scale.baseline} (in process, same run, the database grown between)`,
      actual: scale.rows.map((r) => `c${r.concurrency}: ${f(r.p99Ms)} vs ${f(r.baseP99Ms)} ms (${r.ratio.toFixed(2)}x)`).join("; "),
      pass: scale.rows.every((r) => r.ratio <= 2),
    });
  } else {
    out.push({
      target: "p99 of the nested page at 1M contacts within 2x of 10k",
      actual: "not in this run: BENCH_SCALE=1000000 measures (b) at 10,000 contacts, grows the database to 1M and measures again (bench/results-1000000.md)",
      pass: undefined,
    });
  }
  const rss = Math.max(...summary.filter((s) => s.system === "api").map((s) => s.rssMb));
  out.push({ target: "RSS of the API process under load <= 300 MB", actual: `${f(rss, 0)} MB`, pass: Number.isFinite(rss) ? rss <= 300 : undefined });
  return out;
}

export function ratioTable(rows: Ratio[]): string {
  const lines = ["| target | actual | result |", "|---|---|---|"];
  for (const r of rows) lines.push(`| ${r.target} | ${r.actual} | ${r.pass === undefined ? "not measured" : r.pass ? "PASS" : `MISS`} |`);
  return lines.join("\n");
}
