import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import cors from "@fastify/cors";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { PolicySet } from "../authz/policy-loader.js";
import type { Config } from "../config.js";
import { QueryMetrics, type Database } from "../db/client.js";
import type { ErasureJournal } from "../modules/erasure/erasure.journal.js";
import type { CursorCodec } from "../modules/common/cursor.js";
import type { UnsubscribeLinks } from "../modules/unsubscribe/unsubscribe.token.js";
import type { ExportLinks } from "../modules/exports/export.token.js";
import { AppContext } from "../graphql/context.js";
import { ErrorCode } from "../graphql/errors.js";
import { formatError } from "../graphql/format-error.js";
import { finishResponsePlugin } from "../graphql/plugins.js";
import { compiledPagePlugin } from "../graphql/compiled-page.js";
import { usageActionPlugin } from "../graphql/usage-plugin.js";
import { buildSchema } from "../graphql/schema.js";
import { resolveRequest } from "./authenticate.js";
import { callerLimiter } from "./rate-limit.js";
import { clientCountry } from "./client-country.js";
import { serializeLoggedError } from "./log-errors.js";
import { registerStripeWebhook } from "./stripe-webhook.js";
import { exportDownloads, exportLoggedPath } from "./exports.js";
import { loggedPath, unsubscribePages } from "./unsubscribe.js";

declare module "fastify" {
  interface FastifyRequest {
    metrics: QueryMetrics;
  }
}

/** Where log lines go (stdout unless given; tests read them). */
export interface LogStream {
  write(line: string): void;
}

export interface AppDeps {
  config: Config;
  database: Database;
  policies: PolicySet;
  cursors: CursorCodec;
  links: UnsubscribeLinks;
  exports: ExportLinks;
  /** The erasure journal (outside the database); eraseContact is refused without it. */
  erasureJournal?: ErasureJournal;
  logStream?: LogStream;
}

/** Tokens in one query (README: fixed in code). */
export const MAX_TOKENS = 2000;
/** graphql-armor's cost limit and directive limit (README: fixed in code; a test reads them). */
export const MAX_QUERY_COST = 50_000;
export const MAX_DIRECTIVES = 20;

export const REQUEST_ID_HEADER = "x-request-id";
// A caller's id is kept only when it cannot smuggle anything into logs or headers.
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's X-Request-Id when well-formed (so its logs and ours share an id), else a new one. */
export function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const asked = req.headers[REQUEST_ID_HEADER];
  return typeof asked === "string" && WELL_FORMED_REQUEST_ID.test(asked) ? asked : randomUUID();
}

// Headers a browser may read (rate limits, timing, request id) and send (sign-in, purpose, CSRF).
const CORS_EXPOSED = ["Retry-After", "RateLimit", "RateLimit-Policy", "Server-Timing", "X-Request-Id"];
const CORS_ALLOWED = ["Authorization", "Content-Type", "Accept", "X-Processing-Purpose", "X-Request-Id", "Apollo-Require-Preflight"];

const HTTP_ERROR_CODES: Record<number, ErrorCode> = {
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  404: ErrorCode.NOT_FOUND,
};

/** Every error body has the GraphQL shape, Fastify's own (bad JSON, 413, 415) included. */
function graphqlErrorBody(message: string, code: ErrorCode) {
  return { errors: [{ message, extensions: { code } }] };
}

/**
 * Errors Fastify raises before GraphQL runs. A client's mistake is answered with its 4xx and
 * not logged as an error (no stack, no error object: the access log line says enough); only
 * a fault of ours is logged, and its details stay out of the response.
 */
function handleHttpError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send(graphqlErrorBody("Internal server error", ErrorCode.INTERNAL_SERVER_ERROR));
  }
  return reply.code(status).send(graphqlErrorBody(error.message, HTTP_ERROR_CODES[status] ?? ErrorCode.BAD_REQUEST));
}

/**
 * Requests Node's HTTP parser refuses (a NUL in a header, headers over its size limit, a line
 * that is no header) never reach a route: they are answered here, in the GraphQL shape too.
 */
function clientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "The request's headers are too large."]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "The request took too long to arrive."]
        : [400, "The request is not well-formed HTTP."];
  const body = JSON.stringify(graphqlErrorBody(message, ErrorCode.BAD_REQUEST));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Fastify + Apollo: the whole HTTP surface, ready to `listen` or `inject`. */
