// Security review: instants a client sends are bounded. A year-9999 occurredAt kept an
// interaction past every retention period (the sweep counts from greatest(occurredAt,
// updatedAt)), and year 0001 read back as 2001 (drizzle's `new Date("0001-01-01 00:00:00+00")`).
import "reflect-metadata";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { breaches, interactions } from "../../src/db/schema/index.js";
import { startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db } from "../helpers/fixtures.js";

let t: TestApp;
let owner: string;
let dpo: string;
let alice: string;
const DAY = 86_400_000;
const CREATE = `mutation($input: CreateInteractionInput!) { createInteraction(input: $input) { id occurredAt } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateInteractionInput!) { updateInteraction(id: $id, input: $input) { id occurredAt } }`;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login("owner@acme.test");
  dpo = await t.login("dpo@acme.test");
  alice = await contactIdByEmail(t, "alice.martin@initech.test");
});
afterAll(() => t?.close());

const interactionCount = async () => Number((await db(t).select({ n: count() }).from(interactions))[0].n);
const create = (occurredAt: string) => t.gql(CREATE, { input: { contactId: alice, kind: "NOTE", subject: "Call back", occurredAt } }, { token: owner });

function expectRefused(res: GqlResult, field: string): void {
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({ code: "BAD_USER_INPUT", field });
  expect(res.errors?.[0]?.message).toMatch(new RegExp(`^${field.replace(".", "\\.")}: `));
}

describe("occurredAt of an interaction", () => {
  it.each([
    ["9999-12-31T00:00:00Z", "far future: never reached by retention"],
    [new Date(Date.now() + 2 * DAY).toISOString(), "more than a day ahead"],
    ["0001-01-01T00:00:00Z", "year 1 (read back as 2001 before)"],
    ["1899-12-31T23:59:59Z", "before 1900"],
  ])("refuses %s (%s) with BAD_USER_INPUT, creating nothing", async (occurredAt) => {
    const before = await interactionCount();
    expectRefused(await create(occurredAt), "input.occurredAt");
    expect(await interactionCount()).toBe(before);
  });

  it("accepts the bounds themselves, and reads them back exactly", async () => {
    const earliest = await create("1900-01-01T00:00:00Z");
    expect(earliest.errors).toBeUndefined();
    expect(earliest.data?.createInteraction.occurredAt).toBe("1900-01-01T00:00:00.000Z");
    const soon = new Date(Date.now() + DAY - 60_000).toISOString();
    const ahead = await create(soon);
    expect(ahead.errors).toBeUndefined();
    expect(ahead.data?.createInteraction.occurredAt).toBe(soon);
  });

  it("updateInteraction refuses an out-of-range occurredAt and leaves the row as it was", async () => {
    const made = await create("2026-01-15T10:00:00Z");
    const id = made.data!.createInteraction.id as string;
    for (const occurredAt of ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z"]) {
      expectRefused(await t.gql(UPDATE, { id, input: { occurredAt, subject: "changed" } }, { token: owner }), "input.occurredAt");
    }
    const [row] = await db(t).select().from(interactions).where(eq(interactions.id, id));
    expect(row).toMatchObject({ occurredAt: new Date("2026-01-15T10:00:00Z"), subject: "Call back" });
  });
});

describe("detectedAt of a breach", () => {
  it("refuses a date before 1900, recording nothing", async () => {
    const before = Number((await db(t).select({ n: count() }).from(breaches))[0].n);
    const res = await t.gql(
      `mutation($input: ReportBreachInput!) { reportBreach(input: $input) { id } }`,
      {
        input: {
          description: "A laptop with an export was stolen.",
          detectedAt: "0001-01-01T00:00:00Z",
          severity: "HIGH",
          effects: "Names and emails of some contacts.",
          remedialAction: "Disk was encrypted; credentials rotated.",
        },
      },
      { token: dpo, purpose: "legal_compliance" },
    );
    expectRefused(res, "input.detectedAt");
    expect(Number((await db(t).select({ n: count() }).from(breaches))[0].n)).toBe(before);
  });
});

describe("filter bounds only need to be valid dates", () => {
  it("accepts year 1 and year 9999 in createdAfter/createdBefore", async () => {
    const res = await t.gql(
      `query($f: ContactFilter) { contacts(first: 1, filter: $f) { totalCount } }`,
      { f: { createdAfter: "0001-01-01T00:00:00Z", createdBefore: "9999-12-31T23:59:59Z" } },
      { token: owner },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.contacts.totalCount).toBeGreaterThan(0);
  });
});
