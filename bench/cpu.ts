// Node CPU per request, in process, without HTTP client cost in the figure as far as possible:
// createApp on a throw-away PostgreSQL database (demo seed + bulkLoad), then N requests per
// scenario through app.server.inject at a given concurrency; CPU is process.cpuUsage() over the run.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/cpu.ts [n=200] [conc=8] [scenarios=me,a,b,e]
// PROFILE=<path prefix>: a .cpuprofile of each measured run (not the setup), <prefix>-<id>.cpuprofile;
// bench/profile-summary.mjs summarizes one.
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { sql } from "drizzle-orm";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { bulkLoad } from "./data.js";
import { prepareDatabase } from "./database.js";

const [nArg, concArg, only] = process.argv.slice(2);
const N = Number(nArg ?? 200);
const CONC = Number(concArg ?? 8);
const ids = (only ?? "me,a,b,e").split(",");
const PASSWORD = "bench-password-123!";
const NESTED = `id firstName lastName email company { id name } deals { id title stage amount } interactions { id kind subject occurredAt }`;

const target = await prepareDatabase(process.env.DATABASE_URL);
process.env.NODE_ENV = "test";
const app = await createApp(
  loadConfig({
    DATA_DIR: "memory://",
    DATABASE_URL: target.url ?? "",
    SEED_DEMO: "true",
    DEMO_PASSWORD: PASSWORD,
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    RATE_LIMIT_PER_MINUTE: "1000000",
    RATE_LIMIT_WORKSPACE_PER_MINUTE: "10000000",
    RETENTION_INTERVAL_MINUTES: "0",
    OUTBOX_INTERVAL_SECONDS: "0",
    COUNT_CAP: "100000000",
  }),
);
try {
  const db = app.database.handle();
  const bulk = await bulkLoad(db);
  await db.execute(sql`vacuum analyze`);
  const post = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const res = await app.server.inject({
      method: "POST",
      url: "/graphql",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: JSON.stringify({ query, variables }),
    });
    const body = res.json();
    if (res.statusCode !== 200 || body.errors) throw new Error(`${res.statusCode} ${JSON.stringify(body.errors ?? body).slice(0, 400)}`);
    return body.data;
  };
  const login = await post(`mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: "owner@acme.test", p: PASSWORD });
  const token: string = login.login.token;
  let k = 0;
  const scen: Record<string, () => [string, Record<string, unknown>]> = {
    me: () => [`{ me { id } }`, {}],
    a: () => [`query($first: Int) { contacts(first: $first) { nodes { id firstName lastName email phone position createdAt } } }`, { first: 50 }],
    b: () => [`query($first: Int) { contacts(first: $first) { totalCount nodes { ${NESTED} } } }`, { first: 50 }],
    // (b) through the resolvers (a directive keeps the compiled page out: src/graphql/compiled-page.ts).
    br: () => [`query($first: Int) { contacts(first: $first) @include(if: true) { totalCount nodes { ${NESTED} } } }`, { first: 50 }],
    e: () => [`query($id: ID!) { contact(id: $id) { ${NESTED} phone position } }`, { id: bulk.activeIds[k++ % bulk.activeIds.length] }],
  };
  const run = async (id: string, n: number) => {
    let left = n;
    const worker = async () => {
      while (left-- > 0) {
        const [q, v] = scen[id]!();
        await post(q, v, token);
      }
    };
    await Promise.all(Array.from({ length: CONC }, worker));
  };
  for (const id of ids) {
    await run(id, 30); // warm-up
    const session = process.env.PROFILE ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run(id, N);
    const cpu = process.cpuUsage(cpu0);
    const ms = performance.now() - t0;
    const rss = process.memoryUsage().rss / 2 ** 20;
    // With --expose-gc: the heap left after a full collection (what the run kept alive).
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const kept = gc ? `, heap after gc ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB` : "";
    if (session) {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(`${process.env.PROFILE}-${id}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    }
    process.stdout.write(
      `${id}: ${N} req conc ${CONC}: ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms CPU/req (user ${(cpu.user / 1000 / N).toFixed(2)}), ${(N / (ms / 1000)).toFixed(1)} req/s, rss ${rss.toFixed(0)} MB${kept}\n`,
    );
  }
} finally {
  await app.close();
  await target.drop();
}
