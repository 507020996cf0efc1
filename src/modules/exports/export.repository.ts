import { and, asc, eq, gt, or, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Principal } from "../../authz/ability.js";
import { isUserActive } from "../../auth/sessions.js";
import type { Db } from "../../db/client.js";
import {
  breachAffectedContacts,
  breachAffectedUsers,
  breaches,
  companies,
  consentEvents,
  contactPrivacyEvents,
  contacts,
  deals,
  interactions,
  policyAcknowledgements,
  policyVersions,
  privacyRequests,
  sessions,
  usageEvents,
  users,
  workspaces,
} from "../../db/schema/index.js";

/**
 * The SQL of the exports: every table that holds personal data about one person, read in
 * keyset pages (sort time, id) so that a large export streams from the database instead of
 * being built in memory whole. Every statement is bound to the workspace.
 */

/** Rows per statement while streaming. */
export const EXPORT_PAGE_SIZE = 500;

/** A keyset position: the row's sort time and id. */
export interface Position {
  at: Date;
  id: string;
}

type Row = Record<string, unknown>;
type ReadPage = (db: Db, after: Position | undefined, limit: number) => Promise<Array<{ position: Position; row: Row }>>;

/** A section's rows: its column names (the CSV header, even with no row) and how to read one page after `after` (exclusive). */
export interface PageReader {
  columns: string[];
  read: ReadPage;
}

function custom(columns: Record<string, unknown>, read: ReadPage): PageReader {
  return { columns: Object.keys(columns), read };
}

function after(at: AnyPgColumn, id: AnyPgColumn, position: Position | undefined): SQL | undefined {
  return position ? or(gt(at, position.at), and(eq(at, position.at), gt(id, position.id))) : undefined;
}

/** A reader over `table` where `where`, ordered by (`at`, `id`), selecting `columns`. */
function reader(table: PgTable, columns: Record<string, AnyPgColumn>, at: AnyPgColumn, id: AnyPgColumn, where: SQL | undefined): PageReader {
  return custom(columns, async (db, position, limit) => {
    const rows = await db
      .select({ ...columns, __at: at, __id: id })
      .from(table)
      .where(and(where, after(at, id, position)))
      .orderBy(asc(at), asc(id))
      .limit(limit);
    return rows.map(({ __at, __id, ...row }) => ({ position: { at: __at as Date, id: __id as string }, row }));
  });
}

/** Every row a reader yields, page after page. */
export async function* allRows(db: Db, read: PageReader, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<Row> {
  let position: Position | undefined;
  for (;;) {
    const page = await read.read(db, position, pageSize);
    for (const entry of page) yield entry.row;
    if (page.length < pageSize) return;
    position = page[page.length - 1].position;
  }
}

export async function workspaceName(db: Db, workspaceId: string): Promise<string | undefined> {
  const [row] = await db.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, workspaceId));
  return row?.name;
}

// ---- a contact ----

export function contactRow(workspaceId: string, contactId: string): PageReader {
  return reader(
    contacts,
    {
      id: contacts.id,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      email: contacts.email,
      // The addresses the record held before: personal data the workspace still holds.
      formerEmails: contacts.formerEmails,
      phone: contacts.phone,
      position: contacts.position,
      companyId: contacts.companyId,
      consentedPurposes: contacts.consentedPurposes,
      objectedPurposes: contacts.objectedPurposes,
      processingRestricted: contacts.processingRestricted,
      erasedAt: contacts.erasedAt,
      createdAt: contacts.createdAt,
      updatedAt: contacts.updatedAt,
    },
    contacts.createdAt,
    contacts.id,
    and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)),
  );
}

/** The company the person works for (the link is their personal data; the company itself is a business record). */
const companyColumns = { id: companies.id, name: companies.name, domain: companies.domain, industry: companies.industry, createdAt: companies.createdAt };

export function contactCompany(workspaceId: string, contactId: string): PageReader {
  return custom(companyColumns, async (db, position, limit) => {
    if (position) return [];
    const rows = await db
      .select(companyColumns)
      .from(companies)
      .innerJoin(contacts, and(eq(contacts.workspaceId, companies.workspaceId), eq(contacts.companyId, companies.id)))
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId), eq(companies.workspaceId, workspaceId)))
      .limit(limit);
    return rows.map((row) => ({ position: { at: row.createdAt, id: row.id }, row }));
  });
}

export function contactDeals(workspaceId: string, contactId: string): PageReader {
  return reader(
    deals,
    {
      id: deals.id,
      title: deals.title,
      stage: deals.stage,
      amount: deals.amount,
      currency: deals.currency,
      companyId: deals.companyId,
      closedAt: deals.closedAt,
      createdAt: deals.createdAt,
      updatedAt: deals.updatedAt,
    },
    deals.createdAt,
    deals.id,
    and(eq(deals.workspaceId, workspaceId), eq(deals.contactId, contactId)),
  );
}

