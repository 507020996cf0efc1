import { count } from "drizzle-orm";
import { hashPassword } from "../auth/passwords.js";
import { addLogin } from "../auth/lookups.js";
import type { Database, Db } from "./client.js";
import { LOCK_SEED } from "./migrate.js";
import { companies, consentEvents, contactPrivacyEvents, contacts, deals, interactions, users, workspaces } from "./schema/index.js";

export const DEMO_NOTICE_VERSION = "2024-11-18";

interface PersonSeed {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string;
  position?: string;
  company?: number;
  consents?: Array<{ purpose: "marketing_email" | "marketing_sms"; withdrawn?: boolean }>;
  restricted?: string;
  objected?: string;
}

interface WorkspaceSeed {
  name: string;
  domain: string;
  users: Array<{ email: string; name: string; role: string }>;
  companies: Array<{ name: string; domain: string; industry: string }>;
  people: PersonSeed[];
  deals: Array<{ title: string; stage: string; amount: number; person?: number; company?: number }>;
  interactions: Array<{ person: number; kind: string; purpose: string; subject: string; body: string; daysAgo: number }>;
}

const ACME: WorkspaceSeed = {
  name: "Acme",
  domain: "acme.test",
  users: [
    { email: "owner@acme.test", name: "Olivia Owner", role: "owner" },
    { email: "sales@acme.test", name: "Sam Sales", role: "sales_rep" },
    { email: "marketing@acme.test", name: "Mia Marketing", role: "marketing" },
    { email: "support@acme.test", name: "Sol Support", role: "support" },
    { email: "dpo@acme.test", name: "Dana Protection", role: "dpo" },
    { email: "auditor@acme.test", name: "Aldo Auditor", role: "auditor" },
  ],
  companies: [
    { name: "Initech", domain: "initech.test", industry: "Software" },
    { name: "Umbrella Logistics", domain: "umbrella.test", industry: "Logistics" },
    { name: "Hooli", domain: "hooli.test", industry: "Internet" },
    { name: "Vandelay Industries", domain: "vandelay.test", industry: "Import/Export" },
  ],
  people: [
    {
      firstName: "Alice",
      lastName: "Martin",
      email: "alice.martin@initech.test",
      phone: "+33612345601",
      position: "CTO",
      company: 0,
      consents: [{ purpose: "marketing_email" }, { purpose: "marketing_sms" }],
    },
    {
      firstName: "Bruno",
      lastName: "Bernard",
      email: "bruno.bernard@initech.test",
      phone: "+33612345602",
      position: "Buyer",
      company: 0,
      consents: [{ purpose: "marketing_email" }],
    },
    {
      firstName: "Chloe",
      lastName: "Dubois",
      email: "chloe.dubois@umbrella.test",
      phone: "+33612345603",
      position: "COO",
      company: 1,
      consents: [{ purpose: "marketing_email", withdrawn: true }],
    },
    { firstName: "David", lastName: "Thomas", email: "david.thomas@umbrella.test", phone: "+33612345604", position: "Fleet manager", company: 1 },
    {
      firstName: "Emma",
      lastName: "Robert",
      email: "emma.robert@hooli.test",
      phone: "+33612345605",
      position: "Head of Sales",
      company: 2,
      consents: [{ purpose: "marketing_sms" }],
    },
    {
      firstName: "Felix",
      lastName: "Richard",
      email: "felix.richard@hooli.test",
      position: "Engineer",
      company: 2,
      restricted: "The person contests the accuracy of their data (Art. 18(1)(a)).",
    },
    {
      firstName: "Gabrielle",
      lastName: "Petit",
      email: "gabrielle.petit@vandelay.test",
      phone: "+33612345607",
      position: "CEO",
      company: 3,
      objected: "sales_pipeline",
    },
    { firstName: "Hugo", lastName: "Durand", email: "hugo.durand@vandelay.test", position: "Analyst", company: 3, consents: [{ purpose: "marketing_email" }] },
    { firstName: "Ines", lastName: "Leroy", email: "ines.leroy@example.test", phone: "+33612345609" },
    {
      firstName: "Jules",
      lastName: "Moreau",
      email: "jules.moreau@example.test",
      consents: [{ purpose: "marketing_email" }, { purpose: "marketing_sms", withdrawn: true }],
    },
    { firstName: "Karim", lastName: "Simon", email: "karim.simon@initech.test", position: "CFO", company: 0 },
    { firstName: "Lea", lastName: "Laurent", email: "lea.laurent@hooli.test", position: "Designer", company: 2 },
  ],
  deals: [
    { title: "Initech CRM rollout", stage: "proposal", amount: 48000, person: 0, company: 0 },
    { title: "Initech support plan", stage: "qualified", amount: 12000, person: 1, company: 0 },
    { title: "Umbrella fleet tracking", stage: "negotiation", amount: 95000, person: 2, company: 1 },
    { title: "Hooli pilot", stage: "lead", amount: 5000, person: 4, company: 2 },
    { title: "Hooli data review", stage: "won", amount: 7000, person: 5, company: 2 },
    { title: "Vandelay import deal", stage: "lead", amount: 20000, person: 6, company: 3 },
  ],
  interactions: [
    { person: 0, kind: "meeting", purpose: "sales_pipeline", subject: "Kick-off", body: "Scoped the rollout.", daysAgo: 10 },
    { person: 0, kind: "email", purpose: "marketing_email", subject: "November newsletter", body: "Newsletter sent.", daysAgo: 5 },
    { person: 0, kind: "sms", purpose: "marketing_sms", subject: "Webinar reminder", body: "Reminder sent.", daysAgo: 2 },
    { person: 1, kind: "call", purpose: "sales_pipeline", subject: "Pricing call", body: "Asked for a discount.", daysAgo: 7 },
    { person: 2, kind: "call", purpose: "customer_support", subject: "Login issue", body: "Reset their password.", daysAgo: 3 },
    { person: 3, kind: "note", purpose: "sales_pipeline", subject: "Fleet size", body: "About 40 trucks.", daysAgo: 12 },
    { person: 4, kind: "meeting", purpose: "sales_pipeline", subject: "Pilot scope", body: "Two teams first.", daysAgo: 6 },
    { person: 5, kind: "email", purpose: "customer_support", subject: "Data correction", body: "Asked us to fix their title.", daysAgo: 1 },
    { person: 6, kind: "call", purpose: "sales_pipeline", subject: "Intro call", body: "Interested in imports module.", daysAgo: 20 },
    { person: 8, kind: "note", purpose: "customer_support", subject: "Ticket 1042", body: "Export question.", daysAgo: 4 },
  ],
};

