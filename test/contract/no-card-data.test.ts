import { getTableColumns, getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema/index.js";

// Privacy policy: payments are processed by Stripe; only the Stripe customer id is stored,
// never card or bank data. Any column whose name looks like payment data fails this test.
const PAYMENT_DATA = [
  /card/,
  /(^|_)pan($|_)/,
  /cvc/,
  /cvv/,
  /csc($|_)/,
  // expires_at (sessions, tokens) is not card data; a card's expiry date is.
  /expiry/,
  /expiration_(month|year|date)/,
  /(^|_)exp_(month|year|date)/,
  /iban/,
  /(^|_)bic($|_)/,
  /swift/,
  /account_?(number|no)/,
  /routing/,
  /sort_?code/,
  /bank/,
  /(^|_)ccn?($|_)/,
  /payment_method/,
];

const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));

describe("no card or bank data in the database", () => {
  it("finds the tables (the scanner works)", () => {
    expect(tables.map((t) => getTableName(t))).toEqual(expect.arrayContaining(["workspaces", "users", "contacts", "stripe_events"]));
  });

  it("has no column that looks like card or bank data, in any table", () => {
    const suspicious = tables.flatMap((table) =>
      Object.values(getTableColumns(table))
        .map((column) => column.name.toLowerCase())
        .filter((name) => PAYMENT_DATA.some((pattern) => pattern.test(name)))
        .map((name) => `${getTableName(table)}.${name}`),
    );
    expect(suspicious).toEqual([]);
  });

  it("the only Stripe reference is the customer id on workspaces", () => {
    const stripeColumns = tables.flatMap((table) =>
      Object.values(getTableColumns(table))
        .filter((column) => column.name.startsWith("stripe"))
        .map((column) => `${getTableName(table)}.${column.name}`),
    );
    expect(stripeColumns).toEqual(["workspaces.stripe_customer_id"]);
  });

  it("the patterns catch what they are for", () => {
    for (const name of ["card_number", "pan", "card_pan", "cvc", "cvv2", "expiry", "exp_month", "iban", "account_number", "bank_account"]) {
      expect(
        PAYMENT_DATA.some((p) => p.test(name)),
        name,
      ).toBe(true);
    }
  });
});
