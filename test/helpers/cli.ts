import type { CliOptions } from "../../src/bin/run-cli.js";
import type { TestApp } from "./app.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command-line tool's main() in-process on the test app's database, capturing its output. */
export async function runInProcess(main: (argv: string[], options?: CliOptions) => Promise<number>, argv: string[], t: TestApp): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io = { stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s) };
  const code = await main(argv, { io, database: t.app.database, policies: t.app.policies, config: t.config });
  return { code, stdout, stderr };
}
