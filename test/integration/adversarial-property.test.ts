import { permittedFieldsOf } from "@casl/ability/extra";
import { eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildAbility,
  buildPrivacyViewAbility,
  buildRightsAbility,
  buildWrittenViewAbility,
  typed,
  type AppAbility,
  type Principal,
} from "../../src/authz/ability.js";
import { PERSON_STATE_FIELDS } from "../../src/authz/gates.js";
import { scopeFor, scopeGrants } from "../../src/authz/scopes.js";
import { hashPassword } from "../../src/auth/passwords.js";
import { companies, consentEvents, contacts, deals, interactions, users } from "../../src/db/schema/index.js";
import { addLogin } from "../../src/auth/lookups.js";
import { DEMO_PASSWORD, startTestApp, type GqlResult, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

/*
 * Issue 8 item 5: random sequences of reads and writes by random principals (sessions of
 * several roles and API tokens of several scopes, in two workspaces), under random purposes.
 * After every response:
 *  - nothing of the other workspace is in it (row ids, marker strings, emails, phones);
 *  - every field the principal's ability masks on that row (computed here from the policy
 *    engine, on the row read straight from SQL) is null, and its value is nowhere in the body;
 *  - a token sees no row of a subject its scopes leave out, and never writes what they leave out;
 *  - a refused write left nothing behind, and no write lands in the other workspace.
 */

const SEED = 20261130;
const RUNS = 40;
const MAX_COMMANDS = 12;

type Ws = "Acme" | "Globex";
const TAG: Record<Ws, string> = { Acme: "mkacme", Globex: "mkglobex" };
const PHONE: Record<Ws, string> = { Acme: "+3369900", Globex: "+1555990" };
const OTHER: Record<Ws, Ws> = { Acme: "Globex", Globex: "Acme" };

interface Actor {
  label: string;
  ws: Ws;
  bearer: string;
  principal: Principal;
  defaultPurpose: string;
  /** The purposes it may act under (the role's, or the token's). */
  purposes: string[];
}

let t: TestApp;
const wsId = {} as Record<Ws, string>;
const actors: Actor[] = [];
const PURPOSES = ["service_provision", "sales_pipeline", "customer_support", "marketing_email", "marketing_sms", "analytics", "legal_compliance", "security"];
// Row ids of both workspaces, in a stable order, so commands pick them by index.
const pool: Record<"Contact" | "Company" | "Deal" | "Interaction", string[]> = { Contact: [], Company: [], Deal: [], Interaction: [] };
const cursors: Record<string, string[]> = { Contact: [], Company: [], Deal: [], Interaction: [] };
let written = 0;
// What the run exercised, so a run that only ever met errors fails instead of passing vacuously.
const seen = { rows: 0, masked: 0, crossTenantIds: 0, writesDone: 0, writesRefused: 0, tokenScopeRefusals: 0, codes: {} as Record<string, number> };

const USER = `__typename id name email role`;
const COMPANY = `__typename id name domain industry owner { ${USER} }`;
const DEAL = `__typename id title stage amount currency owner { ${USER} } contact { __typename id firstName email phone } company { __typename id name }`;
const INTERACTION = `__typename id kind purpose subject body owner { ${USER} } contact { __typename id lastName email } deal { __typename id title }`;
const CONTACT = `__typename id firstName lastName email phone position processingRestricted objections erased consents { purpose state }
  owner { ${USER} } company { ${COMPANY} }
  deals(first: 3) { __typename id title amount company { __typename id name } }
  interactions(first: 3) { __typename id kind purpose subject body }`;
const SELECTION: Record<keyof typeof pool, string> = {
  Contact: CONTACT,
  Company: `${COMPANY} contacts(first: 3) { __typename id firstName email phone }`,
  Deal: DEAL,
  Interaction: INTERACTION,
};
const LIST: Record<keyof typeof pool, { field: string; one: string; filter: string; order: string; orderFields: string[] }> = {
  Contact: { field: "contacts", one: "contact", filter: "ContactFilter", order: "ContactOrder", orderFields: ["CREATED_AT", "LAST_NAME", "UPDATED_AT"] },
  Company: { field: "companies", one: "company", filter: "CompanyFilter", order: "CompanyOrder", orderFields: ["CREATED_AT", "NAME", "UPDATED_AT"] },
  Deal: { field: "deals", one: "deal", filter: "DealFilter", order: "DealOrder", orderFields: ["CREATED_AT", "TITLE", "UPDATED_AT"] },
  Interaction: {
    field: "interactions",
    one: "interaction",
    filter: "InteractionFilter",
    order: "InteractionOrder",
    orderFields: ["CREATED_AT", "OCCURRED_AT", "UPDATED_AT"],
  },
};
const TABLES = { Contact: contacts, Company: companies, Deal: deals, Interaction: interactions, User: users, ConsentEvent: consentEvents } as const;

/** Contacts, companies, deals and interactions whose every personal value names its workspace and field. */
async function seedMarkers(ws: Ws): Promise<void> {
  const d = db(t);
  const tag = TAG[ws];
  const [owner] = await d
    .select()
    .from(users)
    .where(eq(users.email, `owner@${ws.toLowerCase()}.test`));
  const corp = await d
    .insert(companies)
    .values(
      [0, 1].map((i) => ({
        workspaceId: wsId[ws],
        ownerId: owner.id,
        name: `${tag}-company-name-${i}`,
        domain: `${tag}-domain-${i}.test`,
        industry: `${tag}-industry-${i}`,
      })),
    )
    .returning();
  const people = await d
    .insert(contacts)
    .values(
      [0, 1, 2, 3, 4, 5].map((i) => ({
        workspaceId: wsId[ws],
        companyId: corp[i % 2].id,
        ownerId: owner.id,
        firstName: `${tag}-first-${i}`,
        lastName: `${tag}-last-${i}`,
        email: `${tag}-email-${i}@${tag}.test`,
        phone: `${PHONE[ws]}${String(i).padStart(4, "0")}`,
        position: `${tag}-position-${i}`,
        // Some consented, some not, one objecting to sales, one restricted: every gate has rows on both sides.
        consentedPurposes: i % 2 === 0 ? ["marketing_email"] : i === 3 ? ["marketing_sms"] : [],
        objectedPurposes: i === 5 ? ["sales_pipeline"] : [],
        processingRestricted: i === 4,
      })),
    )
    .returning();
  await d.insert(deals).values(
    people.slice(0, 4).map((p, i) => ({
      workspaceId: wsId[ws],
      contactId: p.id,
      companyId: p.companyId,
      ownerId: owner.id,
      title: `${tag}-deal-title-${i}`,
      amount: 1000 + i,
    })),
  );
  const kinds: Array<[string, string]> = [
    ["note", "sales_pipeline"],
    ["email", "marketing_email"],
    ["call", "customer_support"],
    ["sms", "marketing_sms"],
  ];
  await d.insert(interactions).values(
    people.map((p, i) => ({
      workspaceId: wsId[ws],
      contactId: p.id,
      ownerId: owner.id,
      kind: kinds[i % 4][0],
      purpose: kinds[i % 4][1],
      subject: `${tag}-interaction-subject-${i}`,
      body: `${tag}-interaction-body-${i}`,
    })),
  );
}

async function refreshPool(): Promise<void> {
  const d = db(t);
  for (const subject of Object.keys(pool) as Array<keyof typeof pool>) {
    const table = TABLES[subject];
    const rows = await d.select({ id: table.id, createdAt: table.createdAt }).from(table);
    const known = new Set(pool[subject]);
    const fresh = rows.filter((r) => !known.has(r.id)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    pool[subject].push(...fresh.map((r) => r.id));
  }
}

/** Everything that identifies the workspace's data: row ids, and personal strings that are its alone. */
const printCache = new Map<Ws, string[]>();
async function fingerprints(ws: Ws): Promise<string[]> {
  const cached = printCache.get(ws);
  if (cached) return cached;
  const found = await readFingerprints(ws);
  printCache.set(ws, found);
  return found;
}

async function readFingerprints(ws: Ws): Promise<string[]> {
  const d = db(t);
  const w = wsId[ws];
  const found: string[] = [];
  for (const table of [contacts, companies, deals, interactions, users, consentEvents]) {
    for (const r of await d.select({ id: table.id }).from(table).where(eq(table.workspaceId, w))) found.push(r.id);
  }
  for (const c of await d.select().from(contacts).where(eq(contacts.workspaceId, w))) found.push(...[c.email, c.phone].filter((v): v is string => !!v));
  for (const u of await d.select().from(users).where(eq(users.workspaceId, w))) found.push(u.email);
  found.push(TAG[ws], PHONE[ws]);
  return found;
}

// The demo seed's address for each role (API-CONTRACT.md, demo data).
const LOCAL: Record<string, string> = { owner: "owner", sales_rep: "sales", marketing: "marketing", support: "support", dpo: "dpo", auditor: "auditor" };
const emailOf = (ws: Ws, role: string) => `${LOCAL[role]}@${ws.toLowerCase()}.test`;

async function addUser(ws: Ws, role: string, passwordHash: string): Promise<void> {
  const email = emailOf(ws, role);
  const [added] = await db(t)
    .insert(users)
    .values({ workspaceId: wsId[ws], email, name: `${TAG[ws]}-user-${role}`, role, passwordHash })
    .onConflictDoNothing()
    .returning({ id: users.id });
  // Signs in like any account: through the email's global look-up.
  if (added) await addLogin(db(t), { email, workspaceId: wsId[ws], userId: added.id });
}

async function session(ws: Ws, role: string): Promise<Actor> {
  const email = emailOf(ws, role);
  const [u] = await db(t).select().from(users).where(eq(users.email, email));
  const bearer = await t.login(email);
  const principal: Principal = { kind: "user", userId: u.id, workspaceId: wsId[ws], role, email, name: u.name };
  const r = t.app.policies.roles.get(role)!;
  return { label: `${ws}/${role}`, ws, bearer, principal, defaultPurpose: r.defaultPurpose, purposes: [...r.purposes] };
}

async function token(ws: Ws, role: string, scopes: string[], purposes?: string[]): Promise<Actor> {
  const creator = await session(ws, role);
  const res = await t.gql(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id defaultPurpose purposes } } }`,
    { input: { name: `adversarial ${role}`, scopes, ...(purposes ? { purposes } : {}) } },
    { token: creator.bearer },
  );
  expect(res.errors, `${ws}/${role} token ${scopes}`).toBeUndefined();
  const { token: bearer, apiToken } = res.data!.createApiToken;
  return {
    label: `${ws}/${role}/token[${scopes.join(",")}]`,
    ws,
    bearer,
    principal: { ...creator.principal, kind: "token", tokenId: apiToken.id, scopes },
    defaultPurpose: apiToken.defaultPurpose,
    purposes: apiToken.purposes,
  };
}

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: "100000", RATE_LIMIT_WORKSPACE_PER_MINUTE: "1000000" });
  for (const ws of ["Acme", "Globex"] as Ws[]) wsId[ws] = await workspaceId(t, ws);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const role of ["sales_rep", "marketing", "support", "dpo"]) await addUser("Globex", role, passwordHash);
  await seedMarkers("Acme");
  await seedMarkers("Globex");
  await refreshPool();
  for (const role of ["owner", "sales_rep", "marketing", "support", "dpo", "auditor"]) actors.push(await session("Acme", role));
  for (const role of ["owner", "sales_rep", "marketing", "support", "dpo"]) actors.push(await session("Globex", role));
  actors.push(
    await token("Acme", "sales_rep", ["contacts:read"]),
    await token("Acme", "sales_rep", ["deals:read", "deals:write", "contacts:read"], ["sales_pipeline"]),
    await token("Acme", "owner", ["contacts:read", "companies:read", "interactions:read", "interactions:write"], ["customer_support", "service_provision"]),
    await token("Acme", "marketing", ["contacts:read", "consents:withdraw"], ["marketing_email"]),
    await token("Acme", "dpo", ["contacts:read", "contacts:export"], ["legal_compliance"]),
    await token("Globex", "owner", ["contacts:read", "contacts:write", "companies:write"], ["sales_pipeline", "service_provision"]),
    await token("Globex", "sales_rep", ["deals:read", "companies:read"]),
    await token("Globex", "support", ["interactions:read", "consents:withdraw"]),
  );
}, 120_000);
afterAll(() => t?.close());

// ---- commands ------------------------------------------------------------------------------

type Subject = keyof typeof pool;
const SUBJECTS: Subject[] = ["Contact", "Company", "Deal", "Interaction"];

type Command =
  | {
      op: "list";
      subject: Subject;
      first: number;
      order?: { field: number; direction: "ASC" | "DESC" };
      search?: number;
      cursor?: number;
      filterIds?: number[];
    }
  | { op: "one"; subject: Subject; pick: number; as: Subject | null }
  | { op: "consentHistory"; pick: number }
  | { op: "createContact" }
  | { op: "updateContact"; pick: number }
  | { op: "createCompany" }
  | { op: "createDeal"; pick: number }
  | { op: "createInteraction"; pick: number; kind: string }
  | { op: "withdrawConsent"; pick: number; purpose: string }
  | { op: "exportContactData"; pick: number };

interface Step {
  actor: number;
  purpose: number;
  command: Command;
}

const pick = fc.nat({ max: 10_000 });
/** `weight` in four times: the value, else undefined. */
const sometimes = <T>(arb: fc.Arbitrary<T>, weight: number) => fc.oneof({ weight, arbitrary: arb }, { weight: 4 - weight, arbitrary: fc.constant(undefined) });
const subject = fc.constantFrom(...SUBJECTS);
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("list" as const),
      subject,
      first: fc.integer({ min: 1, max: 25 }),
      order: sometimes(fc.record({ field: fc.nat({ max: 2 }), direction: fc.constantFrom("ASC" as const, "DESC" as const) }), 2),
      search: sometimes(pick, 1),
      cursor: sometimes(pick, 1),
      filterIds: sometimes(fc.array(pick, { minLength: 1, maxLength: 4 }), 1),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("one" as const),
      subject,
      pick,
      as: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: subject }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("consentHistory" as const), pick }) },
  { weight: 1, arbitrary: fc.constant({ op: "createContact" as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("updateContact" as const), pick }) },
  { weight: 1, arbitrary: fc.constant({ op: "createCompany" as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("createDeal" as const), pick }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("createInteraction" as const), pick, kind: fc.constantFrom("CALL", "EMAIL", "MEETING", "NOTE", "SMS") }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("withdrawConsent" as const), pick, purpose: fc.constantFrom("marketing_email", "marketing_sms") }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("exportContactData" as const), pick }) },
);
// purpose: mostly one the principal may use (else every step is a refusal), sometimes any or none.
const step: fc.Arbitrary<Step> = fc.record({ actor: fc.nat({ max: 1000 }), purpose: fc.nat({ max: 99 }), command });

const at = <T>(list: T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

/** A write: what it does in policy terms, and the marker string that finds its row in SQL. */
interface Write {
  action: "create" | "update" | "withdraw_consent" | "export";
  subject: string;
  marker?: { table: "contacts" | "companies" | "deals" | "interactions"; column: string; value: string };
}

function request(actor: Actor, c: Command): { query: string; variables: Record<string, unknown>; field: string; write?: Write } {
  const marker = () => `${TAG[actor.ws]}-w${++written}`;
  switch (c.op) {
    case "list": {
      const l = LIST[c.subject];
      const other = OTHER[actor.ws];
      // Searching for the other workspace's markers must find nothing; for one's own, something.
      const search = c.search === undefined ? undefined : at([TAG[actor.ws], TAG[other], `${TAG[other]}-first-1`, PHONE[other], "e"], c.search);
      const filter: Record<string, unknown> = {};
      if (search) filter.search = search;
      if (c.filterIds?.length) filter.ids = c.filterIds.map((i) => at(pool[c.subject], i));
      return {
        query: `query($first: Int, $after: String, $filter: ${l.filter}, $orderBy: ${l.order}) {
          ${l.field}(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
            totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${SELECTION[c.subject]} } } } }`,
        variables: {
          first: c.first,
          after: c.cursor === undefined ? undefined : at(cursors[c.subject], c.cursor),
          filter: Object.keys(filter).length ? filter : undefined,
          orderBy: c.order ? { field: l.orderFields[c.order.field], direction: c.order.direction } : undefined,
        },
        field: l.field,
      };
    }
    case "one":
      // An id of any subject, either workspace: the wrong type and the wrong tenant are both NOT_FOUND.
      return {
        query: `query($id: ID!) { ${LIST[c.subject].one}(id: $id) { ${SELECTION[c.subject]} } }`,
        variables: { id: at(pool[c.as ?? c.subject], c.pick) },
        field: LIST[c.subject].one,
      };
    case "consentHistory":
      return {
        query: `query($id: ID!) { consentHistory(contactId: $id) { __typename id contactId purpose state source evidence subjectIp subjectUserAgent recorder { ${USER} } } }`,
        variables: { id: at(pool.Contact, c.pick) },
        field: "consentHistory",
      };
    case "createContact": {
      const m = marker();
      return {
        query: `mutation($input: CreateContactInput!) { createContact(input: $input) { ${CONTACT} } }`,
        variables: { input: { firstName: m, lastName: `${m}-last`, email: `${m}@${TAG[actor.ws]}.test`, position: `${m}-position` } },
        field: "createContact",
        write: { action: "create", subject: "Contact", marker: { table: "contacts", column: "firstName", value: m } },
      };
    }
    case "updateContact": {
      const m = marker();
      return {
        query: `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { ${CONTACT} } }`,
        variables: { id: at(pool.Contact, c.pick), input: { position: m } },
        field: "updateContact",
        write: { action: "update", subject: "Contact", marker: { table: "contacts", column: "position", value: m } },
      };
    }
    case "createCompany": {
      const m = marker();
      return {
        query: `mutation($input: CreateCompanyInput!) { createCompany(input: $input) { ${COMPANY} } }`,
        variables: { input: { name: m, industry: `${m}-industry` } },
        field: "createCompany",
        write: { action: "create", subject: "Company", marker: { table: "companies", column: "name", value: m } },
      };
    }
    case "createDeal": {
      const m = marker();
      return {
        query: `mutation($input: CreateDealInput!) { createDeal(input: $input) { ${DEAL} } }`,
        variables: { input: { title: m, contactId: at(pool.Contact, c.pick), amount: 42 } },
        field: "createDeal",
        write: { action: "create", subject: "Deal", marker: { table: "deals", column: "title", value: m } },
      };
    }
    case "createInteraction": {
      const m = marker();
      return {
        query: `mutation($input: CreateInteractionInput!) { createInteraction(input: $input) { ${INTERACTION} } }`,
        variables: { input: { contactId: at(pool.Contact, c.pick), kind: c.kind, subject: m, body: `${m}-body` } },
        field: "createInteraction",
        write: { action: "create", subject: "Interaction", marker: { table: "interactions", column: "subject", value: m } },
      };
    }
    case "withdrawConsent":
      return {
        query: `mutation($id: ID!, $p: String!) { withdrawConsent(contactId: $id, purpose: $p) { ${CONTACT} } }`,
        variables: { id: at(pool.Contact, c.pick), p: c.purpose },
        field: "withdrawConsent",
        write: { action: "withdraw_consent", subject: "Contact" },
      };
    case "exportContactData":
      return {
        query: `mutation($id: ID!) { exportContactData(contactId: $id, format: JSON) { format sizeBytes content } }`,
        variables: { id: at(pool.Contact, c.pick) },
        field: "exportContactData",
        write: { action: "export", subject: "Contact" },
      };
  }
}

// ---- what the policy engine expects ---------------------------------------------------------

/** The row as the server's loaders give it to `can()`: linked rows carry their person's state under `contact`. */
async function loadRow(subjectName: string, id: string): Promise<Record<string, unknown> | undefined> {
  const table = TABLES[subjectName as keyof typeof TABLES];
  if (!table) return undefined;
  const [row] = await db(t).select().from(table).where(eq(table.id, id));
  if (!row) return undefined;
  if ((subjectName === "Deal" || subjectName === "Interaction") && "contactId" in row) {
    const contactId = (row as { contactId: string | null }).contactId;
    const [person] = contactId ? await db(t).select().from(contacts).where(eq(contacts.id, contactId)) : [];
    return { ...row, contact: person ? Object.fromEntries(PERSON_STATE_FIELDS.map((f) => [f, person[f]])) : undefined };
  }
  return row as Record<string, unknown>;
}

function readable(ability: AppAbility, subjectName: string, row: object): Set<string> {
  const all = t.app.policies.registry.get(subjectName).policyFields;
  return new Set(permittedFieldsOf(ability, "read", typed(subjectName, row), { fieldsFrom: (rule) => rule.fields ?? [...all] }));
}

interface Node {
  __typename: string;
  id: string;
  [key: string]: unknown;
}

function nodesOf(value: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(value)) for (const v of value) nodesOf(v, out);
  else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.__typename === "string" && typeof o.id === "string") out.push(o as Node);
    for (const v of Object.values(o)) nodesOf(v, out);
  }
  return out;
}

function scopeAllows(actor: Actor, action: string, subjectName: string): boolean {
  if (actor.principal.kind !== "token") return true;
  const registry = t.app.policies.registry;
  return (actor.principal.scopes ?? []).some((s) => (scopeGrants(registry, s) ?? []).some((g) => g.action === action && g.subject === subjectName));
}

async function check(actor: Actor, purpose: string, req: ReturnType<typeof request>, res: GqlResult, label: string): Promise<void> {
  const body = JSON.stringify({ data: res.data, errors: res.errors });
  expect(res.status, `${label}: HTTP ${res.status} ${body.slice(0, 400)}`).toBeLessThan(500);
  expect(body, label).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules/);

  // 1. Nothing of the other workspace (an id or string the caller sent may be echoed back).
  const sent = JSON.stringify(req.variables);
  const others = await fingerprints(OTHER[actor.ws]);
  if (others.includes(String(req.variables.id))) seen.crossTenantIds++;
  for (const print of others) {
    if (sent.includes(print)) continue;
    expect(body.includes(print), `${label}: the other workspace's ${print} leaked: ${body.slice(0, 600)}`).toBe(false);
  }

  const registry = t.app.policies.registry;
  const ability = buildAbility(t.app.policies, actor.principal, purpose);
  const privacyView = buildPrivacyViewAbility(registry, actor.principal);
  // An export hands over the person's data by design (privacy action `export`); its content is not a read.
  const isExport = req.write?.action === "export";
  for (const node of nodesOf(res.data)) {
    if (!registry.has(node.__typename)) continue;
    // 2. Tokens: no row of a subject the scopes leave out (but the answer to a write its scopes
    // allow, by the written view's required fields, checked below).
    const ownWrite = req.write?.subject === node.__typename && scopeAllows(actor, req.write.action, node.__typename);
    expect(
      ownWrite || scopeAllows(actor, "read", node.__typename),
      `${label}: a ${node.__typename} reached a token without ${scopeFor(node.__typename, "read")}`,
    ).toBe(true);
    // 3. Masked fields are null, and their values appear nowhere.
    const row = await loadRow(node.__typename, node.id);
    if (!row) continue;
    seen.rows++;
    const allowed = readable(ability, node.__typename, row);
    // A write's answer shows a row the caller may not read by its privacy state (rights operations,
    // src/modules/common/rights.ts) or its required fields (create, update: crud.service.ts).
    if (req.write && !ability.can("read", typed(node.__typename, row))) {
      const view =
        req.write.action === "create" || req.write.action === "update" ? buildWrittenViewAbility(registry, actor.principal, node.__typename) : privacyView;
      for (const f of readable(view, node.__typename, row)) allowed.add(f);
    }
    const def = registry.get(node.__typename);
    for (const [key, value] of Object.entries(node)) {
      const policyField = (def.fields as Record<string, { as?: string }>)[key]?.as ?? key;
      if (!def.policyFields.includes(policyField) || allowed.has(policyField)) continue;
      seen.masked++;
      expect(value, `${label}: ${node.__typename}.${key} is masked for ${actor.label} under ${purpose} but came back`).toBeNull();
    }
    if (isExport) continue;
    for (const field of def.policyFields) {
      const stored = row[field];
      if (allowed.has(field) || typeof stored !== "string" || stored.length < 6) continue;
      expect(body.includes(stored), `${label}: masked ${node.__typename}.${field} value "${stored}" is in the body`).toBe(false);
    }
  }

  for (const e of res.errors ?? []) seen.codes[String(e.extensions?.code)] = (seen.codes[String(e.extensions?.code)] ?? 0) + 1;
  if (!req.write) return;
  const result = res.data?.[req.field];
  if (result) seen.writesDone++;
  else seen.writesRefused++;
  // 4. A write the ability or the token's scopes cannot allow is refused and leaves nothing.
  // Privacy-rights operations find the person under legal_compliance (contract), so they answer to the rights ability.
  const rights = req.write.action === "withdraw_consent" || req.write.action === "export";
  const writer = rights ? buildRightsAbility(t.app.policies, actor.principal) : ability;
  const mayAtAll = writer.can(req.write.action, req.write.subject) && scopeAllows(actor, req.write.action, req.write.subject);
  if (!scopeAllows(actor, req.write.action, req.write.subject)) {
    expect(result ?? null, `${label}: a token without ${scopeFor(req.write.subject, req.write.action)} wrote`).toBeNull();
    expect(res.errors?.[0]?.extensions.code, label).toBe("FORBIDDEN");
    seen.tokenScopeRefusals++;
  }
  if (!mayAtAll) expect(result ?? null, `${label}: ${req.write.action} ${req.write.subject} went through`).toBeNull();
  const m = req.write.marker;
  if (m) {
    const table = { contacts, companies, deals, interactions }[m.table];
    const column = (table as unknown as Record<string, Parameters<typeof eq>[0]>)[m.column];
    const rows = (await db(t).select().from(table).where(eq(column, m.value))) as Array<{ workspaceId: string }>;
    expect(
      rows.every((r) => r.workspaceId === wsId[actor.ws]),
      `${label}: a write landed in the other workspace`,
    ).toBe(true);
    // The answer tells the truth: an error at the operation means nothing was written, a row means it was.
    expect(rows.length > 0, `${label}: answered ${JSON.stringify(res.errors?.[0] ?? result)} but ${rows.length} row(s) written`).toBe(!!result);
  }
}

