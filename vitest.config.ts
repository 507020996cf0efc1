import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import swc from "unplugin-swc";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  // swc keeps the decorator metadata type-graphql relies on.
  plugins: [swc.vite({ jsc: { target: "es2022" } })],
  resolve: {
    // One copy of graphql: vitest would otherwise mix its ESM and CJS builds.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    globalSetup: ["./test/helpers/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core CI
    // machine, while most of a test's time is spent waiting on the database.
    maxWorkers: availableParallelism(),
    include: ["test/**/*.test.ts"],
  },
});
