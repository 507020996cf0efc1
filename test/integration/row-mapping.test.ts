// The hot selects map their rows by hand (src/modules/common/entity-store.ts selectMapped):
// every value must be what drizzle's own mapper gives for the same column, on both drivers
// (timestamps with time zone and milliseconds, numeric amounts, text arrays, booleans, NULLs,
// jsonb, unicode), and the linked person's state must sit under the relation name as before
// (`undefined` when no person is linked). The reference here is a plain drizzle select.
import { PLATFORM_WORKSPACE_ID } from "../../src/db/tenancy.js";
import { asc, eq, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERSON_STATE_FIELDS } from "../../src/authz/gates.js";
import type { Subject } from "../../src/authz/registry.js";
import type { Db } from "../../src/db/client.js";
import { apiTokens, auditLog, contacts, deals, interactions, legalHolds, usageEvents } from "../../src/db/schema/index.js";
import { findByIds, findGrouped, findWhere } from "../../src/modules/common/entity-store.js";
import { registry } from "../../src/modules/registry.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, userId, workspaceId } from "../helpers/fixtures.js";

type Row = Record<string, unknown> & { id: string };
let t: TestApp;
let d: Db;

/** What drizzle's own mapper gives: the subject's columns, the person's state under the relation. */
async function reference(subject: Subject, where: SQL = sql`true`): Promise<Row[]> {
  const key = subject.columns[subject.key];
  const link = subject.personLink;
  if (!link)
    return (await d
      .select(subject.selected as Record<string, PgColumn>)
      .from(subject.table)
      .where(where)
      .orderBy(asc(key))) as Row[];
  const person = registry.get(link.subject);
  const state = Object.fromEntries(PERSON_STATE_FIELDS.map((f) => [`state_${f}`, person.columns[f]]));
  const raw = (await d
    .select({ ...(subject.selected as Record<string, PgColumn>), ...state })
    .from(subject.table)
    .leftJoin(person.table, eq(person.columns[person.key], link.foreignKey))
    .where(where)
    .orderBy(asc(key))) as Array<Record<string, unknown>>;
  return raw.map((r) => {
    const row: Record<string, unknown> = {};
    const s: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k.startsWith("state_")) s[k.slice("state_".length)] = v;
      else row[k] = v;
    }
    row[link.relation] = s.processingRestricted === null ? undefined : s;
    return row as Row;
  });
}

const byKey = (subject: Subject) => (a: Row, b: Row) => String(a[subject.key]).localeCompare(String(b[subject.key]));

beforeAll(async () => {
  t = await startTestApp();
  d = db(t);
  const ws = await workspaceId(t, "Acme");
  const owner = await userId(t, "owner@acme.test");
  const [odd, bare] = await d
    .insert(contacts)
    .values([
      {
        workspaceId: ws,
        firstName: "Zoë 😀 Ŝ",
        lastName: 'O\'Brien "漢字" \\ ,{}',
        email: "zoë@例え.test",
        consentedPurposes: ["marketing_email", "a,b", 'quote"d', "{brace}", "NULL"],
        objectedPurposes: ["service_provision"],
        processingRestricted: true,
        erasedAt: new Date("2026-03-04T05:06:07.089Z"),
      },
      { workspaceId: ws, firstName: "", lastName: "Bare", consentedPurposes: [], objectedPurposes: [] },
    ])
    .returning({ id: contacts.id });
  await d.insert(deals).values([
    { workspaceId: ws, contactId: odd.id, title: "Largest", amount: 999999999999.99, closedAt: new Date("1999-12-31T23:59:59.999Z") },
    { workspaceId: ws, contactId: odd.id, title: "Cent", amount: 0.01 },
    { workspaceId: ws, contactId: bare.id, title: "Negative ½", amount: -123456789012.34 },
    { workspaceId: ws, contactId: null, title: "No person", amount: null },
  ]);
  await d.insert(interactions).values([
    { workspaceId: ws, contactId: odd.id, kind: "note", purpose: "sales_pipeline", subject: "Ünïcode", body: "line\nbreak\ttab 𝄞" },
    { workspaceId: ws, contactId: bare.id, kind: "call", purpose: "customer_support", subject: null, body: null },
  ]);
  await d.insert(usageEvents).values([
    { workspaceId: ws, userId: owner, kind: "feature", detail: { name: "ß😀", nested: { list: [1, "2", null, true], empty: [] }, n: 1.5e300 } },
    { workspaceId: ws, userId: owner, kind: "page_view", detail: null },
    { workspaceId: ws, userId: owner, kind: "page_view", detail: "a string" },
    { workspaceId: ws, userId: owner, kind: "page_view", detail: [] },
  ]);
  await d.insert(auditLog).values([
    { workspaceId: ws, actorId: owner, action: "read", subject: "Contact", decision: "deny", detail: { why: "ünï 😀", deep: [{}, []] } },
    { workspaceId: PLATFORM_WORKSPACE_ID, action: "sign_in", subject: "User", decision: "allow", detail: null },
  ]);
  const expiresAt = new Date("2099-01-01T00:00:00.001Z");
  await d.insert(apiTokens).values([
    {
      workspaceId: ws,
      userId: owner,
      name: "Ünï 😀",
      lookup: "l1",
      secretHash: "h1",
      scopes: [],
      purposes: ["service_provision"],
      defaultPurpose: "service_provision",
      expiresAt,
    },
  ]);
  await d.insert(legalHolds).values([
    { workspaceId: ws, contactId: odd.id, reason: "Rechtsstreit §", placedById: owner },
    { workspaceId: ws, contactId: null, reason: "all" },
  ]);
});

