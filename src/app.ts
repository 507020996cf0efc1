import type { FastifyInstance } from "fastify";
import { loadPolicies, type PolicySet } from "./authz/policy-loader.js";
import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { seedDemo } from "./db/seed.js";
import { buildServer, type LogStream } from "./http/server.js";

export interface App {
  server: FastifyInstance;
  database: Database;
  policies: PolicySet;
  close(): Promise<void>;
}

/**
 * Loads and checks the policies (an invalid one stops the start), opens and migrates the
 * database, seeds the demo data when asked, and builds the HTTP server.
 */
export async function createApp(config: Config, opts: { database?: Database; policies?: PolicySet; logStream?: LogStream } = {}): Promise<App> {
  const policies = opts.policies ?? loadPolicies();
  const database = opts.database ?? (await openDatabase(config));
  await migrate(database);
  if (config.seedDemo) await seedDemo(database, config.demoPassword);
  const server = await buildServer({ config, database, policies, logStream: opts.logStream });
  return {
    server,
    database,
    policies,
    async close() {
      await server.close();
      await database.close();
    },
  };
}
