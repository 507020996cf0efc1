import "reflect-metadata";
import type { LightMyRequestResponse } from "fastify";
import { createApp, type App } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import { testDatabase } from "./database.js";

export const DEMO_PASSWORD = "alpha-demo";

export interface GqlResult<T = Record<string, any>> {
  status: number;
  headers: LightMyRequestResponse["headers"];
  data: T | null | undefined;
  errors: Array<{ message: string; path?: Array<string | number>; extensions: Record<string, any> }> | undefined;
  /** Statements counted in Server-Timing. */
  queries: number;
}

export interface TestApp {
  app: App;
  config: Config;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: { token?: string; purpose?: string; headers?: Record<string, string> },
  ): Promise<GqlResult<T>>;
  login(email: string): Promise<string>;
  close(): Promise<void>;
}

export function queryCount(serverTiming: unknown): number {
  const match = /desc="(\d+) quer/.exec(String(serverTiming ?? ""));
  return match ? Number(match[1]) : Number.NaN;
}

/** The real app (Fastify + Apollo + database) on a fresh database, driven through HTTP inject. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ DATA_DIR: "memory://", LOG_LEVEL: "silent", NODE_ENV: "test", SEED_DEMO: "true", ...env });
  // The pool's statement timeout only when a test asks for one: a slow CI machine must not
  // turn the other files' statements into timeouts.
  const pool = env.STATEMENT_TIMEOUT_MS ? { statementTimeoutMs: config.statementTimeoutMs } : {};
  const app = await createApp(config, { database: await testDatabase(pool) });
  const tokens = new Map<string, string>();
  const gql: TestApp["gql"] = async (query, variables = {}, as = {}) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...as.headers };
    if (as.token) headers.authorization = `Bearer ${as.token}`;
    if (as.purpose) headers["x-processing-purpose"] = as.purpose;
    const res = await app.server.inject({ method: "POST", url: "/graphql", headers, payload: { query, variables } });
    const body = res.json();
    return { status: res.statusCode, headers: res.headers, data: body.data, errors: body.errors, queries: queryCount(res.headers["server-timing"]) };
  };
  return {
    app,
    config,
    gql,
    async login(email) {
      const cached = tokens.get(email);
      if (cached) return cached;
      const res = await gql<{ login: { token: string } }>(`mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { token } }`, {
        e: email,
        p: DEMO_PASSWORD,
      });
      if (!res.data?.login) throw new Error(`login failed for ${email}: ${JSON.stringify(res.errors)}`);
      tokens.set(email, res.data.login.token);
      return res.data.login.token;
    },
    close: () => app.close(),
  };
}
