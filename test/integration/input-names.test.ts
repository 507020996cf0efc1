import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER } from "../../src/db/migrate.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

// Every bad input is BAD_USER_INPUT naming its field, a variable as a literal: `input.email`
// for `$input: CreateContactInput!`. A phone number is E.164, as the schema describes it.

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  token = await t.login("owner@acme.test");
});
afterAll(() => t.close());

const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) { id phone } }`;
const person = { firstName: "Ann", lastName: "Lee" };

async function expectNamed(res: Awaited<ReturnType<TestApp["gql"]>>, field: string, message?: RegExp) {
  expect(res.errors, JSON.stringify(res.data)).toBeDefined();
  const [error] = res.errors!;
  expect(error.extensions, JSON.stringify(error)).toMatchObject({ code: "BAD_USER_INPUT", field });
  expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
  if (message) expect(error.message).toMatch(message);
  expect(error.message).not.toMatch(/^Variable "\$/);
}

describe("a bad variable names the variable and the field inside it", () => {
  it("an invalid email inside $input -> input.email", async () => {
    const res = await t.gql(CREATE, { input: { ...person, email: "nope" } }, { token });
    expect(res.status).toBe(200);
    await expectNamed(res, "input.email", /email address/);
  });

  it("as graphql-response+json the same error is HTTP 400", async () => {
    const res = await t.gql(CREATE, { input: { ...person, email: "nope" } }, { token, headers: { accept: "application/graphql-response+json" } });
    expect(res.status).toBe(400);
    await expectNamed(res, "input.email");
  });

  it("a missing required field inside $input -> input.firstName", async () => {
    const res = await t.gql(CREATE, { input: { lastName: "Lee" } }, { token });
    await expectNamed(res, "input.firstName");
  });

  it("an unknown field inside $input -> input.nickname", async () => {
    const res = await t.gql(CREATE, { input: { ...person, nickname: "Annie" } }, { token });
    await expectNamed(res, "input.nickname");
  });

  it("a top-level scalar variable -> its name", async () => {
    const res = await t.gql(`mutation($e: EmailAddress!) { login(email: $e, password: "x") { token } }`, { e: "not-an-email" });
    await expectNamed(res, "e");
  });

  it("a variable of the wrong type in a list position -> the variable", async () => {
    const res = await t.gql(`query($ids: [ID!]) { contacts(filter: { ids: $ids }) { totalCount } }`, { ids: ["a", null] }, { token });
    await expectNamed(res, "ids.1");
  });
});

describe("PhoneNumber is E.164, as its description says", () => {
  const E164_MESSAGE = /E\.164.*\+33612345678/;

  it.each(["0612", "hello", "+33 6 12 34 56 78", "+0612345678", "+1234567890123456"])("the variable %j is refused, naming input.phone", async (phone) => {
    const res = await t.gql(CREATE, { input: { ...person, phone } }, { token });
    await expectNamed(res, "input.phone", E164_MESSAGE);
  });

  it.each(["0612", "hello"])("the literal %j is refused, naming input.phone", async (phone) => {
    const res = await t.gql(`mutation { createContact(input: { firstName: "Ann", lastName: "Lee", phone: ${JSON.stringify(phone)} }) { id } }`, {}, { token });
    await expectNamed(res, "input.phone", E164_MESSAGE);
  });

  it("updateContact refuses it too", async () => {
    const res = await t.gql(
      `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }`,
      { id: "00000000-0000-4000-8000-000000000000", input: { phone: "0612" } },
      { token },
    );
    await expectNamed(res, "input.phone", E164_MESSAGE);
  });

  it("an E.164 number is stored and read back as a PhoneNumber", async () => {
    const res = await t.gql(CREATE, { input: { ...person, phone: "+33612345678" } }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createContact.phone).toBe("+33612345678");
    const type = await t.gql(`{ __type(name: "Contact") { fields { name type { kind name } } } }`, {}, { token });
    const phone = type.data!.__type.fields.find((f: { name: string }) => f.name === "phone");
    expect(phone.type).toEqual({ kind: "SCALAR", name: "PhoneNumber" });
  });
});

describe("migration 0004 normalises stored phone numbers that are not E.164", () => {
  it("drops formatting, turns 00 into +, and nulls what has no country", async () => {
    const db = t.app.database.handle();
    const stored: Record<string, string> = {
      "alice.martin@initech.test": "+33 6 12 34 56 01",
      "bruno.bernard@initech.test": "0033 (6) 12-34.56/02",
      "chloe.dubois@umbrella.test": "0612",
      "david.thomas@umbrella.test": "hello",
      "emma.robert@hooli.test": "+33612345605",
    };
    for (const [email, phone] of Object.entries(stored)) await db.execute(sql`update contacts set phone = ${phone} where email = ${email}`);
    const migration = readFileSync(join(MIGRATIONS_FOLDER, "0005_normalize_phones.sql"), "utf8");
    for (const statement of migration.split("--> statement-breakpoint")) await db.execute(sql.raw(statement));
    const rows = (await db.execute(sql`select email, phone from contacts where email in ${Object.keys(stored)} order by email`)) as unknown as
      | { rows: Array<{ email: string; phone: string | null }> }
      | Array<{ email: string; phone: string | null }>;
    const list = Array.isArray(rows) ? rows : rows.rows;
    expect(Object.fromEntries(list.map((r) => [r.email, r.phone]))).toEqual({
      "alice.martin@initech.test": "+33612345601",
      "bruno.bernard@initech.test": "+33612345602",
      "chloe.dubois@umbrella.test": null,
      "david.thomas@umbrella.test": null,
      "emma.robert@hooli.test": "+33612345605",
    });
  });
});
