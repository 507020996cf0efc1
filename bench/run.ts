// `npm run bench`: the real app over real HTTP on 10,000 contacts. See bench/README.md.
//
//   npm run bench                       PGlite in memory
//   DATABASE_URL=postgres://... npm run bench   a throw-away alpha_bench_<pid> database there
//   npm run bench -- --strict           exit 1 when a target fails
//   options: --requests N (300) --seconds S (20) --budget S (170, the in-process scenarios) --warmup N (10) --concurrency 1,8 --only b,c
//   peers (PostgreSQL only, bench/compare.ts): --rounds N (3) --peer-seconds S (6) --peer-requests N (200) --no-peers

// ---------------------------------------------------------------------------------------
// Targets. Every run prints PASS/FAIL for each; only --strict turns a FAIL into exit code 1.
// ---------------------------------------------------------------------------------------
export const TARGETS = {
  /** p95 latency (ms) of scenario (b), contacts(first: 50) nested + totalCount, at concurrency 1. */
  nestedP95Ms: { pglite: 150, postgres: 150 },
  /** Server-Timing statement count of any one request, sign-in look-up included. */
  maxQueries: 6,
  /** The count must not grow with the page size: (b) first: 50 and (c) first: 200 equal, and
   *  every scenario constant across its requests (pages, concurrency, ids). */
  constantQueries: true,
  /** Process RSS growth (MB) from before the first scenario to after the last. */
  rssGrowthMb: 200,
  /** Failed requests (HTTP status, GraphQL errors, wrong page shape) over all scenarios. */
  maxErrors: 0,
} as const;

// Bounds of each scenario run (one scenario at one concurrency): `requests` or `seconds`,
// whichever comes first, and never more than an even share of what is left of `budgetSeconds`,
// the wall-clock budget of the whole bench (setup included), so that it stops by itself.
/** Advisory lock the bench's loading takes (any key the app does not use: "benc"). */
const BENCH_LOAD_LOCK = 0x62656e63;

/** Past this many contacts (BENCH_SCALE), (b) is measured here first, then the database grows. */
const BASELINE_CONTACTS = 10_000;
const DEFAULTS = { requests: 300, seconds: 20, budgetSeconds: 170, warmup: 10, concurrency: [1, 8], pages: 10 };
// The side-by-side comparison after the scenarios (PostgreSQL only): rounds of interleaved
// runs, each at most `requests` or `seconds` per system and concurrency, after `warmup`.
const PEERS = { rounds: 3, seconds: 5, requests: 200, warmup: 5 };
// Kept back from the budget for closing the app and dropping the database.
const TEARDOWN_RESERVE_MS = 5_000;
// However slow the setup, the runs get at least this much in total.
const MIN_MEASURE_MS = 30_000;

import "reflect-metadata";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { createApp, type App } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import type { Db } from "../src/db/client.js";
import { bulkLoad, BULK, type BulkResult } from "./data.js";
import { prepareDatabase, serverVersion, type BenchDatabase } from "./database.js";
import { client, percentile, runLoad, type Client, type Scenario } from "./load.js";
import { memory, round, scenarioTable, targetTable, type ScenarioResult, type TargetResult } from "./report.js";
import { scenarios } from "./scenarios.js";
import { compare, comparisonTable, dropRlsRole, ratios, ratioTable, summarize, type CompareReport } from "./compare.js";

