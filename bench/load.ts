// A small closed-loop load generator on Node's global fetch: `concurrency` workers each send
// one request, wait for the whole body, and send the next, until the request or time bound.

export interface GqlRequest {
  query: string;
  variables?: Record<string, unknown>;
}

export interface GqlResponse {
  status: number;
  ms: number;
  /** Statements counted in Server-Timing (NaN when the header is missing). */
  queries: number;
  data: Record<string, any> | null | undefined;
  errors: Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;
}

export interface Client {
  endpoint: string;
  send(request: GqlRequest, as?: { token?: string; purpose?: string }): Promise<GqlResponse>;
}

export function queryCount(serverTiming: string | null): number {
  const match = /desc="(\d+) quer/.exec(serverTiming ?? "");
  return match ? Number(match[1]) : Number.NaN;
}

export function client(endpoint: string): Client {
  return {
    endpoint,
    async send(request, as = {}) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (as.token) headers.authorization = `Bearer ${as.token}`;
      if (as.purpose) headers["x-processing-purpose"] = as.purpose;
      const started = performance.now();
      const res = await fetch(endpoint, { method: "POST", headers, body: JSON.stringify(request) });
      const text = await res.text();
      const ms = performance.now() - started;
      let body: { data?: GqlResponse["data"]; errors?: GqlResponse["errors"] } = {};
      try {
        body = JSON.parse(text);
      } catch {
        body = { errors: [{ message: `non-JSON response: ${text.slice(0, 120)}` }] };
      }
      return { status: res.status, ms, queries: queryCount(res.headers.get("server-timing")), data: body.data, errors: body.errors };
    },
  };
}

/** One worker's request stream: `next` builds a request, `seen` learns from its response. */
export interface Worker {
  next(): GqlRequest;
  /** Returns a problem with the response (wrong shape, empty page...), or undefined. */
  seen(response: GqlResponse): string | undefined;
}

export interface Scenario {
  id: string;
  title: string;
  as: "owner" | "marketing";
  purpose?: string;
  worker(index: number): Worker;
}

export interface RunOptions {
  concurrency: number;
  maxRequests: number;
  maxMs: number;
  tokens: Record<Scenario["as"], string>;
  shouldStop?: () => boolean;
}

export interface RunStats {
  requests: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  latencies: number[];
  /** Server-Timing statement count -> number of responses that carried it. */
  queryCounts: Map<number, number>;
  stoppedBy: "requests" | "time" | "abort";
}

export async function runLoad(c: Client, scenario: Scenario, opts: RunOptions): Promise<RunStats> {
  const latencies: number[] = [];
  const queryCounts = new Map<number, number>();
  let issued = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + opts.maxMs;
  const as = { token: opts.tokens[scenario.as], purpose: scenario.purpose };

  const loop = async (index: number) => {
    const worker = scenario.worker(index);
    while (issued < opts.maxRequests && performance.now() < deadline && !opts.shouldStop?.()) {
      issued += 1;
      let problem: string | undefined;
      try {
        const res = await c.send(worker.next(), as);
        latencies.push(res.ms);
        queryCounts.set(res.queries, (queryCounts.get(res.queries) ?? 0) + 1);
        if (res.status !== 200) problem = `HTTP ${res.status}`;
        if (res.errors?.length) {
          const e = res.errors[0];
          problem = `${String(e.extensions?.code ?? "ERROR")}: ${e.message}`;
        }
        problem ??= worker.seen(res);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      if (problem) {
        errors += 1;
        firstError ??= problem;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, i) => loop(i)));
  const elapsedMs = performance.now() - started;
  const stoppedBy = opts.shouldStop?.() ? "abort" : issued >= opts.maxRequests ? "requests" : "time";
  return { requests: latencies.length, errors, firstError, elapsedMs, latencies, queryCounts, stoppedBy };
}

/** Nearest-rank percentile of `values` (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
