import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";

// The only place that reads process.env (and .env). Settings are validated once at start;
// every bad one is reported together, one line each naming the variable (src/bin/start.ts).

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  seedDemo: boolean;
  demoPassword: string;
  publicUrl: string;
  production: boolean;
  /** NODE_ENV unset or development: stack traces in errors, for `npm start` on a laptop. */
  development: boolean;
  signingSecret: string | undefined;
  redisUrl: string | undefined;
  /** Prefix of the rate-limit keys in Redis (REDIS_KEY_PREFIX), so several installs or test runs can share one Redis. */
  redisKeyPrefix: string;
  corsOrigins: string[];
  logLevel: string;
  rateLimitPerMinute: number;
  /** Requests per workspace per minute, all its users and tokens together (default 10x the per-caller limit). */
  rateLimitWorkspacePerMinute: number;
  /** Requests per client address per minute without a live session (login included). */
  rateLimitAnonymousPerMinute: number;
  maxQueryDepth: number;
  maxAliases: number;
  /** `totalCount` counts at most this many rows; past it, the cap and `totalCountCapped: true`. */
  countCap: number;
  maxBodyBytes: number;
  sessionTtlHours: number;
  /** Believe X-Forwarded-For (only behind a load balancer that sets it). */
  trustProxy: boolean;
  /**
   * Header in which the proxy in front states the client's country (`cf-ipcountry`), lower
   * case; only read behind a trusted proxy, since a client could send it itself otherwise.
   */
  geoCountryHeader: string | undefined;
  /** How long a shutdown waits for in-flight requests before it closes the database anyway. */
  shutdownTimeoutSeconds: number;
  /** Minutes between runs of the retention job inside the server; 0 turns the timer off. */
  retentionIntervalMinutes: number;
  /**
   * PostgreSQL `statement_timeout` of the API's request statements (STATEMENT_TIMEOUT_MS, default
   * 15000; 0 turns it off). Migrations, seeding, the retention job and the CLIs run without it.
   */
  statementTimeoutMs: number;
  /** Seconds between runs of the outbox delivery worker inside the server; 0 turns it off. */
  outboxIntervalSeconds: number;
  /** Lets webhooks target private, loopback and link-local addresses in production (SSRF guard off). */
  webhookAllowPrivateTargets: boolean;
  /** Verifies `POST /webhooks/stripe` (Stripe's `whsec_...`); unset, the endpoint answers 503. */
  stripeWebhookSecret: string | undefined;
  /**
   * The erasure journal file (ERASURE_JOURNAL_PATH; default DATA_DIR/erasure-journal.ndjson,
   * or the system temp folder when DATA_DIR is memory://). With PostgreSQL, point it at durable
   * storage that database backups do not restore.
   */
  erasureJournalPath: string;
  /**
   * How many days database backups are kept (BACKUP_RETENTION_DAYS, default 35): the erasure
   * journal keeps every line at least that long plus a margin, so any restorable backup can be
   * replayed against it.
   */
  backupRetentionDays: number;
}

type Env = Record<string, string | undefined>;

/** Reads one variable at a time and collects every problem, so one start reports them all. */
class Settings {
  readonly problems: string[] = [];
  constructor(readonly env: Env) {}