const GLOBEX: WorkspaceSeed = {
  name: "Globex",
  domain: "globex.test",
  users: [{ email: "owner@globex.test", name: "Hank Scorpio", role: "owner" }],
  companies: [
    { name: "Cypress Creek", domain: "cypress.test", industry: "Real estate" },
    { name: "Springfield Power", domain: "springfield.test", industry: "Energy" },
  ],
  people: [
    {
      firstName: "Homer",
      lastName: "Simpson",
      email: "homer@springfield.test",
      phone: "+15555550101",
      position: "Safety inspector",
      company: 1,
      consents: [{ purpose: "marketing_email" }],
    },
    {
      firstName: "Lenny",
      lastName: "Leonard",
      email: "lenny@springfield.test",
      position: "Technician",
      company: 1,
      restricted: "Unlawful processing claimed; the person opposed erasure (Art. 18(1)(b)).",
    },
    { firstName: "Frank", lastName: "Grimes", email: "frank@springfield.test", company: 1, objected: "sales_pipeline" },
    {
      firstName: "Marge",
      lastName: "Bouvier",
      email: "marge@cypress.test",
      phone: "+15555550104",
      position: "Buyer",
      company: 0,
      consents: [{ purpose: "marketing_sms" }],
    },
  ],
  deals: [
    { title: "Plant automation", stage: "proposal", amount: 250000, person: 0, company: 1 },
    { title: "Cypress campus", stage: "lead", amount: 80000, person: 3, company: 0 },
  ],
  interactions: [
    { person: 0, kind: "call", purpose: "sales_pipeline", subject: "Automation needs", body: "Wants fewer buttons.", daysAgo: 8 },
    { person: 3, kind: "meeting", purpose: "sales_pipeline", subject: "Campus visit", body: "Toured the site.", daysAgo: 4 },
  ],
};

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

