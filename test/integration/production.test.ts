import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ NODE_ENV: "production", SEED_DEMO: "false", SIGNING_SECRET: "x".repeat(40) });
});
afterAll(() => t.close());

describe("NODE_ENV=production", () => {
  it("turns introspection off", async () => {
    const res = await t.gql(`{ __schema { queryType { name } } }`);
    expect(res.errors?.[0].message).toMatch(/introspection/i);
    // A contract code, not Apollo's own INTROSPECTION_DISABLED.
    expect(res.errors?.[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.data ?? null).toBeNull();
  });

  it("gives no field suggestions that would reveal the schema", async () => {
    const res = await t.gql(`{ contactz { id } }`);
    expect(res.errors?.[0].message).not.toMatch(/Did you mean/);
  });

  it("keeps stack traces out of errors", async () => {
    const res = await t.gql(`{ contacts { totalCount } }`);
    expect(res.errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(res.errors?.[0].extensions.stacktrace).toBeUndefined();
  });

  it("seeds no demo data", async () => {
    const res = await t.gql(`mutation { login(email: "owner@acme.test", password: "alpha-demo") { token } }`);
    expect(res.errors?.[0].message).toBe("invalid email or password");
  });

  it("still serves the public record of processing", async () => {
    const res = await t.gql(`{ processingPurposes { id lawfulBasis processors { name location } } }`);
    expect(res.data!.processingPurposes.map((p: { id: string }) => p.id)).toContain("marketing_email");
  });
});