  problem(message: string): void {
    this.problems.push(message);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    this.problem(`${name} must be true or false, got "${raw}"`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      this.problem(`${name} is not a valid URL`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problem(`${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}`);
      return undefined;
    }
    return raw;
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const NODE_ENVS = ["production", "development", "test"];

/**
 * The process environment, after `.env` in the working directory when there is one. Node's own
 * loader: variables already set in the environment win over the file.
 */
export function processEnv(envFile = ".env"): Env {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}

/** GEO_COUNTRY_HEADER: an HTTP header name, kept in lower case as Node hands headers over. */
function headerName(s: Settings, name: string): string | undefined {
  const raw = s.env[name]?.trim();
  if (!raw) return undefined;
  if (/^[A-Za-z0-9-]{1,64}$/.test(raw)) return raw.toLowerCase();
  s.problem(`${name} must be an HTTP header name (letters, digits, hyphens), got "${raw}"`);
  return undefined;
}

export function loadConfig(env: Env = processEnv()): Config {
  const s = new Settings(env);
  const nodeEnv = env.NODE_ENV || undefined;
  if (nodeEnv !== undefined && !NODE_ENVS.includes(nodeEnv)) s.problem(`NODE_ENV must be production, development or test, got "${nodeEnv}"`);
  const production = nodeEnv === "production";
  const port = s.int("PORT", 4000, 0, 65535);
  const host = env.HOST || "127.0.0.1";
  const seedDemo = s.bool("SEED_DEMO", !production);
  if (production && seedDemo) s.problem("SEED_DEMO must not be true when NODE_ENV=production");
  const signingSecret = env.SIGNING_SECRET || undefined;
  if (production && !signingSecret) s.problem("SIGNING_SECRET is required when NODE_ENV=production");
  if (signingSecret !== undefined && signingSecret.length < 32) s.problem("SIGNING_SECRET must be at least 32 characters");
  const logLevel = env.LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) s.problem(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  const demoPassword = env.DEMO_PASSWORD || "alpha-demo";
  if (demoPassword.length < 8) s.problem("DEMO_PASSWORD must be at least 8 characters");
  const publicUrl = s.url("PUBLIC_URL", ["http:", "https:"]) ?? `http://${host}:${port}`;
  const rateLimitPerMinute = s.int("RATE_LIMIT_PER_MINUTE", 600, 1, 1_000_000);
  const stripeWebhookSecret = env.STRIPE_WEBHOOK_SECRET || undefined;
  if (stripeWebhookSecret !== undefined && !/^whsec_\S{16,}$/.test(stripeWebhookSecret)) {
    s.problem("STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret from Stripe (whsec_ followed by at least 16 characters)");
  }
  const dataDir = env.DATA_DIR || "./.data";
  const journalPath = env.ERASURE_JOURNAL_PATH || undefined;
  if (journalPath !== undefined && (!isAbsolute(journalPath) || journalPath.endsWith("/") || /[\0\n]/.test(journalPath)))
    s.problem("ERASURE_JOURNAL_PATH must be an absolute path to a file, e.g. /var/lib/alpha/erasure-journal.ndjson");
  if (journalPath === undefined && production && env.DATABASE_URL)
    s.problem("ERASURE_JOURNAL_PATH is required when NODE_ENV=production with DATABASE_URL: point it at durable storage outside the database backups");
  const config: Config = {
    port,
    host,
    databaseUrl: s.url("DATABASE_URL", ["postgres:", "postgresql:"]),
    dataDir,
    seedDemo,
    demoPassword,
    publicUrl: publicUrl.replace(/\/$/, ""),
    production,
    development: nodeEnv === undefined || nodeEnv === "development",
    signingSecret,
    redisUrl: s.url("REDIS_URL", ["redis:", "rediss:"]),
    corsOrigins: (env.CORS_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    logLevel,
    rateLimitPerMinute,
    rateLimitWorkspacePerMinute: s.int("RATE_LIMIT_WORKSPACE_PER_MINUTE", Math.min(rateLimitPerMinute * 10, 10_000_000), 1, 10_000_000),
    redisKeyPrefix: env.REDIS_KEY_PREFIX || "acrm:rl",
    rateLimitAnonymousPerMinute: s.int("RATE_LIMIT_ANONYMOUS_PER_MINUTE", 300, 1, 1_000_000),
    maxQueryDepth: s.int("MAX_QUERY_DEPTH", 10, 2, 100),
    maxAliases: s.int("MAX_ALIASES", 15, 1, 1000),
    countCap: s.int("COUNT_CAP", 10_000, 1, 100_000_000),
    maxBodyBytes: s.int("MAX_BODY_BYTES", 1024 * 1024, 1024, 100 * 1024 * 1024),
    sessionTtlHours: s.int("SESSION_TTL_HOURS", 12, 1, 24 * 30),
    trustProxy: s.bool("TRUST_PROXY", false),
    geoCountryHeader: headerName(s, "GEO_COUNTRY_HEADER"),
    shutdownTimeoutSeconds: s.int("SHUTDOWN_TIMEOUT_SECONDS", 10, 1, 600),
    retentionIntervalMinutes: s.int("RETENTION_INTERVAL_MINUTES", 60, 0, 7 * 24 * 60),
    statementTimeoutMs: s.int("STATEMENT_TIMEOUT_MS", 15_000, 0, 3_600_000),
    outboxIntervalSeconds: s.int("OUTBOX_INTERVAL_SECONDS", 15, 0, 24 * 60 * 60),
    webhookAllowPrivateTargets: s.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", false),
    stripeWebhookSecret,
    backupRetentionDays: s.int("BACKUP_RETENTION_DAYS", 35, 1, 3650),
    erasureJournalPath:
      journalPath ?? (dataDir === "memory://" ? join(tmpdir(), `alpha-erasure-journal-${process.pid}.ndjson`) : join(dataDir, "erasure-journal.ndjson")),
  };
  if (config.geoCountryHeader && !config.trustProxy) {
    s.problem("GEO_COUNTRY_HEADER needs TRUST_PROXY=true: without a proxy that sets it, any client could claim any country");
  }
  if (s.problems.length > 0) throw new ConfigError(s.problems);
  return config;
}
