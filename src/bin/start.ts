// `npm start`: one node process (`node --import tsx`), so the signals that Docker, systemd and
// PM2 send reach this code. Settings are checked before the application is even loaded.
import { createServer } from "node:net";
import { hostname } from "node:os";
import type { App } from "../app.js";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { makePrivate, takeDataDir, type DataDirLock } from "../db/data-dir.js";
import { StartError } from "../start-error.js";

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

type Log = (message: string, level?: "info" | "error") => void;

/** Start-up lines in the same JSON shape as the server's own (pino) log, before it exists. */
function logger(config: Config): Log {
  return (message: string, level: "info" | "error" = "info") => {
    if (LEVELS[level] < LEVELS[config.logLevel]) return;
    process.stdout.write(`${JSON.stringify({ level: LEVELS[level], time: Date.now(), pid: process.pid, hostname: hostname(), msg: message })}\n`);
  };
}

/** Binds PORT once before the (slow) migrations, so a taken port fails in a second, not in a minute. */
function checkPort(config: Config): Promise<void> {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => fail(listenError(config, error)));
    probe.listen({ port: config.port, host: config.host, exclusive: true }, () => probe.close(() => ok()));
  });
}

function listenError(config: Config, error: NodeJS.ErrnoException): Error {
  switch (error.code) {
    case "EADDRINUSE":
      return new StartError(`PORT=${config.port} is already in use on ${config.host}: stop the other server or set PORT to a free port`);
    case "EACCES":
      return new StartError(`PORT=${config.port} needs privileges this user lacks: set PORT to 1024 or above`);
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new StartError(`HOST=${config.host} is not an address of this machine: set HOST to one (127.0.0.1, 0.0.0.0)`);
    default:
      return error;
  }
}

/** Database connection failures name DATABASE_URL rather than print a driver's stack. */
function databaseError(error: unknown): Error | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|28P01|28000|3D000)$/.test(code)) return undefined;
  return new StartError(`DATABASE_URL cannot be used (${code}: ${(error as Error).message}): check the host, database, user and password`);
}

/**
 * SIGTERM/SIGINT: stop taking requests, answer those in flight, close the database, exit 0;
 * past SHUTDOWN_TIMEOUT_SECONDS, or on a second signal, exit 1 at once.
 */
function shutdown(app: App, config: Config, log: Log) {
  let stopping = false;
  return (signal: NodeJS.Signals) => {
    // A second signal means "now": requests still in flight are dropped.
    if (stopping) {
      log(`${signal} again: exiting at once`, "error");
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: finishing in-flight requests (at most ${config.shutdownTimeoutSeconds} s), then closing the database`);
    const timer = setTimeout(() => {
      log(`requests still open after ${config.shutdownTimeoutSeconds} s (SHUTDOWN_TIMEOUT_SECONDS): exiting without them`, "error");
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    timer.unref();
    // A keep-alive connection turns idle once its last response is sent; close it then, or an
    // idle client would hold the shutdown until its keep-alive timeout.
    setInterval(() => app.server.server.closeIdleConnections(), 100).unref();
    app.close().then(
      () => {
        log("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, "error");
        process.exit(1);
      },
    );
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Files this process creates (PGlite's folder, the lock) are private to its user.
  process.umask(0o077);
  const log = logger(config);
  // Until the server runs, a signal just ends the start (the lock is released on exit).
  const abort = () => process.exit(1);
  process.once("SIGINT", abort).once("SIGTERM", abort);
  let dataDir: DataDirLock | undefined;
  if (!config.databaseUrl && config.dataDir !== "memory://") dataDir = takeDataDir(config.dataDir);
  process.once("exit", () => dataDir?.release());
  await checkPort(config);
  if (dataDir?.fresh) log(`DATA_DIR=${config.dataDir} is new: creating the database first (10-30 s, once)`);

  const { createApp } = await import("../app.js");
  const app = await createApp(config, { log }).catch((error: unknown) => {
    throw databaseError(error) ?? error;
  });
  if (dataDir) makePrivate(config.dataDir);

  process.off("SIGINT", abort).off("SIGTERM", abort);
  const stop = shutdown(app, config, log);
  process.on("SIGINT", stop).on("SIGTERM", stop);

  try {
    await app.server.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw listenError(config, error as NodeJS.ErrnoException);
  }
  const address = app.server.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const where = config.databaseUrl ? "PostgreSQL" : `PGlite in ${config.dataDir}`;
  log(`listening on http://${config.host}:${port}/graphql (${where})`);
}

main().catch(async (error: unknown) => {
  // Problems an operator can fix get one line each (a policy: one per problem), no stack trace.
  if (error instanceof ConfigError) for (const problem of error.problems) console.error(`config error: ${problem}`);
  else if (error instanceof StartError) console.error(`start error: ${error.message}`);
  else if (error instanceof (await import("../authz/policy-loader.js")).PolicyError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
