import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("smoke", () => {
  it("serves demo contacts to the owner", async () => {
    const token = await t.login("owner@acme.test");
    const res = await t.gql(`{ contacts { totalCount nodes { firstName } } }`, {}, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.contacts.totalCount).toBeGreaterThan(5);
  });
});
