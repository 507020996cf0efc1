export interface MemorySnapshot {
  rssMb: number;
  heapUsedMb: number;
}

export function memory(): MemorySnapshot {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) };
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  concurrency: number;
  requests: number;
  errors: number;
  firstError?: string;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  requestsPerSecond: number;
  /** Node CPU (user + system, server and load generator) per request, ms. */
  cpuMsPerRequest: number;
  elapsedS: number;
  stoppedBy: string;
  /** Distinct Server-Timing statement counts seen (one value when constant). */
  queries: number[];
  memoryBefore: MemorySnapshot;
  memoryAfter: MemorySnapshot;
}

export interface TargetResult {
  id: string;
  description: string;
  actual: string;
  pass: boolean;
}

const round = (n: number, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);
export { round };

function queriesCell(q: number[]): string {
  if (q.length === 0) return "-";
  if (q.length === 1) return String(q[0]);
  return `${q.join("/")} (varies)`;
}

export function scenarioTable(results: ScenarioResult[]): string {
  const lines = [
    "| scenario | conc | requests | errors | p50 ms | p95 ms | p99 ms | req/s | CPU ms/req | queries | RSS MB before → after | heap MB before → after |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
  ];
  for (const r of results) {
    lines.push(
      `| (${r.scenario}) ${r.title} | ${r.concurrency} | ${r.requests} | ${r.errors} | ${r.p50Ms.toFixed(1)} | ${r.p95Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.requestsPerSecond.toFixed(1)} | ${r.cpuMsPerRequest.toFixed(1)} | ${queriesCell(r.queries)} | ${r.memoryBefore.rssMb.toFixed(0)} → ${r.memoryAfter.rssMb.toFixed(0)} | ${r.memoryBefore.heapUsedMb.toFixed(0)} → ${r.memoryAfter.heapUsedMb.toFixed(0)} |`,
    );
  }
  return lines.join("\n");
}

export function targetTable(targets: TargetResult[]): string {
  const lines = ["| target | actual | result |", "|---|---|---|"];
  for (const t of targets) lines.push(`| ${t.description} | ${t.actual} | ${t.pass ? "PASS" : "FAIL"} |`);
  return lines.join("\n");
}
