import { eq } from "drizzle-orm";
import type { Db } from "../src/db/client.js";
import { companies, consentEvents, contacts, deals, interactions, users, workspaces } from "../src/db/schema/index.js";

export interface BulkOptions {
  contacts: number;
  /** One company per this many contacts. */
  contactsPerCompany: number;
  /** The first this many contacts get `perContact` deals and interactions each. */
  withActivity: number;
  perContact: number;
  /** Every n-th contact consents to marketing_email (ledger row included). */
  consentEvery: number;
  batchSize: number;
}

export const BULK: BulkOptions = {
  contacts: 10_000,
  contactsPerCompany: 50,
  withActivity: 2_000,
  perContact: 2,
  consentEvery: 4,
  batchSize: 1_000,
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

function chunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Bulk-loads the Acme workspace straight through drizzle, in batches (no GraphQL, no audit). */
export async function bulkLoad(db: Db, opts: BulkOptions = BULK): Promise<BulkResult> {
  const started = performance.now();
  const [ws] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.name, "Acme"));
  if (!ws) throw new Error("the Acme workspace is missing: was the demo data seeded?");
  const [owner] = await db.select({ id: users.id }).from(users).where(eq(users.email, "owner@acme.test"));
  const [seller] = await db.select({ id: users.id }).from(users).where(eq(users.email, "sales@acme.test"));
  const ownerId = seller?.id ?? owner?.id ?? null;

  const companyCount = Math.ceil(opts.contacts / opts.contactsPerCompany);
  const companyIds: string[] = [];
  for (const batch of chunks(
    Array.from({ length: companyCount }, (_, i) => i),
    opts.batchSize,
  )) {
    const rows = await db
      .insert(companies)
      .values(batch.map((i) => ({ workspaceId: ws.id, ownerId, name: `Bulk Company ${i}`, domain: `bulk${i}.test`, industry: "Benchmarks" })))
      .returning({ id: companies.id });
    companyIds.push(...rows.map((r) => r.id));
  }

  // Newest first is the default order: the bulk rows are one minute apart and Bulk0 is the
  // newest, so the first pages are the contacts that have deals and interactions.
  const now = Date.now();
  const contactIds: string[] = [];
  for (const batch of chunks(
    Array.from({ length: opts.contacts }, (_, i) => i),
    opts.batchSize,
  )) {
    const rows = await db
      .insert(contacts)
      .values(
        batch.map((i) => {
          const at = new Date(now - i * 60_000);
          return {
            workspaceId: ws.id,
            ownerId,
            companyId: companyIds[Math.floor(i / opts.contactsPerCompany)],
            firstName: `Bulk${i}`,
            lastName: `Person${i % 97}`,
            email: `bulk${i}@bench.test`,
            phone: `+3360000${String(i).padStart(4, "0")}`,
            position: i % 3 === 0 ? "Buyer" : "Engineer",
            consentedPurposes: i % opts.consentEvery === 0 ? ["marketing_email"] : [],
            createdAt: at,
            updatedAt: at,
          };
        }),
      )
      .returning({ id: contacts.id });
    contactIds.push(...rows.map((r) => r.id));
  }

  // The consent ledger backs every consented contact, as in the demo seed.
  const consenting = contactIds.filter((_, i) => i % opts.consentEvery === 0);
  for (const batch of chunks(consenting, opts.batchSize)) {
    await db.insert(consentEvents).values(
      batch.map((contactId) => ({
        workspaceId: ws.id,
        contactId,
        purpose: "marketing_email",
        channel: "email",
        state: "granted",
        source: "import",
        noticeVersion: "2024-11-18",
        evidence: "Bench import",
        recordedBy: owner?.id ?? null,
      })),
    );
  }

  const activeIds = contactIds.slice(0, opts.withActivity);
  const stages = ["lead", "qualified", "proposal", "negotiation", "won", "lost"];
  const kinds = ["call", "email", "meeting", "note"];
  let dealCount = 0;
  let interactionCount = 0;
  for (const [b, batch] of chunks(activeIds, Math.max(1, Math.floor(opts.batchSize / opts.perContact))).entries()) {
    const base = b * Math.max(1, Math.floor(opts.batchSize / opts.perContact));
    const dealRows = batch.flatMap((contactId, j) =>
      Array.from({ length: opts.perContact }, (_, k) => ({
        workspaceId: ws.id,
        ownerId,
        contactId,
        companyId: companyIds[Math.floor((base + j) / opts.contactsPerCompany)],
        title: `Bulk deal ${base + j}.${k}`,
        stage: stages[(base + j + k) % stages.length],
        amount: 1000 + ((base + j) % 50) * 100,
      })),
    );
    const inserted = await db.insert(deals).values(dealRows).returning({ id: deals.id, contactId: deals.contactId });
    dealCount += inserted.length;
    const dealOf = new Map(inserted.map((d) => [d.contactId, d.id]));
    const interactionRows = batch.flatMap((contactId, j) =>
      Array.from({ length: opts.perContact }, (_, k) => ({
        workspaceId: ws.id,
        ownerId,
        contactId,
        dealId: dealOf.get(contactId) ?? null,
        kind: kinds[(base + j + k) % kinds.length],
        purpose: "sales_pipeline",
        subject: `Bulk note ${base + j}.${k}`,
        body: "Benchmark interaction.",
        occurredAt: new Date(now - (k + 1) * 86_400_000),
      })),
    );
    await db.insert(interactions).values(interactionRows);
    interactionCount += interactionRows.length;
  }

  return {
    workspaceId: ws.id,
    contacts: contactIds.length,
    companies: companyIds.length,
    deals: dealCount,
    interactions: interactionCount,
    consents: consenting.length,
    activeIds,
    ms: performance.now() - started,
  };
}