const DEMO_PASSWORD = "alpha-demo";
const here = dirname(fileURLToPath(import.meta.url));
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      strict: { type: "boolean", default: false },
      requests: { type: "string" },
      seconds: { type: "string" },
      budget: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      only: { type: "string" },
      "no-peers": { type: "boolean", default: false },
      rounds: { type: "string" },
      "peer-seconds": { type: "string" },
      "peer-requests": { type: "string" },
    },
  });
  const num = (raw: string | undefined, fallback: number, name: string) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
    return n;
  };
  return {
    strict: values.strict ?? false,
    requests: num(values.requests, DEFAULTS.requests, "requests"),
    seconds: num(values.seconds, DEFAULTS.seconds, "seconds"),
    budgetSeconds: num(values.budget, DEFAULTS.budgetSeconds, "budget"),
    warmup: num(values.warmup, DEFAULTS.warmup, "warmup"),
    concurrency: values.concurrency ? values.concurrency.split(",").map((c) => num(c.trim(), 1, "concurrency")) : DEFAULTS.concurrency,
    only: values.only ? values.only.split(",").map((id) => id.trim()) : undefined,
    peers: !values["no-peers"],
    rounds: num(values.rounds, PEERS.rounds, "rounds"),
    peerSeconds: num(values["peer-seconds"], PEERS.seconds, "peer-seconds"),
    peerRequests: num(values["peer-requests"], PEERS.requests, "peer-requests"),
  };
}

async function login(c: Client, email: string): Promise<string> {
  const res = await c.send({
    query: `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`,
    variables: { e: email, p: DEMO_PASSWORD },
  });
  const token = res.data?.login?.token;
  if (typeof token !== "string") throw new Error(`login failed for ${email}: ${JSON.stringify(res.errors)}`);
  return token;
}

/** (b) at BENCH_SCALE against (b) at 10,000 contacts in the same run: the p99 ratio per concurrency. */
function scaleRatios(results: ScenarioResult[], baseline: ScenarioResult[]) {
  return baseline.flatMap((base) => {
    const at = results.find((r) => r.scenario === "b" && r.concurrency === base.concurrency);
    return at ? [{ concurrency: base.concurrency, p99Ms: at.p99Ms, baseP99Ms: base.p99Ms, ratio: at.p99Ms / base.p99Ms }] : [];
  });
}

function evaluate(kind: BenchDatabase["kind"], results: ScenarioResult[], rssGrowthMb: number, baseline: ScenarioResult[]): TargetResult[] {
  const find = (id: string, conc: number) => results.find((r) => r.scenario === id && r.concurrency === conc);
  const out: TargetResult[] = [];

  const b1 = find("b", 1);
  const limit = TARGETS.nestedP95Ms[kind];
  out.push({
    id: "nested-p95",
    description: `(b) nested first: 50, p95 at concurrency 1 < ${limit} ms`,
    actual: b1 ? `${b1.p95Ms.toFixed(1)} ms` : "not run",
    pass: !!b1 && b1.requests > 0 && b1.p95Ms < limit,
  });

  const maxSeen = Math.max(...results.flatMap((r) => r.queries.filter(Number.isFinite)));
  const missing = results.length === 0 || results.some((r) => r.queries.length === 0 || r.queries.some((q) => !Number.isFinite(q)));
  out.push({
    id: "max-queries",
    description: `Server-Timing query count <= ${TARGETS.maxQueries} in every scenario`,
    actual: missing ? "Server-Timing missing or not run" : `max ${maxSeen}`,
    pass: !missing && maxSeen <= TARGETS.maxQueries,
  });

  const varying = results.filter((r) => r.queries.length !== 1).map((r) => `(${r.scenario})@${r.concurrency}: ${r.queries.join("/")}`);
  out.push({
    id: "constant-queries",
    description: "query count constant within every scenario",
    actual: varying.length ? varying.join(", ") : "constant",
    pass: results.length > 0 && varying.length === 0,
  });

  const qb = new Set(results.filter((r) => r.scenario === "b").flatMap((r) => r.queries));
  const qc = new Set(results.filter((r) => r.scenario === "c").flatMap((r) => r.queries));
  const same = qb.size === 1 && qc.size === 1 && [...qb][0] === [...qc][0];
  out.push({
    id: "page-size-queries",
    description: "query count does not grow with page size ((b) first: 50 = (c) first: 200)",
    actual: `${[...qb].join("/") || "-"} vs ${[...qc].join("/") || "-"}`,
    pass: same,
  });

  out.push({
    id: "rss-growth",
    description: `RSS growth over the scenarios < ${TARGETS.rssGrowthMb} MB`,
    actual: `${rssGrowthMb.toFixed(1)} MB`,
    pass: rssGrowthMb < TARGETS.rssGrowthMb,
  });

  for (const r of scaleRatios(results, baseline)) {
    out.push({
      id: `scale-p99-c${r.concurrency}`,
      description: `(b) p99 at ${BULK.contacts} contacts within 2x of ${BASELINE_CONTACTS} (same run, same database grown), concurrency ${r.concurrency}`,
      actual: `${r.p99Ms.toFixed(1)} vs ${r.baseP99Ms.toFixed(1)} ms (${r.ratio.toFixed(2)}x)`,
      pass: r.ratio <= 2,
    });
  }

  const errors = [...baseline, ...results].reduce((n, r) => n + r.errors, 0);
  const firstError = [...baseline, ...results].find((r) => r.firstError);
  out.push({
    id: "errors",
    description: `failed requests <= ${TARGETS.maxErrors}`,
    actual: errors ? `${errors} (first: (${firstError?.scenario}) ${firstError?.firstError})` : "0",
    pass: errors <= TARGETS.maxErrors,
  });
  return out;
}

