import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCK_FILE } from "../../src/db/data-dir.js";

// `npm start` as an operator runs it: its own process group, so the test can tell whether the
// whole tree is gone. One data folder for the file: the first PGlite start is the slow part.
const ROOT = resolve(".");
let tmp: string;
let dataDir: string;

interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function npmStart(env: Record<string, string>): Run {
  // PGlite unless a test names its own PostgreSQL database.
  const { DATABASE_URL: _, ...inherited } = process.env;
  const child = spawn("npm", ["start"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...inherited, PORT: "0", SEED_DEMO: "true", LOG_LEVEL: "info", ...env },
  });
  const run: Run = { child, stdout: [], stderr: [], exit: new Promise((ok) => child.once("exit", (code) => ok(code))) };
  const collect = (into: string[]) => (chunk: Buffer) => into.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", collect(run.stdout));
  child.stderr!.on("data", collect(run.stderr));
  return run;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function listeningPort(run: Run): Promise<number> {
  return until("listening", () => {
    const line = run.stdout.find((l) => l.includes("listening on http://"));
    return line ? Number(/:(\d+)\/graphql/.exec(line)![1]) : undefined;
  });
}

/** True while any process of the group started by `npm start` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const errorLines = (run: Run) => run.stderr.filter((l) => !/^npm (warn|notice)/.test(l));

const login = (port: number) =>
  fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `mutation { login(email: "owner@acme.test", password: "alpha-demo") { token } }` }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as { data?: { login?: { token: string } } } }));

/** Sends the headers and half a body, then waits: a request in flight for as long as we like. */
async function stalledRequest(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await new Promise((ok) => socket.once("connect", ok));
  socket.on("error", () => undefined);
  socket.write("POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
  return socket;
}

/** Signs in 4 times, sends SIGTERM to npm once the server has every request, expects 4 answers. */
async function expectDrained(run: Run, port: number): Promise<void> {
  const seen = run.stdout.filter((l) => l.includes("incoming request")).length;
  const inFlight = Array.from({ length: 4 }, () => login(port));
  await until("the requests to arrive", () => run.stdout.filter((l) => l.includes("incoming request")).length >= seen + 4);
  process.kill(run.child.pid!, "SIGTERM");
  const answers = await Promise.all(inFlight);
  for (const answer of answers) {
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.data?.login?.token).toMatch(/^acrs_/);
  }
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "alpha-lifecycle-"));
  dataDir = join(tmp, "data"); // does not exist yet: the start creates it
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("npm start: one process tree, one owner per data folder, a shutdown that drains", () => {
  it("refuses a second process on the same DATA_DIR, answers in-flight requests on SIGTERM, and leaves no process behind", async () => {
    const first = npmStart({ DATA_DIR: dataDir });
    try {
      const port = await listeningPort(first);
      for (const step of ["opening the database", "migrating the database", "seeded the demo data"]) {
        expect(
          first.stdout.some((l) => l.includes(step)),
          step,
        ).toBe(true);
      }

      // The folder and what is in it are private to the owner; the lock names the process.
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, "PG_VERSION")).mode & 0o077).toBe(0);
      const holder = Number(readFileSync(join(dataDir, LOCK_FILE), "utf8"));

      const second = npmStart({ DATA_DIR: dataDir });
      expect(await second.exit).not.toBe(0);
      expect(errorLines(second)).toEqual([
        `start error: DATA_DIR=${dataDir} is in use by process ${holder}: stop that process, or give this one another DATA_DIR`,
      ]);

      // A client's bad request is logged by its code, never with a stack trace.
      const bad = await Promise.all([
        fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }),
        fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST", headers: { "content-type": "text/csv" }, body: "a,b" }),
      ]);
      expect(bad.map((r) => r.status)).toEqual([400, 415]);
      // Issue 7: no stack trace and no error object, only the access line with its status.
      const clientErrorLines = await until("the bad requests to be logged", () => {
        const lines = first.stdout.filter((l) => /"statusCode":(400|415)\b/.test(l));
        return lines.length >= 2 ? lines : undefined;
      });
      for (const line of clientErrorLines) {
        expect(line).not.toContain("stack");
        expect(JSON.parse(line)).not.toHaveProperty("err");
      }

      // Requests the server has received when the signal comes are all answered.
      await expectDrained(first, port);
      expect(await first.exit).toBe(0);
      await until("the process group to end", () => !groupAlive(first.child.pid!), 10_000);
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    } finally {
      if (groupAlive(first.child.pid!)) process.kill(-first.child.pid!, "SIGKILL");
    }
  }, 150_000);

  it("takes over a stale lock, and a second signal exits at once", async () => {
    writeFileSync(join(dataDir, LOCK_FILE), "999999\n"); // no such process
    const run = npmStart({ DATA_DIR: dataDir, SEED_DEMO: "false" });
    try {
      const port = await listeningPort(run);
      expect(run.stdout.some((l) => l.includes("seeded"))).toBe(false);
      // A request whose body never finishes keeps the shutdown waiting; a second signal ends it.
      const stalled = await stalledRequest(port);
      await until("the request to arrive", () => run.stdout.some((l) => l.includes("incoming request")));
      process.kill(run.child.pid!, "SIGTERM");
      await until("the shutdown to begin", () => run.stdout.some((l) => l.includes("finishing in-flight requests")));
      process.kill(run.child.pid!, "SIGTERM");
      expect(await run.exit).toBe(1);
      expect(run.stdout.some((l) => l.includes("SIGTERM again: exiting at once"))).toBe(true);
      stalled.destroy();
      await until("the process group to end", () => !groupAlive(run.child.pid!), 10_000);
    } finally {
      if (groupAlive(run.child.pid!)) process.kill(-run.child.pid!, "SIGKILL");
    }
  }, 90_000);
});

