import { eq, sql } from "drizzle-orm";
import type { Db } from "../src/db/client.js";
import { users, workspaces } from "../src/db/schema/index.js";

export interface BulkOptions {
  contacts: number;
  /** One company per this many contacts. */
  contactsPerCompany: number;
  /** The first this many contacts get `perContact` deals and interactions each. */
  withActivity: number;
  perContact: number;
  /** Every n-th contact consents to marketing_email (ledger row included). */
  consentEvery: number;
  /** Grows an earlier load: contacts from this number on (their companies and consents too; the activity was loaded with contact 0). */
  from?: number;
  /** The newest contact's creation time (contact i is i minutes older): one value across a load and its growth. */
  now?: string;
}

/** `BENCH_SCALE` sets the number of contacts (10,000 by default; 1,000,000 works). */
function scale(): number {
  const raw = process.env.BENCH_SCALE;
  if (!raw) return 10_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2_000) throw new Error(`BENCH_SCALE must be a whole number of contacts >= 2000, got "${raw}"`);
  return n;
}

export const BULK: BulkOptions = {
  contacts: scale(),
  contactsPerCompany: 50,
  withActivity: 2_000,
  perContact: 2,
  consentEvery: 4,
};

export interface BulkResult {
  workspaceId: string;
  contacts: number;
  companies: number;
  deals: number;
  interactions: number;
  consents: number;
  /** Ids of the bulk contacts that have deals and interactions (for `contact(id)`). */
  activeIds: string[];
  ms: number;
}

// Row ids are derived from the row's number (md5 of a label, as a uuid), so each table is
// one `insert ... select from generate_series` that can name the rows of another without a
// round trip: contact i belongs to company i / 50, deal j.k to contact j, and so on.
const uuidOf = (label: string, n: string) => sql.raw(`md5('${label}-' || ${n})::uuid`);

/**
 * Bulk-loads the Acme workspace with set-based SQL (one statement per table, no GraphQL, no
 * audit): 10,000 contacts in about a second, 1,000,000 in a few minutes, on PGlite or PostgreSQL.
 */
export async function bulkLoad(db: Db, opts: BulkOptions = BULK): Promise<BulkResult> {
  const started = performance.now();
  const [ws] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.name, "Acme"));
  if (!ws) throw new Error("the Acme workspace is missing: was the demo data seeded?");
  const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.email, "owner@acme.test"));
  const [seller] = await db.select({ id: users.id }).from(users).where(eq(users.email, "sales@acme.test"));
  const ownerId = seller?.id ?? owner?.id ?? null;
  const recordedBy = owner?.id ?? null;
  const from = opts.from ?? 0;
  if (from % opts.contactsPerCompany !== 0 || from % opts.consentEvery !== 0 || from > opts.contacts) {
    throw new Error(`bulkLoad: from (${from}) must be a multiple of contactsPerCompany and consentEvery, at most contacts`);
  }
  const companyCount = Math.ceil(opts.contacts / opts.contactsPerCompany);
  const companyFrom = from / opts.contactsPerCompany;
  // Newest first is the default order: the bulk rows are one minute apart and Bulk0 is the
  // newest, so the first pages are the contacts that have deals and interactions.
  const now = opts.now ?? new Date().toISOString();
  const per = opts.contactsPerCompany;

  await db.execute(sql`
    insert into companies (id, workspace_id, owner_id, name, domain, industry)
    select ${uuidOf("bench-company", "i")}, ${ws.id}::uuid, ${ownerId}::uuid, 'Bulk Company ' || i, 'bulk' || i || '.test', 'Benchmarks'
    from generate_series(${companyFrom}::int, ${companyCount - 1}::int) as i`);

  await db.execute(sql`
    insert into contacts (id, workspace_id, owner_id, company_id, first_name, last_name, email, phone, position, consented_purposes, created_at, updated_at)
    select ${uuidOf("bench-contact", "i")}, ${ws.id}::uuid, ${ownerId}::uuid, ${uuidOf("bench-company", `(i / ${per})`)},
      'Bulk' || i, 'Person' || (i % 97), 'bulk' || i || '@bench.test',
      '+3360000' || repeat('0', greatest(0, 4 - length(i::text))) || i,
      case when i % 3 = 0 then 'Buyer' else 'Engineer' end,
      case when i % ${opts.consentEvery}::int = 0 then array['marketing_email'] else '{}'::text[] end,
      ${now}::timestamptz - i * interval '1 minute', ${now}::timestamptz - i * interval '1 minute'
    from generate_series(${from}::int, ${opts.contacts - 1}::int) as i`);

  // The consent ledger backs every consented contact, as in the demo seed.
  await db.execute(sql`
    insert into consent_events (workspace_id, contact_id, purpose, channel, state, source, notice_version, evidence, recorded_by)
    select ${ws.id}::uuid, ${uuidOf("bench-contact", "i")}, 'marketing_email', 'email', 'granted', 'import', '2024-11-18', 'Bench import', ${recordedBy}::uuid
    from generate_series(${from}::int, ${opts.contacts - 1}::int, ${opts.consentEvery}::int) as i`);

  const activity = from === 0 ? opts.withActivity * opts.perContact : 0;
  const stages = sql.raw(`(array['lead','qualified','proposal','negotiation','won','lost'])[((j + k) % 6) + 1]`);
  const kinds = sql.raw(`(array['call','email','meeting','note'])[((j + k) % 4) + 1]`);
  if (activity > 0)
    await db.execute(sql`
    insert into deals (id, workspace_id, owner_id, contact_id, company_id, title, stage, amount)
    select ${uuidOf("bench-deal", "j || '.' || k")}, ${ws.id}::uuid, ${ownerId}::uuid, ${uuidOf("bench-contact", "j")}, ${uuidOf("bench-company", `(j / ${per})`)},
      'Bulk deal ' || j || '.' || k, ${stages}, 1000 + (j % 50) * 100
    from generate_series(0, ${opts.withActivity - 1}::int) as j, generate_series(0, ${opts.perContact - 1}::int) as k`);

  // Each interaction links to its contact's last deal, as the per-row generator did.
  if (activity > 0)
    await db.execute(sql`
    insert into interactions (workspace_id, owner_id, contact_id, deal_id, kind, purpose, subject, body, occurred_at)
    select ${ws.id}::uuid, ${ownerId}::uuid, ${uuidOf("bench-contact", "j")}, ${uuidOf("bench-deal", `j || '.' || ${opts.perContact - 1}`)},
      ${kinds}, 'sales_pipeline', 'Bulk note ' || j || '.' || k, 'Benchmark interaction.', ${now}::timestamptz - (k + 1) * interval '1 day'
    from generate_series(0, ${opts.withActivity - 1}::int) as j, generate_series(0, ${opts.perContact - 1}::int) as k`);

  const active = await db.execute<{ id: string }>(
    sql`select ${uuidOf("bench-contact", "j")}::text as id from generate_series(0, ${opts.withActivity - 1}::int) as j order by j`,
  );
  const rows = (Array.isArray(active) ? active : (active as { rows: { id: string }[] }).rows) as { id: string }[];
  return {
    workspaceId: ws.id,
    contacts: opts.contacts - from,
    companies: companyCount - companyFrom,
    deals: activity,
    interactions: activity,
    consents: Math.ceil((opts.contacts - from) / opts.consentEvery),
    activeIds: rows.map((r) => r.id),
    ms: performance.now() - started,
  };
}