export function contactInteractions(workspaceId: string, contactId: string): PageReader {
  return reader(
    interactions,
    {
      id: interactions.id,
      kind: interactions.kind,
      purpose: interactions.purpose,
      subject: interactions.subject,
      body: interactions.body,
      dealId: interactions.dealId,
      occurredAt: interactions.occurredAt,
      createdAt: interactions.createdAt,
      updatedAt: interactions.updatedAt,
    },
    interactions.occurredAt,
    interactions.id,
    and(eq(interactions.workspaceId, workspaceId), eq(interactions.contactId, contactId)),
  );
}

const consentColumns = {
  id: consentEvents.id,
  purpose: consentEvents.purpose,
  channel: consentEvents.channel,
  state: consentEvents.state,
  source: consentEvents.source,
  noticeVersion: consentEvents.noticeVersion,
  subjectIp: consentEvents.subjectIp,
  subjectUserAgent: consentEvents.subjectUserAgent,
  evidence: consentEvents.evidence,
  createdAt: consentEvents.createdAt,
};

export function contactConsents(workspaceId: string, contactId: string): PageReader {
  return reader(
    consentEvents,
    consentColumns,
    consentEvents.createdAt,
    consentEvents.id,
    and(eq(consentEvents.workspaceId, workspaceId), eq(consentEvents.contactId, contactId)),
  );
}

export function contactPrivacyHistory(workspaceId: string, contactId: string): PageReader {
  return reader(
    contactPrivacyEvents,
    {
      id: contactPrivacyEvents.id,
      kind: contactPrivacyEvents.kind,
      purpose: contactPrivacyEvents.purpose,
      reason: contactPrivacyEvents.reason,
      createdAt: contactPrivacyEvents.createdAt,
    },
    contactPrivacyEvents.createdAt,
    contactPrivacyEvents.id,
    and(eq(contactPrivacyEvents.workspaceId, workspaceId), eq(contactPrivacyEvents.contactId, contactId)),
  );
}

const requestColumns = {
  id: privacyRequests.id,
  type: privacyRequests.type,
  law: privacyRequests.law,
  status: privacyRequests.status,
  details: privacyRequests.details,
  verificationMethod: privacyRequests.verificationMethod,
  verifiedAt: privacyRequests.verifiedAt,
  receivedAt: privacyRequests.receivedAt,
  dueAt: privacyRequests.dueAt,
  extendedUntil: privacyRequests.extendedUntil,
  extensionReason: privacyRequests.extensionReason,
  completedAt: privacyRequests.completedAt,
  rejectedAt: privacyRequests.rejectedAt,
  rejectionReason: privacyRequests.rejectionReason,
};

export function contactRequests(workspaceId: string, contactId: string): PageReader {
  return reader(
    privacyRequests,
    requestColumns,
    privacyRequests.receivedAt,
    privacyRequests.id,
    and(eq(privacyRequests.workspaceId, workspaceId), eq(privacyRequests.contactId, contactId)),
  );
}

const breachColumns = {
  id: breaches.id,
  detectedAt: breaches.detectedAt,
  severity: breaches.severity,
  description: breaches.description,
  effects: breaches.effects,
  remedialAction: breaches.remedialAction,
  authority: breaches.authority,
  authorityNotifiedAt: breaches.authorityNotifiedAt,
  usersNotifiedAt: breaches.usersNotifiedAt,
};

export function contactBreaches(workspaceId: string, contactId: string): PageReader {
  return custom(breachColumns, async (db, position, limit) => {
    const rows = await db
      .select(breachColumns)
      .from(breaches)
      .innerJoin(breachAffectedContacts, and(eq(breachAffectedContacts.workspaceId, breaches.workspaceId), eq(breachAffectedContacts.breachId, breaches.id)))
      .where(
        and(
          eq(breaches.workspaceId, workspaceId),
          eq(breachAffectedContacts.workspaceId, workspaceId),
          eq(breachAffectedContacts.contactId, contactId),
          after(breaches.detectedAt, breaches.id, position),
        ),
      )
      .orderBy(asc(breaches.detectedAt), asc(breaches.id))
      .limit(limit);
    return rows.map((row) => ({ position: { at: row.detectedAt, id: row.id }, row }));
  });
}

// ---- a user's own account ----

export function userProfile(workspaceId: string, userId: string): PageReader {
  return reader(
    users,
    {
      id: users.id,
      email: users.email,
      name: users.name,
      phone: users.phone,
      position: users.position,
      role: users.role,
      consentedPurposes: users.consentedPurposes,
      lastLoginAt: users.lastLoginAt,
      createdAt: users.createdAt,
      updatedAt: users.updatedAt,
    },
    users.createdAt,
    users.id,
    and(eq(users.workspaceId, workspaceId), eq(users.id, userId)),
  );
}

