import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import cors from "@fastify/cors";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { PolicySet } from "../authz/policy-loader.js";
import type { Config } from "../config.js";
import { QueryMetrics, type Database } from "../db/client.js";
import { AppContext } from "../graphql/context.js";
import { formatError } from "../graphql/format-error.js";
import { finishResponsePlugin } from "../graphql/plugins.js";
import { buildSchema } from "../graphql/schema.js";
import { resolveRequest } from "./authenticate.js";
import { serializeLoggedError } from "./log-errors.js";

declare module "fastify" {
  interface FastifyRequest {
    metrics: QueryMetrics;
  }
}

export interface AppDeps {
  config: Config;
  database: Database;
  policies: PolicySet;
}

/** Fastify + Apollo: the whole HTTP surface, ready to `listen` or `inject`. */
export async function buildServer({ config, database, policies }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: config.maxBodyBytes,
    // Only behind a proxy that sets X-Forwarded-For may it be believed (TRUST_PROXY).
    trustProxy: config.trustProxy,
    logger: {
      level: config.logLevel,
      // Logs never carry tokens, passwords or personal data: no bodies, no headers, no client
      // IP, and no query string (a GET query's variables could hold an email address).
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split("?")[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: serializeLoggedError,
      },
      redact: { paths: ["req.headers.authorization", "req.headers.cookie", "headers.authorization"], censor: "[redacted]" },
    },
  });
  app.decorateRequest("metrics", undefined as unknown as QueryMetrics);
  app.addHook("onRequest", async (request) => {
    request.metrics = new QueryMetrics();
  });
  app.addHook("onSend", async (request, reply) => {
    if (request.metrics) reply.header("Server-Timing", request.metrics.header());
  });
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });

  app.get("/healthz", async (request, reply) => {
    try {
      await database.ping(request.metrics);
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });

  const armor = new ApolloArmor({
    maxDepth: { n: config.maxQueryDepth },
    maxAliases: { n: config.maxAliases },
    // Cost grows with the shape of a query, not with `first` (page sizes are capped apart).
    costLimit: { maxCost: 50_000 },
    maxTokens: { n: 2000 },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: config.production },
  }).protect();

  const plugins: ApolloServerPlugin<AppContext>[] = [
    fastifyApolloDrainPlugin(app),
    // No HTTP caching of personal data, and no per-field cache hints to compute.
    ApolloServerPluginCacheControlDisabled(),
    finishResponsePlugin,
    ...(armor.plugins as ApolloServerPlugin<AppContext>[]),
  ];
  if (config.production) plugins.push(ApolloServerPluginLandingPageDisabled());

  const apollo = new ApolloServer<AppContext>({
    schema: await buildSchema(),
    plugins,
    validationRules: armor.validationRules,
    introspection: !config.production,
    includeStacktraceInErrorResponses: config.development,
    formatError: (formatted, error) => formatError(formatted, error, config),
    csrfPrevention: true,
    // src/bin/start.ts owns SIGINT/SIGTERM and closes Fastify, which drains Apollo.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  await app.register(fastifyApollo(apollo), {
    context: async (request: FastifyRequest) => {
      const db = database.handle(request.metrics);
      const { principal, purpose, token, failure } = await resolveRequest(db, policies, request, config);
      const info = { ip: request.ip, userAgent: request.headers["user-agent"], token, failure, principal };
      return new AppContext(db, request.metrics, policies, config, info, failure ? undefined : principal, failure ? undefined : purpose);
    },
  });
  return app;
}