async function runStep(s: Step, i: number): Promise<void> {
  const actor = actors[s.actor % actors.length];
  // 0-9: any purpose, 10: no header (the principal's default), 11 and up: one it may use.
  const purposeHeader = s.purpose < 10 ? PURPOSES[s.purpose % PURPOSES.length] : s.purpose === 10 ? undefined : at(actor.purposes, s.purpose);
  const purpose = purposeHeader ?? actor.defaultPurpose;
  const req = request(actor, s.command);
  const res = await t.gql(req.query, req.variables, { token: actor.bearer, ...(purposeHeader ? { purpose: purposeHeader } : {}) });
  const label = `step ${i} ${actor.label} ${purpose} ${JSON.stringify(s.command)}`;
  await check(actor, purpose, req, res, label);
  const page = (res.data?.[req.field] as { pageInfo?: { endCursor?: string } } | undefined)?.pageInfo?.endCursor;
  if (page && s.command.op === "list") cursors[s.command.subject].push(page);
  if (req.write) {
    // A write (or a consent withdrawal's ledger entry) adds ids to recognise.
    printCache.clear();
    await refreshPool();
  }
}

describe("random principals, random operations", () => {
  it("never see the other workspace, a masked value, or a subject outside a token's scopes", async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: MAX_COMMANDS }), async (steps) => {
        for (const [i, s] of steps.entries()) await runStep(s, i);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.info(`adversarial property: ${Date.now() - started} ms`, JSON.stringify(seen));
    expect(seen.rows).toBeGreaterThan(100);
    expect(seen.masked).toBeGreaterThan(10);
    expect(seen.writesDone).toBeGreaterThan(5);
    expect(seen.writesRefused).toBeGreaterThan(5);
    expect(seen.tokenScopeRefusals).toBeGreaterThan(0);
    expect(seen.crossTenantIds).toBeGreaterThan(0);
  }, 180_000);

  it("a write-only token's create is answered by the new row's required fields, not a NOT_FOUND that hides the write", async () => {
    const writer = await token("Globex", "owner", ["companies:write"], ["sales_pipeline"]);
    const name = `${TAG.Globex}-write-only`;
    const res = await t.gql(
      `mutation($n: String!) { createCompany(input: { name: $n, industry: "x" }) { id name industry } }`,
      { n: name },
      { token: writer.bearer },
    );
    const [row] = await db(t).select().from(companies).where(eq(companies.name, name));
    expect(row).toBeDefined();
    expect(res.data?.createCompany).toEqual({ id: row.id, name, industry: null });
    expect(res.errors?.map((e) => [e.extensions.code, e.extensions.rule])).toEqual([["FORBIDDEN", "write.written_view"]]);

    // The same for writes outside the CRUD subjects: a webhook's secret is shown this once.
    const hooks = await token("Acme", "owner", ["webhooks:write"]);
    const holds = await token("Acme", "owner", ["legal_holds:write"], ["legal_compliance"]);
    const hook = await t.gql(
      `mutation { createWebhook(input: { url: "https://hooks.example.com/crm", events: [CONTACT_ERASED], description: "x" }) { secret webhook { id url description } } }`,
      {},
      { token: hooks.bearer },
    );
    expect(hook.data?.createWebhook.secret).toMatch(/^whsec_/);
    expect(hook.data?.createWebhook.webhook).toMatchObject({ url: "https://hooks.example.com/crm", description: null });
    const hold = await t.gql(`mutation { placeLegalHold(input: { reason: "litigation" }) { id reason } }`, {}, { token: holds.bearer });
    expect(hold.data?.placeLegalHold).toMatchObject({ reason: "litigation" });
  });

  it("the markers are there to be found: each workspace's owner sees its own and not the other's", async () => {
    for (const ws of ["Acme", "Globex"] as Ws[]) {
      const owner = actors.find((a) => a.label === `${ws}/owner`)!;
      const res = await t.gql(
        `query($s: String) { contacts(first: 50, filter: { search: $s }) { nodes { id email } } }`,
        { s: TAG[ws] },
        { token: owner.bearer, purpose: "legal_compliance" },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.contacts.nodes.length).toBeGreaterThanOrEqual(6);
      const ids = res.data!.contacts.nodes.map((n: { id: string }) => n.id);
      const rows = await db(t).select({ ws: contacts.workspaceId }).from(contacts).where(inArray(contacts.id, ids));
      expect(rows.every((r) => r.ws === wsId[ws])).toBe(true);
    }
  });
});
