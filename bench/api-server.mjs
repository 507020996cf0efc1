// The API as a child process of the bench, so its CPU time and RSS are its own. It runs the
// production build (`npm run build`, dist/), as README "Production build" deploys it: no
// transpiler in the process (tsx's loader thread alone holds about 40 MB). The bench builds
// dist/ before it starts this script.
//   node bench/api-server.mjs <database url> policies|allow-all [<requests per minute per caller>]
// `allow-all` swaps the ability factory in this process only: every Scope gets an ability
// that allows every action on every subject inside the caller's workspace (tenant kept, so the
// rows match; no role rule, deny, gate or field rule). It exists only here, on this script's
// command line: no setting or environment variable of the product reaches it.
import "reflect-metadata";
import { createMongoAbility } from "@casl/ability";
import { createApp } from "../dist/app.js";
import { loadConfig } from "../dist/config.js";
import { Scope } from "../dist/modules/common/scope.js";

const [url, mode, perMinute] = process.argv.slice(2);
if (!url || (mode !== "policies" && mode !== "allow-all")) {
  process.stderr.write("usage: bench/api-server.mjs <database url> policies|allow-all\n");
  process.exit(2);
}

if (mode === "allow-all") {
  // One per scope and workspace (sign-in changes the principal of a scope).
  const abilities = new WeakMap();
  const allowAll = (scope) => {
    const workspaceId = scope.principal?.workspaceId ?? "";
    let ability = abilities.get(scope)?.workspaceId === workspaceId ? abilities.get(scope)?.ability : undefined;
    if (!ability) {
      const reason = "Bench only: everything is allowed inside the caller's workspace.";
      ability = createMongoAbility(
        scope.registry.names.map((subject) => ({
          action: "manage",
          subject,
          conditions: { [scope.registry.get(subject).tenant]: workspaceId },
          reason,
          meta: { id: "bench.allow_all", reason, kind: "role" },
        })),
      );
      abilities.set(scope, { workspaceId, ability });
    }
    return ability;
  };
  // Scope assigns `this.ability` in its constructor and on sign-in (no class field is emitted:
  // useDefineForClassFields is false), so an accessor on the prototype takes every assignment.
  Object.defineProperty(Scope.prototype, "ability", {
    configurable: true,
    get() {
      return allowAll(this);
    },
    set() {},
  });
}

process.env.NODE_ENV = "test";
const config = loadConfig({
  DATA_DIR: "memory://",
  DATABASE_URL: url,
  SEED_DEMO: "false",
  LOG_LEVEL: "silent",
  NODE_ENV: "test",
  HOST: "127.0.0.1",
  PORT: "0",
  // Unlimited unless asked (the two-process limit check): the bench measures the API. The
  // workspace's own limit stays out of the way, as the other processes' requests count there too.
  RATE_LIMIT_PER_MINUTE: perMinute ?? "1000000",
  RATE_LIMIT_WORKSPACE_PER_MINUTE: "10000000",
  // No background jobs: their statements would count as the CPU of whichever system is measured.
  RETENTION_INTERVAL_MINUTES: "0",
  OUTBOX_INTERVAL_SECONDS: "0",
  // The peers count exactly: so must the API for the answers to compare (past COUNT_CAP, 10,000
  // by default, its totalCount would be the cap), whatever BENCH_SCALE is.
  COUNT_CAP: "100000000",
});
const app = await createApp(config);
const address = await app.server.listen({ host: "127.0.0.1", port: 0 });
process.on("message", (message) => {
  if (message?.type !== "stats") return;
  // Statements are counted by the API itself (Server-Timing); none here.
  process.send?.({ type: "stats", id: message.id, cpu: process.cpuUsage(), rss: process.memoryUsage().rss, statements: Number.NaN });
});
process.on("disconnect", () => {
  void app.close().finally(() => process.exit(0));
});
process.send?.({ type: "ready", url: `${address}/graphql`, allowAll: mode === "allow-all" });