/** Live sessions: when they began and end; never the token's hash. */
export function userSessions(workspaceId: string, userId: string): PageReader {
  return reader(
    sessions,
    { id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt },
    sessions.createdAt,
    sessions.id,
    and(eq(sessions.workspaceId, workspaceId), eq(sessions.userId, userId)),
  );
}

export function userUsage(workspaceId: string, userId: string): PageReader {
  return reader(
    usageEvents,
    {
      id: usageEvents.id,
      kind: usageEvents.kind,
      sessionId: usageEvents.sessionId,
      occurredAt: usageEvents.occurredAt,
      durationSeconds: usageEvents.durationSeconds,
      device: usageEvents.device,
      ip: usageEvents.ip,
      location: usageEvents.location,
      detail: usageEvents.detail,
    },
    usageEvents.occurredAt,
    usageEvents.id,
    and(eq(usageEvents.workspaceId, workspaceId), eq(usageEvents.userId, userId)),
  );
}

export function userConsents(workspaceId: string, userId: string): PageReader {
  return reader(
    consentEvents,
    consentColumns,
    consentEvents.createdAt,
    consentEvents.id,
    and(eq(consentEvents.workspaceId, workspaceId), eq(consentEvents.subjectUserId, userId)),
  );
}

/** The policy versions the user acknowledged, with what each said. */
const acknowledgementColumns = {
  id: policyVersions.id,
  version: policyVersions.version,
  summary: policyVersions.summary,
  material: policyVersions.material,
  publishedAt: policyVersions.publishedAt,
  acknowledgedAt: policyAcknowledgements.acknowledgedAt,
};

export function userAcknowledgements(workspaceId: string, userId: string): PageReader {
  return custom(acknowledgementColumns, async (db, position, limit) => {
    const rows = await db
      .select(acknowledgementColumns)
      .from(policyAcknowledgements)
      .innerJoin(policyVersions, eq(policyVersions.id, policyAcknowledgements.policyVersionId))
      .where(
        and(
          eq(policyAcknowledgements.workspaceId, workspaceId),
          eq(policyAcknowledgements.userId, userId),
          after(policyAcknowledgements.acknowledgedAt, policyVersions.id, position),
        ),
      )
      .orderBy(asc(policyAcknowledgements.acknowledgedAt), asc(policyVersions.id))
      .limit(limit);
    return rows.map((row) => ({ position: { at: row.acknowledgedAt, id: row.id }, row }));
  });
}

export function userBreaches(workspaceId: string, userId: string): PageReader {
  return custom(breachColumns, async (db, position, limit) => {
    const rows = await db
      .select(breachColumns)
      .from(breaches)
      .innerJoin(breachAffectedUsers, and(eq(breachAffectedUsers.workspaceId, breaches.workspaceId), eq(breachAffectedUsers.breachId, breaches.id)))
      .where(
        and(
          eq(breaches.workspaceId, workspaceId),
          eq(breachAffectedUsers.workspaceId, workspaceId),
          eq(breachAffectedUsers.userId, userId),
          after(breaches.detectedAt, breaches.id, position),
        ),
      )
      .orderBy(asc(breaches.detectedAt), asc(breaches.id))
      .limit(limit);
    return rows.map((row) => ({ position: { at: row.detectedAt, id: row.id }, row }));
  });
}

export function userRequests(workspaceId: string, userId: string): PageReader {
  return reader(
    privacyRequests,
    requestColumns,
    privacyRequests.receivedAt,
    privacyRequests.id,
    and(eq(privacyRequests.workspaceId, workspaceId), eq(privacyRequests.userId, userId)),
  );
}

/** The sources of the person's recorded consents (where that part of their data came from). */
export async function consentSources(db: Db, workspaceId: string, contactId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ source: consentEvents.source })
    .from(consentEvents)
    .where(and(eq(consentEvents.workspaceId, workspaceId), eq(consentEvents.contactId, contactId)))
    .orderBy(asc(consentEvents.source));
  return rows.map((r) => r.source);
}

/**
 * The user a download link was issued to, as a principal, if they still belong to the workspace
 * and are active: deactivation ends their access at once, links already handed out included.
 */
export async function principalOf(db: Db, workspaceId: string, userId: string): Promise<Principal | undefined> {
  const [row] = await db
    .select({ userId: users.id, workspaceId: users.workspaceId, role: users.role, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId), isUserActive()));
  return row ? { kind: "user", ...row } : undefined;
}

export async function userCreatedAt(db: Db, workspaceId: string, userId: string): Promise<{ createdAt: Date; consentedPurposes: string[] } | undefined> {
  const [row] = await db
    .select({ createdAt: users.createdAt, consentedPurposes: users.consentedPurposes })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)));
  return row;
}
