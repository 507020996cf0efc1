// The SQL filter (`accessibleWhere`) and the in-memory check (`ability.can`) are two compilations
// of the same CASL rules. A list query filters with the first, a single get or a mutation with
// the second: wherever they disagree, a row is listed but cannot be opened (or worse, opened
// and not listed, or listed while a deny says no). These tests run both against a real database.
import "reflect-metadata";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMongoAbility, subject as asSubject, type RawRuleOf } from "@casl/ability";
import { inArray, sql, type SQL } from "drizzle-orm";
import { PgDialect, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { buildAbility, type AppAbility, type Principal } from "../../src/authz/ability.js";
import { loadPolicies, POLICIES_DIR, PolicyError, type PolicySet } from "../../src/authz/policy-loader.js";
import { accessibleWhere } from "../../src/authz/sql-filter.js";
import { PERSON_STATE_FIELDS } from "../../src/authz/gates.js";
import { CONDITION_OPERATORS, type ConditionField, type ConditionType } from "../../src/authz/subjects.js";
import { registry } from "../../src/modules/registry.js";
import type { Db, Database } from "../../src/db/client.js";
import { companies, contacts, DEAL_STAGES, deals, INTERACTION_KINDS, interactions, users, workspaces } from "../../src/db/schema/index.js";
import { findByIds } from "../../src/modules/common/entity-store.js";
import { testDatabase } from "../helpers/database.js";

type Row = Record<string, unknown> & { id: string };
type RawRule = RawRuleOf<AppAbility>;

const ACTIONS = ["read", "update", "delete"] as const;
const TABLE_SUBJECTS = ["Contact", "Company", "Deal", "Interaction", "User", "Workspace"] as const;
type TableSubject = (typeof TABLE_SUBJECTS)[number];

const TABLES: Record<TableSubject, { table: PgTable; id: PgColumn }> = {
  Contact: { table: contacts, id: contacts.id },
  Company: { table: companies, id: companies.id },
  Deal: { table: deals, id: deals.id },
  Interaction: { table: interactions, id: interactions.id },
  User: { table: users, id: users.id },
  Workspace: { table: workspaces, id: workspaces.id },
};

// Deals and interactions are loaded the way the app loads them (entity-store.ts), so the rows
// `can()` sees carry the same `contact` snapshot as in production, or `undefined` without one.
const PERSON_SPECS: Partial<Record<TableSubject, true>> = { Deal: true, Interaction: true };

const CONSENT_PURPOSES = ["marketing_email", "marketing_sms"] as const;
const OBJECTABLE_PURPOSES = ["sales_pipeline", "analytics"] as const;
const ERASED_AT = new Date("2024-05-01T00:00:00.000Z");

function subsets<T>(items: readonly T[]): T[][] {
  const all: T[][] = [[]];
  for (const item of items) for (const s of [...all]) all.push([...s, item]);
  return all;
}

let database: Database;
let db: Db;
let policies: PolicySet;
const ids = {} as {
  ws1: string;
  ws2: string;
  me: string;
  other: string;
  stranger: string;
  comp1: string;
  comp2: string;
  /** One contact of workspace 1 that random interactions may hang on. */
  anchorContact: string;
};
/** Every fixture row of each table, as `can()` sees it. */
const fixture = {} as Record<TableSubject, Row[]>;
const counts = { realCombos: 0, realRowChecks: 0, propertyRuns: 0, propertyRowChecks: 0, regressionRowChecks: 0 };

function principal(role: string): Principal {
  return { kind: role === "system" ? "system" : "user", userId: ids.me, workspaceId: ids.ws1, role, email: "me@one.test", name: "Me" };
}

async function loadRows(subject: TableSubject, only?: string[]): Promise<Row[]> {
  const { table, id } = TABLES[subject];
  const spec = PERSON_SPECS[subject];
  if (spec) {
    const all = only ?? ((await db.select({ id }).from(table)) as Array<{ id: string }>).map((r) => r.id);
    return all.length === 0 ? [] : findByIds<Row>(db, registry, registry.get(subject), all, sql`true`);
  }
  const query = db.select().from(table);
  return (await (only ? query.where(inArray(id, only)) : query)) as Row[];
}

async function sqlIds(ability: AppAbility, action: string, subject: TableSubject): Promise<Set<string>> {
  const { table, id } = TABLES[subject];
  const rows = (await db
    .select({ id })
    .from(table)
    .where(accessibleWhere(registry, ability, action, subject))) as Array<{ id: string }>;
  return new Set(rows.map((r) => r.id));
}

function canIds(ability: AppAbility, action: string, subject: TableSubject, rows: Row[]): Set<string> {
  return new Set(rows.filter((row) => ability.can(action, asSubject(subject, row))).map((r) => r.id));
}

interface Mismatch {
  subject: string;
  action: string;
  /** Rows the SQL filter returns but `can()` refuses. */
  onlySql: Row[];
  /** Rows `can()` allows but the SQL filter leaves out. */
  onlyCan: Row[];
}

async function compare(
  ability: AppAbility,
  action: string,
  subject: TableSubject,
  rows: Row[],
): Promise<{ mismatch?: Mismatch; sql: Set<string>; can: Set<string> }> {
  const known = new Set(rows.map((r) => r.id));
  const fromSql = new Set([...(await sqlIds(ability, action, subject))].filter((id) => known.has(id)));
  const fromCan = canIds(ability, action, subject, rows);
  const onlySql = rows.filter((r) => fromSql.has(r.id) && !fromCan.has(r.id));
  const onlyCan = rows.filter((r) => fromCan.has(r.id) && !fromSql.has(r.id));
  return { sql: fromSql, can: fromCan, mismatch: onlySql.length + onlyCan.length > 0 ? { subject, action, onlySql, onlyCan } : undefined };
}

function brief(row: Row): Record<string, unknown> {
  const keep = [
    "id",
    "workspaceId",
    "ownerId",
    "companyId",
    "contactId",
    "stage",
    "kind",
    "purpose",
    "consentedPurposes",
    "objectedPurposes",
    "processingRestricted",
    "erasedAt",
    "contact",
  ];
  return Object.fromEntries(keep.filter((k) => k in row).map((k) => [k, row[k]]));
}

function describeMismatch(m: Mismatch): string {
  return JSON.stringify({
    subject: m.subject,
    action: m.action,
    onlySql: m.onlySql.slice(0, 3).map(brief),
    onlyCan: m.onlyCan.slice(0, 3).map(brief),
    counts: [m.onlySql.length, m.onlyCan.length],
  });
}

async function seed(): Promise<void> {
  const [ws1, ws2] = await db
    .insert(workspaces)
    .values([{ name: "One" }, { name: "Two" }])
    .returning({ id: workspaces.id });
  const [me, other, stranger] = await db
    .insert(users)
    .values([
      { workspaceId: ws1.id, email: "me@one.test", name: "Me", passwordHash: "x", role: "owner" },
      { workspaceId: ws1.id, email: "other@one.test", name: "Other", passwordHash: "x", role: "sales_rep" },
      { workspaceId: ws2.id, email: "stranger@two.test", name: "Stranger", passwordHash: "x", role: "owner" },
    ])
    .returning({ id: users.id });
  const [comp1, comp2] = await db
    .insert(companies)
    .values([
      { workspaceId: ws1.id, ownerId: me.id, name: "Acme" },
      { workspaceId: ws2.id, ownerId: stranger.id, name: "Globex" },
      { workspaceId: ws1.id, ownerId: null, name: "Initech" },
    ])
    .returning({ id: companies.id });
  Object.assign(ids, { ws1: ws1.id, ws2: ws2.id, me: me.id, other: other.id, stranger: stranger.id, comp1: comp1.id, comp2: comp2.id });

  // Workspace 1: every combination of privacy state, company link and owner.
  const contactValues: Array<typeof contacts.$inferInsert> = [];
  let n = 0;
  for (const consented of subsets(CONSENT_PURPOSES))
    for (const objected of subsets(OBJECTABLE_PURPOSES))
      for (const restricted of [false, true])
        for (const erased of [false, true])
          for (const companyId of [null, comp1.id])
            for (const ownerId of [me.id, other.id, null]) {
              contactValues.push({
                workspaceId: ws1.id,
                companyId,
                ownerId,
                firstName: "C",
                lastName: String(n++),
                consentedPurposes: consented,
                objectedPurposes: objected,
                processingRestricted: restricted,
                erasedAt: erased ? ERASED_AT : null,
              });
            }
  // Workspace 2: every privacy state again, out of the principal's reach.
  for (const consented of subsets(CONSENT_PURPOSES))
    for (const objected of subsets(OBJECTABLE_PURPOSES))
      for (const restricted of [false, true])
        for (const erased of [false, true]) {
          contactValues.push({
            workspaceId: ws2.id,
            companyId: n % 2 ? comp2.id : null,
            ownerId: n % 3 ? stranger.id : null,
            firstName: "C",
            lastName: String(n++),
            consentedPurposes: consented,
            objectedPurposes: objected,
            processingRestricted: restricted,
            erasedAt: erased ? ERASED_AT : null,
          });
        }
  const inserted = await db
    .insert(contacts)
    .values(contactValues)
    .returning({ id: contacts.id, workspaceId: contacts.workspaceId, ownerId: contacts.ownerId, companyId: contacts.companyId });
  ids.anchorContact = inserted[0].id;

  const owners = (ws: string) => (ws === ws1.id ? [me.id, other.id, null] : [stranger.id, null]);
  const dealValues: Array<typeof deals.$inferInsert> = inserted.map((c, i) => ({
    workspaceId: c.workspaceId,
    contactId: c.id,
    companyId: c.companyId,
    ownerId: owners(c.workspaceId)[i % owners(c.workspaceId).length],
    title: `Deal ${i}`,
    stage: DEAL_STAGES[i % DEAL_STAGES.length],
  }));
  // Deals with no contact: no person behind them.
  for (const [i, stage] of DEAL_STAGES.entries()) {
    dealValues.push({ workspaceId: ws1.id, contactId: null, ownerId: [me.id, other.id, null][i % 3], title: `Orphan ${i}`, stage });
    dealValues.push({ workspaceId: ws2.id, contactId: null, ownerId: stranger.id, title: `Orphan 2.${i}`, stage });
  }
  const insertedDeals = await db.insert(deals).values(dealValues).returning({ id: deals.id, contactId: deals.contactId });
  const dealOf = new Map(insertedDeals.map((d) => [d.contactId, d.id]));

  const purposeIds = [...policies.purposes.keys()];
  const interactionValues: Array<typeof interactions.$inferInsert> = inserted.flatMap((c, i) => [
    {
      workspaceId: c.workspaceId,
      contactId: c.id,
      dealId: i % 2 ? dealOf.get(c.id) : null,
      ownerId: owners(c.workspaceId)[i % owners(c.workspaceId).length],
      kind: INTERACTION_KINDS[i % INTERACTION_KINDS.length],
      purpose: purposeIds[i % purposeIds.length],
    },
    {
      workspaceId: c.workspaceId,
      contactId: c.id,
      ownerId: c.ownerId,
      kind: INTERACTION_KINDS[(i + 2) % INTERACTION_KINDS.length],
      purpose: purposeIds[(i + 4) % purposeIds.length],
    },
  ]);
  await db.insert(interactions).values(interactionValues);

  for (const subject of TABLE_SUBJECTS) fixture[subject] = await loadRows(subject);
}

beforeAll(async () => {
  database = await testDatabase();
  db = database.handle();
  policies = loadPolicies(registry);
  await seed();
});

afterAll(async () => {
  // Printed so a reader of the run sees how much was compared.
  console.log(`sql-filter agreement: ${JSON.stringify(counts)}`);
  await database?.close();
});

describe("fixture", () => {
  it("covers every privacy state and both workspaces", () => {
    expect(fixture.Contact.length).toBe(384 + 64);
    const ws1 = fixture.Contact.filter((c) => c.workspaceId === ids.ws1);
    const states = new Set(
      ws1.map((c) =>
        JSON.stringify([c.consentedPurposes, c.objectedPurposes, c.processingRestricted, c.erasedAt !== null, c.companyId !== null, c.ownerId === ids.me]),
      ),
    );
    expect(states.size).toBe(4 * 4 * 2 * 2 * 2 * 2);
    expect(fixture.Deal.filter((d) => d.contactId === null).length).toBe(2 * DEAL_STAGES.length);
    expect(fixture.Interaction.length).toBe(2 * fixture.Contact.length);
  });

  it("loads deals and interactions with the contact snapshot entity-store.ts gives them", () => {
    const orphan = fixture.Deal.find((d) => d.contactId === null)!;
    expect(orphan.contact).toBeUndefined();
    const linked = fixture.Interaction[0];
    const person = fixture.Contact.find((c) => c.id === linked.contactId)!;
    expect(linked.contact).toEqual({
      consentedPurposes: person.consentedPurposes,
      objectedPurposes: person.objectedPurposes,
      processingRestricted: person.processingRestricted,
      erasedAt: person.erasedAt,
    });
  });
});

describe("real policies: SQL filter == can() for every role x purpose x action x subject", () => {
  // Role names are needed before beforeAll loads the policies; the first test keeps the list honest.
  const ROLES = ["owner", "sales_rep", "support", "marketing", "dpo", "auditor", "system"];
  const purposes = () => [...policies.purposes.keys(), "no_such_purpose"];

  it("covers every role in policies/roles", () => {
    expect([...policies.roles.keys()].sort()).toEqual([...ROLES].sort());
  });

  it.each([...ROLES, "no_such_role"])("role %s", async (role) => {
    const mismatches: string[] = [];
    let visible = 0;
    for (const purpose of purposes()) {
      const ability = buildAbility(policies, principal(role), purpose);
      const usable = policies.roles.get(role)?.purposes.includes(purpose) ?? false;
      for (const action of ACTIONS) {
        for (const subject of TABLE_SUBJECTS) {
          const result = await compare(ability, action, subject, fixture[subject]);
          counts.realCombos += 1;
          counts.realRowChecks += fixture[subject].length;
          visible += result.sql.size;
          if (result.mismatch) mismatches.push(`${purpose}: ${describeMismatch(result.mismatch)}`);
          if (!usable && (result.sql.size > 0 || result.can.size > 0)) {
            mismatches.push(`${purpose} is not a purpose of ${role}, yet ${action} ${subject} gives sql=${result.sql.size} can=${result.can.size}`);
          }
          // Nothing of another workspace, ever.
          const foreign = fixture[subject].filter((r) => result.sql.has(r.id) && (r.workspaceId ?? r.id) !== ids.ws1);
          if (foreign.length > 0) mismatches.push(`${purpose}: ${action} ${subject} returns ${foreign.length} rows of workspace 2`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Not vacuous: every real role sees something under its own purposes.
    if (role !== "no_such_role") expect(visible).toBeGreaterThan(0);
    else expect(visible).toBe(0);
  });

  it("applies the purpose guards (spot checks on the fixture)", async () => {
    const owner = (purpose: string) => buildAbility(policies, principal("owner"), purpose);
    const visible = async (purpose: string, subject: TableSubject) => {
      const found = await sqlIds(owner(purpose), "read", subject);
      return fixture[subject].filter((r) => found.has(r.id));
    };
    const email = await visible("marketing_email", "Contact");
    expect(email.length).toBeGreaterThan(0);
    expect(email.every((c) => (c.consentedPurposes as string[]).includes("marketing_email") && !c.processingRestricted && c.erasedAt === null)).toBe(true);
    const pipeline = await visible("sales_pipeline", "Deal");
    expect(pipeline.some((d) => d.contact === undefined)).toBe(true);
    expect(pipeline.every((d) => d.contact === undefined || !(d.contact as { objectedPurposes: string[] }).objectedPurposes.includes("sales_pipeline"))).toBe(
      true,
    );
    const legal = await visible("legal_compliance", "Contact");
    expect(legal.some((c) => c.erasedAt !== null && c.processingRestricted)).toBe(true);
    // Consent purposes hide deals without a person: there is nobody who consented.
    expect((await visible("marketing_sms", "Deal")).some((d) => d.contact === undefined)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random rule sets, exactly within what the policy loader accepts.

const PERSON_SUBJECTS = ["Contact", "Deal", "Interaction"] as const;
type PersonSubject = (typeof PERSON_SUBJECTS)[number];
const ARRAY_VALUES = ["marketing_email", "marketing_sms", "sales_pipeline", "analytics", "service_provision"];
const PLACEHOLDERS = ["${user.id}", "${user.workspaceId}"] as const;
const GHOST = "00000000-0000-4000-8000-000000000000";
const POOL_SIZE = 6;
const pool = (prefix: string) => Array.from({ length: POOL_SIZE }, (_, i) => `${prefix}${String(i).padStart(12, "0")}`);
/** Ids the random rows of a run take: conditions on `id` can then name them. */
const RANDOM_IDS = { Contact: pool("a0000000-0000-4000-8000-"), Deal: pool("b0000000-0000-4000-8000-"), Interaction: pool("c0000000-0000-4000-8000-") };

/** Ids and strings worth comparing a uuid or text field with: some match rows, GHOST and "m" none. */
function valuesOf(subject: PersonSubject, field: string): string[] {
  switch (field) {
    case "id":
      return [...RANDOM_IDS[subject].slice(0, 3), fixture[subject][0].id, GHOST];
    case "workspaceId":
      return [ids.ws1, ids.ws2, GHOST];
    case "ownerId":
      return [ids.me, ids.other, ids.stranger, GHOST];
    case "companyId":
      return [ids.comp1, ids.comp2, GHOST];
    case "contactId":
      return [...RANDOM_IDS.Contact.slice(0, 3), ids.anchorContact, GHOST];
    case "stage":
      return [...DEAL_STAGES, "m"];
    case "kind":
      return [...INTERACTION_KINDS, "m"];
    case "purpose":
      return [...policies.purposes.keys(), "m"];
    case "consentedPurposes":
    case "objectedPurposes":
      return ARRAY_VALUES;
  }
  throw new Error(`no values for ${subject}.${field}`);
}

/**
 * Every single operand the loader accepts for the field (policy-loader.ts operandProblem): ids or
 * placeholders for uuid fields, unquoted booleans, strings, only null for timestamps, null on
 * nullable fields; an array field compares with its string elements.
 * Two accepted spellings are kept out, each with a failing test under "known disagreements":
 * upper-case uuids and strings holding NUL.
 */
function operandsOf(subject: PersonSubject, field: string, spec: ConditionField): unknown[] {
  const typed: Record<ConditionType, () => unknown[]> = {
    uuid: () => [...valuesOf(subject, field), ...PLACEHOLDERS],
    text: () => valuesOf(subject, field),
    "text[]": () => valuesOf(subject, field),
    boolean: () => [true, false],
    timestamp: () => [],
  };
  return [...typed[spec.type](), ...(spec.nullable && !spec.array ? [null] : [])];
}

/** The subject's own condition fields, and through `contact.` only the person's state. */
function conditionKeys(subject: PersonSubject): string[] {
  const own = Object.keys(registry.get(subject).conditionFields);
  const related = Object.keys(registry.get(subject).relations ?? {});
  return [...own, ...related.flatMap((r) => PERSON_STATE_FIELDS.map((f) => `${r}.${f}`))];
}

/** A value for one condition key, as a policy file could write it. */
function conditionArb(subject: PersonSubject, key: string): fc.Arbitrary<unknown> {
  const [head, tail] = key.split(".");
  const owner = tail ? (registry.get(subject).relations![head].subject as PersonSubject) : subject;
  const field = tail ?? head;
  const spec = registry.get(owner).conditionFields[field];
  const values = operandsOf(owner, field, spec);
  const scalar = fc.constantFrom(...values);
  // Lists may be empty, and on a nullable field may hold null.
  const list = fc.shuffledSubarray(values, { maxLength: Math.min(3, values.length) });
  const ops: Record<string, fc.Arbitrary<unknown>> = { $eq: scalar, $ne: scalar, $in: list, $nin: list };
  if (spec.array) ops.$all = list;
  const operators = fc
    .shuffledSubarray(Object.keys(ops), { minLength: 1, maxLength: 2 })
    .chain((names) => fc.tuple(...names.map((name) => ops[name].map((v) => [name, v] as const))))
    .map((pairs) => Object.fromEntries(pairs));
  return fc.oneof(scalar, operators, operators);
}

function conditionsArb(subject: PersonSubject): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .shuffledSubarray(conditionKeys(subject), { minLength: 1, maxLength: 3 })
    .chain((keys) => fc.tuple(...keys.map((k) => conditionArb(subject, k).map((v) => [k, v] as const))))
    .map((pairs) => Object.fromEntries(pairs));
}

const actionsArb = fc.shuffledSubarray(["read", "update", "delete", "manage"], { minLength: 1, maxLength: 2 });

function ruleArb(subject: PersonSubject): fc.Arbitrary<RawRule> {
  const spec = registry.get(subject);
  const optional = spec.policyFields.filter((f) => !spec.requiredFields.includes(f));
  const onSubject = fc.boolean().chain((inverted) =>
    fc
      .record({
        actions: actionsArb,
        // An allow that lists fields keeps the non-null ones; a deny masks only nullable ones.
        fields: fc.option(
          inverted
            ? fc.shuffledSubarray(optional, { minLength: 1, maxLength: 3 })
            : fc.shuffledSubarray(optional, { maxLength: 3 }).map((f) => [...spec.requiredFields, ...f]),
          { nil: undefined },
        ),
        conditions: fc.option(conditionsArb(subject), { nil: undefined, freq: 4 }),
      })
      .map(
        ({ actions, fields, conditions }): RawRule => ({
          action: actions,
          subject,
          inverted,
          ...(fields ? { fields } : {}),
          ...(conditions ? { conditions } : {}),
        }),
      ),
  );
  // `all` rules name neither fields nor conditions; rules on another subject must not leak in.
  const onAll = fc
    .record({ actions: actionsArb, inverted: fc.boolean() })
    .map(({ actions, inverted }): RawRule => ({ action: actions, subject: "all", inverted }));
  const onOther = conditionsArb(subject === "Deal" ? "Interaction" : "Deal").map(
    (conditions): RawRule => ({ action: "read", subject: subject === "Deal" ? "Interaction" : "Deal", conditions }),
  );
  return fc.oneof({ weight: 8, arbitrary: onSubject }, { weight: 1, arbitrary: onAll }, { weight: 1, arbitrary: onOther });
}

interface RandomRows {
  contacts: Array<typeof contacts.$inferInsert>;
  deals: Array<typeof deals.$inferInsert>;
  interactions: Array<typeof interactions.$inferInsert>;
}

function rowsArb(): fc.Arbitrary<RandomRows> {
  const contact = fc.record({
    workspaceId: fc.constantFrom(ids.ws1, ids.ws1, ids.ws2),
    companyId: fc.constantFrom(null, ids.comp1, ids.comp2),
    ownerId: fc.constantFrom(null, ids.me, ids.other, ids.stranger),
    consentedPurposes: fc.shuffledSubarray(ARRAY_VALUES, { maxLength: 3 }),
    objectedPurposes: fc.shuffledSubarray(ARRAY_VALUES, { maxLength: 3 }),
    processingRestricted: fc.boolean(),
    erasedAt: fc.constantFrom(null, ERASED_AT),
  });
  // Index into this run's contacts, the fixture anchor contact, or none.
  const link = fc.oneof(fc.nat({ max: POOL_SIZE - 1 }), fc.constant("anchor" as const), fc.constant(null));
  const deal = fc.record({
    workspaceId: fc.constantFrom(ids.ws1, ids.ws1, ids.ws2),
    ownerId: fc.constantFrom(null, ids.me, ids.other),
    stage: fc.constantFrom(...DEAL_STAGES),
    link,
  });
  const interaction = fc.record({
    workspaceId: fc.constantFrom(ids.ws1, ids.ws1, ids.ws2),
    ownerId: fc.constantFrom(null, ids.me, ids.other),
    kind: fc.constantFrom(...INTERACTION_KINDS),
    purpose: fc.constantFrom(...policies.purposes.keys()),
    link,
  });
  return fc
    .record({
      contacts: fc.array(contact, { maxLength: POOL_SIZE }),
      deals: fc.array(deal, { maxLength: POOL_SIZE }),
      interactions: fc.array(interaction, { maxLength: POOL_SIZE }),
    })
    .map((r) => {
      // A row only links within its workspace (the (workspace_id, x_id) foreign keys, #12 item 7):
      // a linked deal or interaction takes its contact's workspace, and company and owner ids
      // are moved to their counterpart in the row's workspace.
      const inWorkspace = <T extends { workspaceId: string; ownerId?: string | null; companyId?: string | null }>(row: T): T => {
        const ws1 = row.workspaceId === ids.ws1;
        const owner = row.ownerId == null ? null : ws1 ? (row.ownerId === ids.stranger ? ids.other : row.ownerId) : ids.stranger;
        const company = row.companyId == null ? row.companyId : ws1 ? ids.comp1 : ids.comp2;
        return { ...row, ownerId: owner, ...(row.companyId === undefined ? {} : { companyId: company }) };
      };
      const contactRows = r.contacts.map((c, i) => inWorkspace({ ...c, id: RANDOM_IDS.Contact[i], firstName: "R", lastName: String(i) }));
      const resolve = (l: number | "anchor" | null): { id: string; workspaceId: string } | null =>
        l === null ? null : l === "anchor" || contactRows.length === 0 ? { id: ids.anchorContact, workspaceId: ids.ws1 } : contactRows[l % contactRows.length];
      const linked = <T extends { workspaceId: string }>(row: T, contact: { id: string; workspaceId: string } | null) =>
        inWorkspace({ ...row, workspaceId: contact?.workspaceId ?? row.workspaceId, contactId: contact?.id ?? null });
      return {
        contacts: contactRows,
        deals: r.deals.map(({ link: l, ...d }, i) => linked({ ...d, id: RANDOM_IDS.Deal[i], title: `R${i}` }, resolve(l))),
        interactions: r.interactions.map(({ link: l, ...x }, i) => {
          const contact = resolve(l) ?? { id: ids.anchorContact, workspaceId: ids.ws1 };
          return { ...linked({ ...x, id: RANDOM_IDS.Interaction[i] }, contact), contactId: contact.id };
        }),
      };
    });
}

async function withRandomRows<T>(rows: RandomRows, fn: (loaded: Record<PersonSubject, Row[]>) => Promise<T>): Promise<T> {
  if (rows.contacts.length) await db.insert(contacts).values(rows.contacts);
  if (rows.deals.length) await db.insert(deals).values(rows.deals);
  if (rows.interactions.length) await db.insert(interactions).values(rows.interactions);
  try {
    const loaded = {} as Record<PersonSubject, Row[]>;
    for (const subject of PERSON_SUBJECTS) {
      const random = RANDOM_IDS[subject].slice(0, rows[subject === "Contact" ? "contacts" : subject === "Deal" ? "deals" : "interactions"].length);
      loaded[subject] = [...fixture[subject], ...(await loadRows(subject, random))];
    }
    return await fn(loaded);
  } finally {
    await db.delete(interactions).where(inArray(interactions.id, RANDOM_IDS.Interaction));
    await db.delete(deals).where(inArray(deals.id, RANDOM_IDS.Deal));
    await db.delete(contacts).where(inArray(contacts.id, RANDOM_IDS.Contact));
  }
}

function policyFile(rules: Array<Record<string, unknown>>, role: string): string {
  return stringify({
    role,
    description: "Generated by sql-filter.test.ts.",
    purposes: ["service_provision", "legal_compliance"],
    defaultPurpose: "service_provision",
    rules,
  });
}

/** Writes rules into a throw-away policies folder as `role` and loads it with the real loader. */
function loadWithRules(rules: Array<Record<string, unknown>>, role = "owner"): PolicySet {
  const root = mkdtempSync(join(tmpdir(), "alpha-policies-"));
  try {
    cpSync(join(POLICIES_DIR, "_schemas"), join(root, "_schemas"), { recursive: true });
    cpSync(join(POLICIES_DIR, "purposes.yaml"), join(root, "purposes.yaml"));
    cpSync(join(POLICIES_DIR, "retention.yaml"), join(root, "retention.yaml"));
    cpSync(join(POLICIES_DIR, "processors.yaml"), join(root, "processors.yaml"));
    cpSync(join(POLICIES_DIR, "retention.yaml"), join(root, "retention.yaml"));
    mkdirSync(join(root, "roles"));
    writeFileSync(join(root, "roles", `${role}.yaml`), policyFile(rules, role));
    return loadPolicies(registry, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function asPolicyRules(rules: RawRule[]): Array<Record<string, unknown>> {
  return rules.map((r, i) => ({
    id: `owner.generated.r${i}`,
    effect: r.inverted ? "deny" : "allow",
    actions: Array.isArray(r.action) ? r.action : [r.action],
    subject: r.subject,
    ...(r.fields ? { fields: r.fields } : {}),
    ...(r.conditions ? { conditions: r.conditions } : {}),
    reason: "Generated to compare the SQL filter with can().",
  }));
}

/** The placeholders as buildAbility (ability.ts interpolate) fills them for principal(). */
function forPrincipal(rules: RawRule[]): RawRule[] {
  return JSON.parse(JSON.stringify(rules).replaceAll("${user.id}", ids.me).replaceAll("${user.workspaceId}", ids.ws1)) as RawRule[];
}

/** Each (key, operator, operand) of the rules' conditions, a bare value read as `$eq`. */
function comparisons(rules: RawRule[]): Array<{ key: string; op: string; operand: unknown }> {
  return rules.flatMap((r) =>
    Object.entries((r.conditions ?? {}) as Record<string, unknown>).flatMap(([key, value]) =>
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? Object.entries(value).map(([op, operand]) => ({ key, op, operand }))
        : [{ key, op: "$eq", operand: value }],
    ),
  );
}

const scenarioArb = () =>
  fc
    .constantFrom(...PERSON_SUBJECTS)
    .chain((subject) => fc.record({ subject: fc.constant(subject), rules: fc.array(ruleArb(subject), { maxLength: 5 }), rows: rowsArb() }));

describe("property: random rule sets, random rows", () => {
  it("the rule generator stays within what the policy loader accepts", () => {
    const samples = fc.sample(scenarioArb(), { numRuns: 150, seed: 42 });
    const rules = samples.flatMap((s) => s.rules);
    expect(rules.length).toBeGreaterThan(100);
    expect(() => loadWithRules(asPolicyRules(rules))).not.toThrow();

    // ...and covers it: every operator, every person-state path, the edge operands.
    const seen = comparisons(rules);
    const isArrayKey = (key: string) => /(^|\.)(consented|objected)Purposes$/.test(key);
    expect(new Set(seen.map((c) => c.op))).toEqual(new Set(CONDITION_OPERATORS));
    expect(new Set(seen.filter((c) => c.key.includes(".")).map((c) => c.key))).toEqual(new Set(PERSON_STATE_FIELDS.map((f) => `contact.${f}`)));
    for (const op of ["$all", "$in", "$nin"]) {
      expect(
        seen.some((c) => c.op === op && isArrayKey(c.key) && (c.operand as unknown[]).length === 0),
        `${op}: [] on an array field`,
      ).toBe(true);
    }
    for (const op of ["$in", "$nin"]) {
      expect(
        seen.some((c) => c.op === op && (c.operand as unknown[]).includes(null) && (c.operand as unknown[]).length > 1),
        `${op} with null and a value`,
      ).toBe(true);
      expect(
        seen.some((c) => c.op === op && !isArrayKey(c.key) && (c.operand as unknown[]).length === 0),
        `${op}: [] on a scalar field`,
      ).toBe(true);
    }
    for (const placeholder of PLACEHOLDERS)
      expect(
        seen.some((c) => [c.operand].flat().includes(placeholder)),
        placeholder,
      ).toBe(true);
    expect(seen.some((c) => c.key === "contact.erasedAt" && Array.isArray(c.operand) && c.operand.includes(null))).toBe(true);
  });

  it("SQL filter == can() on every row, for read, update and delete", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), async ({ subject, rules, rows }) => {
        const ability = createMongoAbility<AppAbility>(forPrincipal(rules));
        await withRandomRows(rows, async (loaded) => {
          counts.propertyRuns += 1;
          for (const action of ACTIONS) {
            const { mismatch } = await compare(ability, action, subject, loaded[subject]);
            counts.propertyRowChecks += loaded[subject].length;
            if (mismatch) throw new Error(`disagreement for rules ${JSON.stringify(rules)}: ${describeMismatch(mismatch)}`);
          }
        });
      }),
      { numRuns: 70 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The SQL text.

describe("SQL text", () => {
  const dialect = new PgDialect();
  const render = (where: SQL) => dialect.sqlToQuery(where);

  it("tests consent and objection with @> (array containment), which GIN indexes serve", () => {
    const owner = (purpose: string) => buildAbility(policies, principal("owner"), purpose);
    const email = render(accessibleWhere(registry, owner("marketing_email"), "read", "Contact"));
    expect(email.sql).toMatch(/"contacts"\."consented_purposes" @> \$\d+/);
    expect(email.params).toContainEqual('{"marketing_email"}');
    const pipeline = render(accessibleWhere(registry, owner("sales_pipeline"), "read", "Contact"));
    expect(pipeline.sql).toMatch(/"contacts"\."objected_purposes" @> \$\d+/);
    expect(pipeline.params).toContainEqual('{"sales_pipeline"}');
    // Interactions under a consent purpose (deals are outside marketing_sms's data categories).
    const sms = render(accessibleWhere(registry, owner("marketing_sms"), "read", "Interaction"));
    expect(sms.sql).toMatch(/exists \(select 1 from "contacts" where .*"contacts"\."consented_purposes" @> \$\d+/);
    expect(render(accessibleWhere(registry, owner("marketing_sms"), "read", "Deal")).sql.replace(/[()\s]/g, "")).toBe("false");
    for (const subject of ["Deal", "Interaction"] as const) {
      expect(render(accessibleWhere(registry, owner("sales_pipeline"), "read", subject)).sql).toMatch(
        /exists \(select 1 from "contacts" where .*"contacts"\."objected_purposes" @> \$\d+/,
      );
    }
    // No form an index on the array cannot use.
    for (const q of [email, pipeline]) expect(q.sql).not.toMatch(/purposes"? *(=|<>) *any|any *\(|array_position|unnest/i);
  });

  it("gives false for an ability with no rules, only denials, or a purpose the role may not use", () => {
    expect(render(accessibleWhere(registry, createMongoAbility<AppAbility>([]), "read", "Contact")).sql).toBe("false");
    expect(
      render(
        accessibleWhere(
          registry,
          createMongoAbility<AppAbility>([{ action: "read", subject: "Contact", inverted: true, conditions: { processingRestricted: true } }]),
          "read",
          "Contact",
        ),
      ).sql,
    ).toBe("false");
    expect(
      render(
        accessibleWhere(
          registry,
          createMongoAbility<AppAbility>([
            { action: "read", subject: "Contact" },
            { action: "read", subject: "Contact", inverted: true },
          ]),
          "read",
          "Contact",
        ),
      ).sql,
    ).toBe("false");
    expect(render(accessibleWhere(registry, buildAbility(policies, principal("marketing"), "sales_pipeline"), "read", "Contact")).sql).toBe("false");
    expect(render(accessibleWhere(registry, buildAbility(policies, principal("owner"), "no_such_purpose"), "read", "Contact")).sql).toBe("false");
  });

  it("gives true for an unconditional allow", () => {
    const q = render(accessibleWhere(registry, createMongoAbility<AppAbility>([{ action: "read", subject: "Contact" }]), "read", "Contact"));
    expect(q.sql.replace(/[()\s]/g, "")).toBe("true");
    expect(q.params).toEqual([]);
    const manage = render(accessibleWhere(registry, createMongoAbility<AppAbility>([{ action: "manage", subject: "all" }]), "delete", "Deal"));
    expect(manage.sql.replace(/[()\s]/g, "")).toBe("true");
  });
});

// ---------------------------------------------------------------------------------------------
// Regressions: disagreements this file found, now fixed in src/. Each case is a policy written
// as a policy author would, loaded by the real loader and compiled by the real buildAbility.

const withIds = (rules: Array<Record<string, unknown>>) =>
  rules.map((r, i) => ({ id: `tester.case.r${i}`, reason: "A case found by sql-filter.test.ts.", ...r }));

/** Disagreements on every person subject for `action`, and how many fixture rows SQL shows of each. */
async function agreement(rules: Array<Record<string, unknown>>, purpose = "service_provision", action = "read") {
  const ability = buildAbility(loadWithRules(withIds(rules), "tester"), principal("tester"), purpose);
  const mismatches: string[] = [];
  const visible = {} as Record<PersonSubject, number>;
  for (const subject of PERSON_SUBJECTS) {
    try {
      const result = await compare(ability, action, subject, fixture[subject]);
      counts.regressionRowChecks += fixture[subject].length;
      visible[subject] = result.sql.size;
      if (result.mismatch) mismatches.push(describeMismatch(result.mismatch));
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      mismatches.push(`${action} ${subject}: ${String(error).split("\n")[0]}${cause ? ` (cause: ${cause})` : ""}`.replaceAll("\u0000", "\\0"));
    }
  }
  return { mismatches, visible };
}

describe("regressions", () => {
  const ws1 = (subject: PersonSubject, keep: (row: Row) => boolean = () => true) => fixture[subject].filter((r) => r.workspaceId === ids.ws1 && keep(r)).length;
  const person = (row: Row) => row.contact as { erasedAt: Date | null } | undefined;
  const contact = (row: Row) => row as unknown as { processingRestricted: boolean; erasedAt: Date | null };
  // service_provision hides restricted people and erased contacts.
  const usable = (c: { processingRestricted: boolean; erasedAt: Date | null }) => !c.processingRestricted && c.erasedAt === null;

  it("an empty list on an array field ($all: [], $in: [], $nin: []) compiles and means what it means to can()", async () => {
    // $all [] holds for every array, $in [] for none, $nin [] for all: one rule per subject.
    const expected = { $all: ws1("Contact", (c) => usable(contact(c))), $in: 0, $nin: ws1("Contact", (c) => usable(contact(c))) };
    for (const [op, visible] of Object.entries(expected)) {
      const result = await agreement([
        { effect: "allow", actions: ["read"], subject: "Contact", conditions: { consentedPurposes: { [op]: [] } } },
        { effect: "allow", actions: ["read"], subject: "Deal", conditions: { "contact.objectedPurposes": { [op]: [] } } },
        { effect: "allow", actions: ["read"], subject: "Interaction", conditions: { "contact.consentedPurposes": { [op]: [] } } },
      ]);
      expect.soft(result.mismatches, op).toEqual([]);
      expect.soft(result.visible.Contact, op).toBe(visible);
    }
  });

  it("null inside $in / $nin matches null, as in can()", async () => {
    // "My contacts and the unassigned ones": ownerless contacts are listed.
    const mineOrNobody = await agreement([{ effect: "allow", actions: ["read"], subject: "Contact", conditions: { ownerId: { $in: ["${user.id}", null] } } }]);
    expect.soft(mineOrNobody.mismatches).toEqual([]);
    expect.soft(mineOrNobody.visible.Contact).toBe(ws1("Contact", (c) => usable(contact(c)) && (c.ownerId === ids.me || c.ownerId === null)));
    // "Never unassigned contacts": the deny hides exactly the ownerless ones, in SQL too.
    const neverNobody = await agreement([
      { effect: "allow", actions: ["read"], subject: "Contact" },
      { effect: "deny", actions: ["read"], subject: "Contact", conditions: { ownerId: { $in: [null] } } },
    ]);
    expect.soft(neverNobody.mismatches).toEqual([]);
    expect.soft(neverNobody.visible.Contact).toBe(ws1("Contact", (c) => usable(contact(c)) && c.ownerId !== null));
    // $nin with null and a value, on a nullable column of the subject and through `contact.`.
    const cases: Array<Record<string, unknown>> = [
      { effect: "allow", actions: ["read"], subject: "Deal", conditions: { ownerId: { $nin: [null, "${user.id}"] } } },
      { effect: "allow", actions: ["read"], subject: "Deal", conditions: { contactId: { $in: [null] } } },
      { effect: "allow", actions: ["read"], subject: "Interaction", conditions: { "contact.erasedAt": { $in: [null] } } },
      { effect: "allow", actions: ["read"], subject: "Contact", conditions: { erasedAt: { $nin: [null] }, companyId: { $in: [null, ids.comp1] } } },
    ];
    for (const rule of cases) expect.soft((await agreement([rule], "legal_compliance")).mismatches, JSON.stringify(rule)).toEqual([]);
    // Deals without a person: `contact.erasedAt` is undefined to can() and no row to SQL.
    const orphans = await agreement(
      [
        { effect: "allow", actions: ["read"], subject: "Deal" },
        { effect: "deny", actions: ["read"], subject: "Deal", conditions: { "contact.erasedAt": { $in: [null] } } },
      ],
      "legal_compliance",
    );
    expect.soft(orphans.mismatches).toEqual([]);
    expect.soft(orphans.visible.Deal).toBe(ws1("Deal", (d) => person(d) === undefined || person(d)!.erasedAt !== null));
  });

  // Each case is one rule the loader now refuses; the message names the file, the rule and the
  // line of the offending operand in the YAML (`marker`: a scalar's key line, a block list's first item).
  const rejected: Array<{ name: string; subject: string; conditions: Record<string, unknown>; marker: string; message: RegExp }> = [
    {
      name: "contact.ownerId (not carried by loaded rows)",
      subject: "Deal",
      conditions: { "contact.ownerId": "${user.id}" },
      marker: "contact.ownerId:",
      message:
        /unknown condition field "contact\.ownerId" for Deal \(through contact\. only consentedPurposes, objectedPurposes, processingRestricted, erasedAt\)/,
    },
    {
      name: "contact.companyId",
      subject: "Interaction",
      conditions: { "contact.companyId": null },
      marker: "contact.companyId:",
      message: /unknown condition field "contact\.companyId" for Interaction/,
    },
    {
      name: "$lt",
      subject: "Deal",
      conditions: { stage: { $lt: "won" } },
      marker: "$lt:",
      message: /unknown or unsupported operator "\$lt" \(allowed: \$eq, \$ne, \$in, \$nin, \$all\)/,
    },
    {
      name: "$gt on a boolean",
      subject: "Contact",
      conditions: { processingRestricted: { $gt: false } },
      marker: "$gt:",
      message: /unsupported operator "\$gt"/,
    },
    { name: "$lte with null", subject: "Deal", conditions: { ownerId: { $lte: null } }, marker: "$lte:", message: /unsupported operator "\$lte"/ },
    {
      name: 'processingRestricted: "false" (quoted)',
      subject: "Contact",
      conditions: { processingRestricted: "false" },
      marker: "processingRestricted:",
      message: /"false": needs true or false \(unquoted\)/,
    },
    {
      name: 'ownerId: "abc" (not a uuid)',
      subject: "Contact",
      conditions: { ownerId: "abc" },
      marker: "ownerId:",
      message: /"abc": needs a lower-case id \(uuid\) or \$\{user\.id\} \/ \$\{user\.workspaceId\}/,
    },
    {
      name: 'erasedAt: "2024-01-01"',
      subject: "Contact",
      conditions: { erasedAt: "2024-01-01" },
      marker: "erasedAt:",
      message: /"2024-01-01": timestamps can only be compared with null/,
    },
    {
      name: "null in $nin on a NOT NULL field",
      subject: "Deal",
      conditions: { stage: { $nin: [null, "lead"] } },
      marker: "- null",
      message: /null: this field is never null/,
    },
    {
      name: "an upper-case uuid (PostgreSQL would match it, can() would not)",
      subject: "Contact",
      conditions: { ownerId: "18351990-0BA3-4C4D-8E8F-000000000001" },
      marker: "ownerId:",
      message: /needs a lower-case id/,
    },
    {
      name: "a NUL character in a text operand (PostgreSQL text cannot hold it)",
      subject: "Deal",
      conditions: { stage: "lead\u0000" },
      marker: "stage:",
      message: /contains a NUL character/,
    },
    {
      name: "a NUL character in an array element",
      subject: "Contact",
      conditions: { consentedPurposes: { $in: ["marketing_email\u0000"] } },
      marker: '- "marketing_email',
      message: /contains a NUL character/,
    },
    {
      name: "a placeholder on a text field",
      subject: "Interaction",
      conditions: { purpose: { $in: ["${user.id}"] } },
      marker: "- ${user.id}",
      message: /placeholders hold ids/,
    },
  ];

  it.each(rejected)("the loader rejects $name, naming file, rule and line", ({ subject, conditions, marker, message }) => {
    const rules = withIds([
      { effect: "allow", actions: ["read"], subject: "Contact" },
      { effect: "allow", actions: ["read"], subject, conditions },
    ]);
    const line =
      policyFile(rules, "tester")
        .split("\n")
        .findIndex((l) => l.trimStart().startsWith(marker)) + 1;
    expect(line).toBeGreaterThan(0);
    let error: unknown;
    try {
      loadWithRules(rules, "tester");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const problems = (error as PolicyError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^alpha-policies-\\w+/roles/tester\\.yaml:${line}: rule tester\\.case\\.r1: `));
    expect(problems[0]).toMatch(message);
  });
});