// Concurrent: each is a separate process that stops early (the corrupted folder loads PGlite).
describe.concurrent("npm start refuses a bad place to run with one line naming the setting", () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, "127.0.0.1", ok));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((ok) => busy.close(() => ok())));

  async function refused(env: Record<string, string>): Promise<string> {
    const run = npmStart({ DATA_DIR: join(tmp, `fresh-${Math.random().toString(36).slice(2)}`), ...env });
    expect(await run.exit).toBe(1);
    const lines = errorLines(run);
    expect(lines, run.stderr.join("\n")).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
    return lines[0];
  }

  it("a port in use, before any migration", async () => {
    const line = await refused({ PORT: String(busyPort) });
    expect(line).toBe(`start error: PORT=${busyPort} is already in use on 127.0.0.1: stop the other server or set PORT to a free port`);
  });

  it("a DATA_DIR that cannot be created", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "x");
    expect(await refused({ DATA_DIR: join(file, "data") })).toMatch(/^start error: DATA_DIR=.*a-file\/data cannot be created \(ENOTDIR\)/);
  });

  it("a non-empty folder that is not a database", async () => {
    const dir = join(tmp, "documents");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "not a database");
    expect(await refused({ DATA_DIR: dir })).toMatch(/^start error: DATA_DIR=.*documents is not empty and holds no database: /);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("not a database");
  });

  it("a corrupted data folder", { timeout: 90_000 }, async () => {
    const dir = join(tmp, "corrupted");
    mkdirSync(dir);
    writeFileSync(join(dir, "PG_VERSION"), "16\n");
    expect(await refused({ DATA_DIR: dir })).toMatch(
      /^start error: DATA_DIR=.*corrupted holds a database that cannot be opened .*: restore the folder from a backup/,
    );
  });
});

describe.skipIf(!process.env.DATABASE_URL)("npm start on PostgreSQL", () => {
  it("answers in-flight requests on SIGTERM before closing the pool", async () => {
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
    const name = `alpha_lifecycle_${process.pid}`;
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const run = npmStart({ DATABASE_URL: url.toString() });
    try {
      const port = await listeningPort(run);
      await expectDrained(run, port);
      expect(await run.exit).toBe(0);
      await until("the process group to end", () => !groupAlive(run.child.pid!), 10_000);
    } finally {
      if (groupAlive(run.child.pid!)) process.kill(-run.child.pid!, "SIGKILL");
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 90_000);
});
