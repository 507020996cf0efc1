import "reflect-metadata";
import { PolicyError } from "../authz/policy-loader.js";
import { ConfigError, loadConfig } from "../config.js";
import { createApp } from "../app.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const stop = async (signal: string) => {
    app.server.log.info({ signal }, "shutting down");
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  await app.server.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl ? "PostgreSQL" : `PGlite in ${config.dataDir}`;
  app.server.log.info(`Alpha CRM API on http://${config.host}:${config.port}/graphql (${where})`);
}

main().catch((error: unknown) => {
  // Bad settings and invalid policies stop the start with a clear message, not a stack.
  if (error instanceof ConfigError) console.error(`config error: ${error.message}`);
  else if (error instanceof PolicyError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