afterAll(() => t?.close());

// No demo rows and none inserted here (their columns are of the types covered above).
const UNSEEDED = new Set(["Breach", "PolicyVersion", "PrivacyRequest", "Webhook"]);

describe("hand row mapping", () => {
  for (const name of registry.names) {
    it(`${name}: findWhere and findByIds give drizzle's rows`, async () => {
      const subject = registry.get(name);
      const key = subject.columns[subject.key];
      const expected = await reference(subject);
      if (!UNSEEDED.has(name)) expect(expected.length, `${name} has rows to compare`).toBeGreaterThan(0);
      const got = await findWhere<Row>(d, registry, subject, sql`true`, [sql`${key} asc`]);
      expect(got).toStrictEqual(expected);
      // By id: the subjects with uuid keys (the API looks rows up by uuid only).
      if (key.getSQLType() !== "uuid") return;
      const ids = expected.map((r) => r[subject.key] as string);
      const byIds = await findByIds<Row>(d, registry, subject, ids, sql`true`);
      expect(byIds.sort(byKey(subject))).toStrictEqual([...expected].sort(byKey(subject)));
    });
  }

  // The ranked (per parent) select reads its columns from a subquery, the person's state
  // under aliases: the same values again.
  const parents: Array<[string, string]> = [
    ["Deal", "contactId"],
    ["Interaction", "contactId"],
    ["ConsentEvent", "contactId"],
    ["Contact", "workspaceId"],
    ["UsageEvent", "userId"],
  ];
  for (const [name, parentKey] of parents) {
    it(`${name} grouped by ${parentKey}: findGrouped gives drizzle's rows`, async () => {
      const subject = registry.get(name);
      const parent = subject.columns[parentKey];
      const expected = await reference(subject, sql`${parent} is not null`);
      expect(expected.length).toBeGreaterThan(0);
      const parentIds = [...new Set(expected.map((r) => r[parentKey] as string))];
      const order = subject.columns.createdAt ?? subject.columns.occurredAt;
      const got = await findGrouped<Row>(d, registry, subject, parent, parentIds, sql`true`, order, 10_000);
      expect(got.sort(byKey(subject))).toStrictEqual([...expected].sort(byKey(subject)));
    });
  }

  it("keeps the edge values themselves (not only agreement)", async () => {
    const subject = registry.get("Deal");
    const rows = await findWhere<Row>(d, registry, subject, sql`true`, [sql`${subject.columns.id} asc`]);
    const largest = rows.find((r) => r.title === "Largest")!;
    expect(largest.amount).toBe(999999999999.99);
    expect((largest.closedAt as Date).toISOString()).toBe("1999-12-31T23:59:59.999Z");
    expect(largest.contact).toMatchObject({ processingRestricted: true, consentedPurposes: ["marketing_email", "a,b", 'quote"d', "{brace}", "NULL"] });
    expect((largest.contact as { erasedAt: Date }).erasedAt.toISOString()).toBe("2026-03-04T05:06:07.089Z");
    const orphan = rows.find((r) => r.title === "No person")!;
    expect(orphan.amount).toBeNull();
    expect("contact" in orphan && orphan.contact).toBeUndefined();
  });
});
