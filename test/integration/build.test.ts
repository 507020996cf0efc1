import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// `npm run build` then `npm run start:prod`: production runs plain JavaScript, no transpiler.
// The output goes to a folder of its own next to dist/ (the same depth, so the compiled code
// finds policies/ and drizzle/ the same way), so a developer's dist/ is left alone.
const outDir = `dist-test-${process.pid}`;
const dataDir = mkdtempSync(join(tmpdir(), "alpha-build-"));
let server: ChildProcess | undefined;

afterAll(() => {
  server?.kill("SIGTERM");
  rmSync(outDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

// The build does not depend on the database: the PostgreSQL run of the suite skips it.
describe.skipIf(process.env.DATABASE_URL)("production build", () => {
  it("compiles to JavaScript that serves the API with the demo data", { timeout: 600_000 }, async () => {
    const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--outDir", outDir], {
      encoding: "utf8",
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);

    // No tsx loader: plain node on the compiled entry point, as `npm run start:prod` does.
    const env: Record<string, string | undefined> = { ...process.env, PORT: "0", DATA_DIR: dataDir, NODE_OPTIONS: "" };
    delete env.DATABASE_URL;
    server = spawn(process.execPath, [join(outDir, "bin", "start.js")], { env, stdio: ["ignore", "pipe", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server?.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Server listening at (http:\/\/[\d.]+:\d+)/.exec(out);
        if (match) resolve(match[1]);
      });
      server?.stderr?.on("data", (chunk: Buffer) => reject(new Error(chunk.toString())));
      server?.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });

    const post = async (body: unknown, token?: string) => {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { data?: Record<string, { token?: string; totalCount?: number }> };
    };
    const login = await post({ query: 'mutation { login(email: "owner@acme.test", password: "alpha-demo") { token } }' });
    const token = login.data?.login?.token;
    expect(token).toMatch(/^acrs_/);
    const contacts = await post({ query: "{ contacts(first: 2) { totalCount } }" }, token);
    expect(contacts.data?.contacts?.totalCount).toBeGreaterThan(0);
  });
});