async function seedWorkspace(tx: Db, seed: WorkspaceSeed, passwordHash: string): Promise<void> {
  const [ws] = await tx.insert(workspaces).values({ name: seed.name, plan: "beta", subscriptionStatus: "active" }).returning();
  const members = await tx
    .insert(users)
    .values(seed.users.map((u) => ({ ...u, workspaceId: ws.id, passwordHash })))
    .returning();
  for (const m of members) await addLogin(tx, { email: m.email, workspaceId: ws.id, userId: m.id });
  const owner = members[0];
  const seller = members.find((m) => m.role === "sales_rep") ?? owner;
  const orgs = await tx
    .insert(companies)
    .values(seed.companies.map((c) => ({ ...c, workspaceId: ws.id, ownerId: seller.id })))
    .returning();
  const people = await tx
    .insert(contacts)
    .values(
      seed.people.map((p, i) => ({
        workspaceId: ws.id,
        ownerId: seller.id,
        companyId: p.company === undefined ? null : orgs[p.company].id,
        firstName: p.firstName,
        lastName: p.lastName,
        email: p.email,
        phone: p.phone ?? null,
        position: p.position ?? null,
        consentedPurposes: (p.consents ?? []).filter((c) => !c.withdrawn).map((c) => c.purpose),
        objectedPurposes: p.objected ? [p.objected] : [],
        processingRestricted: p.restricted !== undefined,
        createdAt: daysAgo(60 - i),
        updatedAt: daysAgo(60 - i),
      })),
    )
    .returning();
  // The ledger is the proof behind every consent state on the contact rows above: each grant
  // carries what its source needs (src/modules/consent/consent.proof.ts; a test checks it), and
  // a withdrawal records how it came, not a copy of the grant's proof.
  const ledger = seed.people.flatMap((p, i) =>
    (p.consents ?? []).flatMap((c) => {
      const base = {
        workspaceId: ws.id,
        contactId: people[i].id,
        purpose: c.purpose,
        channel: c.purpose === "marketing_sms" ? "sms" : "email",
        recordedBy: owner.id,
      };
      const granted = {
        ...base,
        state: "granted",
        source: "signup_form",
        noticeVersion: DEMO_NOTICE_VERSION,
        subjectIp: `203.0.113.${10 + i}`,
        subjectUserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        evidence: `Sign-up form on ${seed.domain}, ${c.purpose === "marketing_sms" ? "SMS" : "newsletter"} box ticked (unticked by default)`,
        createdAt: daysAgo(40),
      };
      const withdrawn = {
        ...base,
        state: "withdrawn",
        source: "unsubscribe_link",
        evidence: "One-click unsubscribe link in a campaign message",
        createdAt: daysAgo(15),
      };
      return c.withdrawn ? [granted, withdrawn] : [granted];
    }),
  );
  if (ledger.length > 0) await tx.insert(consentEvents).values(ledger);
  const history = seed.people.flatMap((p, i) => [
    ...(p.restricted ? [{ workspaceId: ws.id, contactId: people[i].id, kind: "restricted", reason: p.restricted, recordedBy: owner.id }] : []),
    ...(p.objected
      ? [
          {
            workspaceId: ws.id,
            contactId: people[i].id,
            kind: "objected",
            purpose: p.objected,
            reason: "Asked by email not to be prospected.",
            recordedBy: owner.id,
          },
        ]
      : []),
  ]);
  if (history.length > 0) await tx.insert(contactPrivacyEvents).values(history);
  const opportunities = await tx
    .insert(deals)
    .values(
      seed.deals.map((d, i) => ({
        workspaceId: ws.id,
        ownerId: seller.id,
        title: d.title,
        stage: d.stage,
        amount: d.amount,
        contactId: d.person === undefined ? null : people[d.person].id,
        companyId: d.company === undefined ? null : orgs[d.company].id,
        closedAt: d.stage === "won" || d.stage === "lost" ? daysAgo(2) : null,
        createdAt: daysAgo(30 - i),
      })),
    )
    .returning();
  await tx.insert(interactions).values(
    seed.interactions.map((x) => ({
      workspaceId: ws.id,
      ownerId: seller.id,
      contactId: people[x.person].id,
      dealId: opportunities.find((d) => d.contactId === people[x.person].id)?.id ?? null,
      kind: x.kind,
      purpose: x.purpose,
      subject: x.subject,
      body: x.body,
      occurredAt: daysAgo(x.daysAgo),
    })),
  );
}

/** Seeds the contract's demo workspaces once, on an empty database; a no-op otherwise. */
export async function seedDemo(database: Database, password: string): Promise<boolean> {
  return database.withAdvisoryLock(LOCK_SEED, async (db) => {
    const [{ n }] = await db.select({ n: count() }).from(workspaces);
    if (Number(n) > 0) return false;
    const passwordHash = await hashPassword(password);
    await db.transaction(async (tx) => {
      await seedWorkspace(tx, ACME, passwordHash);
      await seedWorkspace(tx, GLOBEX, passwordHash);
    });
    return true;
  });
}