export async function buildServer({ config, database, policies, cursors, links, exports, erasureJournal, logStream }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: config.maxBodyBytes,
    clientErrorHandler: clientError,
    // The request id of every log line; returned on every response.
    genReqId: requestId,
    // Only behind a proxy that sets X-Forwarded-For may it be believed (TRUST_PROXY).
    trustProxy: config.trustProxy,
    logger: {
      level: config.logLevel,
      ...(logStream ? { stream: logStream } : {}),
      // Logs never carry tokens, passwords or personal data: no bodies, no headers, no client
      // IP, no query string (a GET query's variables could hold an email address), and no
      // unsubscribe or export-download token (credentials in the path).
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: exportLoggedPath(loggedPath(req.url)) }),
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
    for (const [name, value] of Object.entries(request.rateLimitHeaders ?? {})) reply.header(name, value);
    reply.header("X-Request-Id", request.id);
  });
  app.setErrorHandler(handleHttpError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(graphqlErrorBody(`No route ${request.method} ${request.url.split("?")[0]}.`, ErrorCode.NOT_FOUND)),
  );
  if (config.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.corsOrigins, methods: ["GET", "POST"], allowedHeaders: CORS_ALLOWED, exposedHeaders: CORS_EXPOSED, maxAge: 600 });
  }

  app.get("/healthz", async (request, reply) => {
    try {
      await database.ping(request.metrics);
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });

  await registerStripeWebhook(app, { config, database, policies, cursors });
  await app.register(unsubscribePages, { config, database, policies, cursors, links });
  await app.register(exportDownloads, { config, database, policies, cursors, links: exports });

  const armor = new ApolloArmor({
    maxDepth: { n: config.maxQueryDepth },
    maxAliases: { n: config.maxAliases },
    // Cost grows with the shape of a query and its literal `first`/`last`; page sizes from
    // defaults and variables are counted by src/graphql/fan-out.ts.
    costLimit: { maxCost: MAX_QUERY_COST },
    // The token limit is graphql-js's own (parseOptions below): armor's plugin parsed the query
    // a second time inside a hook, and its refusals came back as HTTP 500.
    maxTokens: { enabled: false },
    maxDirectives: { n: MAX_DIRECTIVES },
    blockFieldSuggestion: { enabled: config.production },
  }).protect();

  const plugins: ApolloServerPlugin<AppContext>[] = [
    fastifyApolloDrainPlugin(app),
    // No HTTP caching of personal data, and no per-field cache hints to compute.
    ApolloServerPluginCacheControlDisabled(),
    finishResponsePlugin,
    usageActionPlugin,
    ...(armor.plugins as ApolloServerPlugin<AppContext>[]),
    // Last: the page of contacts without a resolver per field, when nothing could differ (compiled-page.ts).
    compiledPagePlugin,
  ];
  if (config.production) plugins.push(ApolloServerPluginLandingPageDisabled());

  const apollo = new ApolloServer<AppContext>({
    schema: await buildSchema(),
    plugins,
    validationRules: armor.validationRules,
    // The parser stops at the limit, before building a document: QUERY_TOO_COMPLEX (format-error.ts).
    parseOptions: { maxTokens: MAX_TOKENS },
    // Automatic persisted queries share one cache across tenants (and tell who ran which query
    // text): off, and a persisted-query call is PERSISTED_QUERY_NOT_SUPPORTED.
    persistedQueries: false,
    introspection: !config.production,
    includeStacktraceInErrorResponses: config.development,
    formatError: (formatted, error) => formatError(formatted, error, config),
    csrfPrevention: true,
    // src/bin/start.ts owns SIGINT/SIGTERM and closes Fastify, which drains Apollo.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  // Per user, per API token and per workspace (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_WORKSPACE_PER_MINUTE).
  const limiter = callerLimiter(config, database);
  app.addHook("onClose", async () => limiter.close());

  await app.register(fastifyApollo(apollo), {
    context: async (request: FastifyRequest) => {
      const db = database.handle(request.metrics);
      const { principal, purpose, token, sessionId, failure, invalid } = await resolveRequest(db, policies, request, config, limiter);
      const location = clientCountry(request.headers, config);
      const info = { ip: request.ip, userAgent: request.headers["user-agent"], location, token, sessionId, failure, invalid, principal };
      const ctx = new AppContext(
        db,
        request.metrics,
        policies,
        config,
        info,
        failure ? undefined : principal,
        failure ? undefined : purpose,
        cursors,
        links,
        exports,
      );
      ctx.erasureJournal = erasureJournal;
      return ctx;
    },
  });
  return app;
}
