// The only place that reads process.env. Settings are validated once at start; a bad one
// stops the process with a single line naming the variable (see src/bin/start.ts).

export class ConfigError extends Error {}

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
  corsOrigins: string[];
  logLevel: string;
  rateLimitPerMinute: number;
  maxQueryDepth: number;
  maxAliases: number;
  maxBodyBytes: number;
  sessionTtlHours: number;
  /** Believe X-Forwarded-For (only behind a load balancer that sets it). */
  trustProxy: boolean;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}`);
  }
  return raw;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === "production";
  const nodeEnv = env.NODE_ENV;
  if (nodeEnv !== undefined && !["production", "development", "test"].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be production, development or test, got "${nodeEnv}"`);
  }
  const port = int(env, "PORT", 4000, 0, 65535);
  const host = env.HOST || "127.0.0.1";
  const seedDemo = bool(env, "SEED_DEMO", !production);
  if (production && seedDemo) throw new ConfigError("SEED_DEMO must not be true when NODE_ENV=production");
  const signingSecret = env.SIGNING_SECRET || undefined;
  if (production && !signingSecret) throw new ConfigError("SIGNING_SECRET is required when NODE_ENV=production");
  if (signingSecret !== undefined && signingSecret.length < 32) {
    throw new ConfigError("SIGNING_SECRET must be at least 32 characters");
  }
  const logLevel = env.LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  const demoPassword = env.DEMO_PASSWORD || "alpha-demo";
  if (demoPassword.length < 8) throw new ConfigError("DEMO_PASSWORD must be at least 8 characters");
  const publicUrl = url(env, "PUBLIC_URL", ["http:", "https:"]) ?? `http://${host}:${port}`;
  return {
    port,
    host,
    databaseUrl: url(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    dataDir: env.DATA_DIR || "./.data",
    seedDemo,
    demoPassword,
    publicUrl: publicUrl.replace(/\/$/, ""),
    production,
    development: nodeEnv === undefined || nodeEnv === "development",
    signingSecret,
    redisUrl: url(env, "REDIS_URL", ["redis:", "rediss:"]),
    corsOrigins: (env.CORS_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean),
    logLevel,
    rateLimitPerMinute: int(env, "RATE_LIMIT_PER_MINUTE", 600, 1, 1_000_000),
    maxQueryDepth: int(env, "MAX_QUERY_DEPTH", 10, 2, 100),
    maxAliases: int(env, "MAX_ALIASES", 15, 1, 1000),
    maxBodyBytes: int(env, "MAX_BODY_BYTES", 1024 * 1024, 1024, 100 * 1024 * 1024),
    sessionTtlHours: int(env, "SESSION_TTL_HOURS", 12, 1, 24 * 30),
    trustProxy: bool(env, "TRUST_PROXY", false),
  };
}