async function main(): Promise<number> {
  const opts = options();
  const benchStarted = performance.now();
  const loadStart = loadavg()[0];
  let stop = false;
  // Ctrl-C (or SIGTERM): finish the requests in flight, report what was measured, close the
  // app and drop the bench database. The same Ctrl-C can arrive twice (from the terminal and
  // relayed by tsx): only a signal more than 2 s after the first exits at once.
  let stoppedAt = 0;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stop && performance.now() - stoppedAt > 2000) process.exit(130);
      if (stop) return;
      log(`${signal}: stopping after the requests in flight (again to force)`);
      stop = true;
      stoppedAt = performance.now();
    });
  }

  const target = await prepareDatabase(process.env.DATABASE_URL || undefined);
  let app: App | undefined;
  try {
    log(`database: ${target.label}`);
    // Outside NODE_ENV=test Apollo stops itself on SIGINT/SIGTERM and re-raises the signal,
    // cutting the requests in flight and the bench's own clean-up short: leave signals to us.
    process.env.NODE_ENV = "test";
    const config = loadConfig({
      DATA_DIR: "memory://",
      DATABASE_URL: target.url ?? "",
      SEED_DEMO: "true",
      DEMO_PASSWORD,
      LOG_LEVEL: "silent",
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      // The bench measures the API, not the per-session limiter.
      RATE_LIMIT_PER_MINUTE: "1000000",
      // No background jobs: their statements would count as the CPU of whichever system is measured.
      RETENTION_INTERVAL_MINUTES: "0",
      OUTBOX_INTERVAL_SECONDS: "0",
    });
    let t = performance.now();
    app = await createApp(config);
    const address = await app.server.listen({ host: "127.0.0.1", port: 0 });
    const startMs = performance.now() - t;
    log(`app started (migrate + seed) in ${startMs.toFixed(0)} ms, listening on ${address}`);

    // Loading and VACUUM run on the jobs' pool, without the API's STATEMENT_TIMEOUT_MS (a
    // million contacts is one statement of a minute or more).
    const load = <T>(fn: (db: Db) => Promise<T>) => app!.database.withAdvisoryLock(BENCH_LOAD_LOCK, fn);
    const c = client(`${address}/graphql`);
    const tokens = { owner: await login(c, "owner@acme.test"), marketing: await login(c, "marketing@acme.test") };
    // The count the owner sees, checked against the bulk rows (past COUNT_CAP, 10,000 by
    // default, the count stops at the cap and says so: every scenario then expects the cap).
    const probeTotal = async (atLeast: number) => {
      const probe = await c.send({ query: `{ contacts(first: 1) { totalCount totalCountCapped } }` }, { token: tokens.owner });
      const total = probe.data?.contacts?.totalCount;
      const capped = probe.data?.contacts?.totalCountCapped === true;
      if (typeof total !== "number" || (!capped && total < atLeast)) {
        throw new Error(`probe: owner sees ${total} contacts, expected at least ${atLeast}: ${JSON.stringify(probe.errors)}`);
      }
      return total;
    };
    const scenarioIds = (bulkContacts: number, activeIds: string[], totalContacts: number) => ({
      contactIds: activeIds,
      totalContacts,
      pages: DEFAULTS.pages,
      bulkContacts,
      countCap: config.countCap,
    });

    // One scenario at one concurrency: a warm-up, then at most `requests` or `maxMs`.
    const measure = async (s: Scenario, conc: number, shareMs: number): Promise<ScenarioResult> => {
      const runStarted = performance.now();
      const shouldStop = () => stop;
      if (opts.warmup > 0) {
        await runLoad(c, s, { concurrency: conc, maxRequests: opts.warmup, maxMs: Math.min(3000, shareMs * 0.2), tokens, shouldStop });
      }
      const maxMs = Math.max(1000, Math.min(opts.seconds * 1000, shareMs - (performance.now() - runStarted)));
      const before = memory();
      const cpuBefore = process.cpuUsage();
      const stats = await runLoad(c, s, { concurrency: conc, maxRequests: opts.requests, maxMs, tokens, shouldStop });
      const cpu = process.cpuUsage(cpuBefore);
      const after = memory();
      const result: ScenarioResult = {
        scenario: s.id,
        title: s.title,
        concurrency: conc,
        requests: stats.requests,
        errors: stats.errors,
        firstError: stats.firstError,
        p50Ms: round(percentile(stats.latencies, 50), 2),
        p95Ms: round(percentile(stats.latencies, 95), 2),
        p99Ms: round(percentile(stats.latencies, 99), 2),
        maxMs: round(Math.max(...stats.latencies), 2),
        requestsPerSecond: round(stats.requests / (stats.elapsedMs / 1000), 2),
        // Process CPU (user + system) per request: server and load generator, one process.
        cpuMsPerRequest: round((cpu.user + cpu.system) / 1000 / Math.max(1, stats.requests), 2),
        elapsedS: round(stats.elapsedMs / 1000, 2),
        stoppedBy: stats.stoppedBy,
        queries: [...stats.queryCounts.keys()].sort((a, b) => a - b),
        memoryBefore: before,
        memoryAfter: after,
      };
      log(
        `(${s.id}) c=${conc}: ${result.requests} req in ${result.elapsedS}s (${result.stoppedBy}), p50 ${result.p50Ms} p95 ${result.p95Ms} ms, ${result.requestsPerSecond} req/s, cpu ${result.cpuMsPerRequest} ms/req, queries ${result.queries.join("/")}, errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ""}`,
      );
      return result;
    };

    // Past 10,000 contacts, one run also measures (b) at 10,000 first, then grows the same
    // database to BENCH_SCALE: "p99 at 1M within 2x of 10k" is then a ratio of one run.
    const now = new Date().toISOString();
    const baseline: ScenarioResult[] = [];
    let bulk: BulkResult;
    let bulkMs = 0;
    if (BULK.contacts > BASELINE_CONTACTS && (!opts.only || opts.only.includes("b"))) {
      t = performance.now();
      const small = await load((db) => bulkLoad(db, { ...BULK, contacts: BASELINE_CONTACTS, now }));
      await load((db) => db.execute(sql`vacuum analyze`));
      bulkMs += performance.now() - t;
      log(`bulk load: ${small.contacts} contacts first, to measure (b) there before growing to ${BULK.contacts}`);
      const b = scenarios(scenarioIds(small.contacts, small.activeIds, await probeTotal(small.contacts))).find((x) => x.id === "b")!;
      for (const conc of opts.concurrency)
        if (!stop) baseline.push(await measure({ ...b, title: `${b.title}, at ${small.contacts} contacts` }, conc, opts.seconds * 1000));
      t = performance.now();
      const grown = await load((db) => bulkLoad(db, { ...BULK, from: BASELINE_CONTACTS, now }));
      await load((db) => db.execute(sql`vacuum analyze`));
      bulkMs += performance.now() - t;
      bulk = {
        ...small,
        contacts: small.contacts + grown.contacts,
        companies: small.companies + grown.companies,
        consents: small.consents + grown.consents,
        ms: small.ms + grown.ms,
      };
    } else {
      t = performance.now();
      bulk = await load((db) => bulkLoad(db, { ...BULK, now }));
      // Fresh planner statistics and visibility map, as autovacuum leaves a database that has
      // lived with these rows (index-only scans can then serve counts).
      await load((db) => db.execute(sql`vacuum analyze`));
      bulkMs = performance.now() - t;
    }
    log(
      `bulk load: ${bulk.contacts} contacts, ${bulk.companies} companies, ${bulk.deals} deals, ${bulk.interactions} interactions, ${bulk.consents} consents in ${bulkMs.toFixed(0)} ms`,
    );
    const totalContacts = await probeTotal(bulk.contacts);

    const list = scenarios(scenarioIds(bulk.contacts, bulk.activeIds, totalContacts)).filter((s) => !opts.only || opts.only.includes(s.id));
    const runs = list.flatMap((s) => opts.concurrency.map((conc) => ({ s, conc })));
    const results: ScenarioResult[] = [];
    const measureStarted = performance.now();
    const measureBudgetMs = Math.max(MIN_MEASURE_MS, opts.budgetSeconds * 1000 - (measureStarted - benchStarted) - TEARDOWN_RESERVE_MS);
    const memoryStart = memory();
    for (const [i, { s, conc }] of runs.entries()) {
      if (stop) break;
      // An even share of what is left of the budget, warm-up included.
      const shareMs = Math.max(1000, (measureBudgetMs - (performance.now() - measureStarted)) / (runs.length - i));
      results.push(await measure(s, conc, shareMs));
    }
    const memoryEnd = memory();

    // The peers on the same database and query (PostgreSQL only): bench/compare.ts.
    let comparison: CompareReport | undefined;
    let compareNote = "";
    if (target.kind !== "postgres") compareNote = "The comparison with PostGraphile and hand-written SQL needs PostgreSQL (DATABASE_URL).";
    else if (!opts.peers) compareNote = "The comparison with the peers was skipped (--no-peers).";
    else if (!stop) {
      t = performance.now();
      try {
        comparison = await compare({
          url: target.url!,
          workspaceId: bulk.workspaceId,
          token: tokens.owner,
          rounds: opts.rounds,
          concurrency: opts.concurrency,
          requests: opts.peerRequests,
          seconds: opts.peerSeconds,
          warmup: PEERS.warmup,
          twoProcesses: true,
          shouldStop: () => stop,
        });
      } catch (error) {
        compareNote = `The side by side comparison failed: ${String(error).slice(0, 400)}`;
        log(compareNote);
      }
      log(`comparison done in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    const rssGrowthMb = memoryEnd.rssMb - memoryStart.rssMb;
    const targets = evaluate(target.kind, results, rssGrowthMb, baseline);
    const pass = targets.every((x) => x.pass);

    const meta = {
      database: target.label,
      kind: target.kind,
      serverVersion: await serverVersion(target.url),
      node: process.version,
      cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`,
      totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
      startedAt: new Date(Date.now() - (performance.now() - benchStarted)).toISOString(),
      appStartMs: round(startMs, 0),
      bulkLoadMs: round(bulkMs, 0),
      bulk: {
        ...BULK,
        inserted: { contacts: bulk.contacts, companies: bulk.companies, deals: bulk.deals, interactions: bulk.interactions, consents: bulk.consents },
      },
      totalContactsVisibleToOwner: totalContacts,
      bounds: { requests: opts.requests, seconds: opts.seconds, budgetSeconds: opts.budgetSeconds, warmup: opts.warmup, concurrency: opts.concurrency },
      interrupted: stop,
    };
    const memorySummary = { start: memoryStart, end: memoryEnd, rssGrowthMb: round(rssGrowthMb, 1) };
    const totalS = (performance.now() - benchStarted) / 1000;

    const md = [
      `## Alpha CRM API bench: ${target.label}${meta.serverVersion ? ` ${meta.serverVersion}` : ""}`,
      "",
      `Node ${meta.node}, ${meta.cpus}. ${bulk.contacts} bulk contacts (+ demo seed; owner sees ${totalContacts}), ${bulk.deals} deals, ${bulk.interactions} interactions; app start ${meta.appStartMs} ms, bulk load ${meta.bulkLoadMs} ms. Each run: warm-up ${opts.warmup} requests, then at most ${opts.requests} requests or ${opts.seconds} s (whole bench budget ${opts.budgetSeconds} s: ${(measureBudgetMs / 1000).toFixed(0)} s left for the runs). Latency is client-side over HTTP on 127.0.0.1 (same process).`,
      "",
      baseline.length
        ? `${scenarioTable(baseline)}\n\nThe same database grown to ${bulk.contacts} contacts (the rows above were measured before it grew):\n\n${scenarioTable(results)}`
        : scenarioTable(results),
      "",
      `Memory: RSS ${memoryStart.rssMb.toFixed(0)} → ${memoryEnd.rssMb.toFixed(0)} MB (${rssGrowthMb >= 0 ? "+" : ""}${rssGrowthMb.toFixed(1)} MB), heap ${memoryStart.heapUsedMb.toFixed(0)} → ${memoryEnd.heapUsedMb.toFixed(0)} MB.`,
      "",
      "### Targets",
      "",
      targetTable(targets),
      "",
      `Overall: ${pass ? "PASS" : "FAIL"} (${totalS.toFixed(0)} s total${stop ? ", interrupted" : ""})`,
    ].join("\n");
    const summary = comparison ? summarize(comparison) : [];
    const pageSizeQueries = {
      b: [...new Set(results.filter((r) => r.scenario === "b").flatMap((r) => r.queries))],
      c: [...new Set(results.filter((r) => r.scenario === "c").flatMap((r) => r.queries))],
    };
    const peersMd = comparison
      ? [
          `## Side by side: scenario (b) on the same database (${bulk.contacts} bulk contacts)`,
          "",
          `Each system is a child process of the bench on the same PostgreSQL database; ${opts.rounds} round${opts.rounds === 1 ? "" : "s"}, round-robin across the systems (each round starts one system further), each run a warm-up of ${PEERS.warmup} requests then at most ${opts.peerRequests} requests or ${opts.peerSeconds} s; medians over the rounds. Node CPU: \`process.cpuUsage()\` of the server process; PostgreSQL CPU: ${comparison.pgCpu ? "utime + stime of the database's backends from /proc/<pid>/stat" : "not measured (the server is not on this host)"}; statements: Server-Timing for the API, counted where the driver sends them for the peers (PostGraphile with RLS sends begin, \`set_config\`, the query and commit for each of its 2 queries). Every answer is checked (50 nodes, totalCount); the first page of each system is compared in full with the API's (${comparison.hiddenRows} restricted or erased contacts are counted without authorization).`,
          "",
          comparisonTable(summary, comparison.answers),
          "",
          comparison.twoProcesses
            ? `Two API processes at once on the same database (requests alternated, concurrency 8): ${comparison.twoProcesses.requests} requests, ${comparison.twoProcesses.rps.toFixed(1)} req/s, ${comparison.twoProcesses.errors} errors${comparison.twoProcesses.firstError ? ` (first: ${comparison.twoProcesses.firstError})` : ""}; the second process's page: ${comparison.twoProcesses.answers}.`
            : "",
          "",
          comparison.sharedLimit
            ? `Limits across processes: two more API processes limited to ${comparison.sharedLimit.limit} requests a minute per caller, one caller alternating between them, a request a second: ${comparison.sharedLimit.allowed} of ${comparison.sharedLimit.sent} answered (limit ${comparison.sharedLimit.limit}${comparison.sharedLimit.slack ? `, + at most ${comparison.sharedLimit.slack}` : ", exactly"}: the PostgreSQL store flushes each process's counts once a second, and from half a caller's limit on counts each of its requests in the shared row at once, so two processes never serve more than the limit), ${comparison.sharedLimit.refused} refused with 429${comparison.sharedLimit.other ? `, ${comparison.sharedLimit.other} other` : ""}; the two processes' pages: ${comparison.sharedLimit.answers} (${comparison.sharedLimit.pass ? "holds" : "DOES NOT HOLD"}).`
            : "",
          comparison.skipped.length ? `Not compared: ${comparison.skipped.join("; ")}.` : "",
          "",
          "### Ratios against #12's targets",
          "",
          ratioTable(ratios(summary, pageSizeQueries, { contacts: bulk.contacts, baseline: BASELINE_CONTACTS, rows: scaleRatios(results, baseline) })),
        ].join("\n")
      : compareNote;
    process.stdout.write(`${md}\n\n${peersMd}\n`);

    const json = {
      meta,
      targetsDeclared: TARGETS,
      scenarios: results,
      baseline,
      memory: memorySummary,
      targets,
      pass,
      comparison: comparison ? { ...comparison, summary } : undefined,
      totalSeconds: round(totalS, 1),
    };
    const dir = join(here, "results");
    mkdirSync(dir, { recursive: true });
    // An interrupted run keeps its partial numbers apart from the last complete ones.
    const files = stop ? ["interrupted.json"] : ["latest.json", `latest-${target.kind}.json`];
    for (const file of files) writeFileSync(join(dir, file), `${JSON.stringify(json, null, 2)}\n`);
    log(`wrote ${files.map((f) => `bench/results/${f}`).join(" and ")}`);
    // The committed report: a complete PostgreSQL run with the peers (bench/results.md at the
    // default scale, bench/results-<contacts>.md at another BENCH_SCALE).
    if (comparison && !stop) {
      const file = bulk.contacts === 10_000 ? "results.md" : `results-${bulk.contacts}.md`;
      const header = [
        "# Bench results",
        "",
        `Written by \`npm run bench\` (${meta.startedAt}, ${totalS.toFixed(0)} s). See README.md beside this file for what is measured and how.`,
        "",
        `Machine: ${meta.cpus}, Node ${meta.node}, PostgreSQL ${meta.serverVersion ?? "?"}. Load average (1 min) ${loadStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end: above ${cpus().length}, other processes were using the cores too and every figure is slower than on an idle machine; the ratios are the comparison (the systems were interleaved, so they shared the load alike).`,
        "",
      ].join("\n");
      writeFileSync(join(here, file), `${header}\n${peersMd}\n\n${md.replace(/^## /, "## In-process scenarios: ")}\n`);
      log(`wrote bench/${file}`);
    }
    return opts.strict && !pass ? 1 : 0;
  } finally {
    log("closing the app");
    await app?.close().catch((error: unknown) => log(`close: ${String(error)}`));
    if (target.kind === "postgres") log("dropping the bench database");
    await target.drop().catch((error: unknown) => log(`drop database: ${String(error)}`));
    if (target.kind === "postgres" && process.env.DATABASE_URL)
      await dropRlsRole(process.env.DATABASE_URL).catch((error: unknown) => log(`drop role: ${String(error)}`));
    log("done");
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
