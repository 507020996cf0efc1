import { and, eq, getTableColumns, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import { type Db, rowsOf } from "../../db/client.js";
import { breachAffectedContacts, breachAffectedUsers, breaches, contacts, users } from "../../db/schema/index.js";
import { isUuid } from "../common/crud.service.js";
import type { CursorScope } from "../common/cursor.js";
import { newestFirstPage } from "../common/newest-first.js";
import { type PageRequest, type PageResult } from "../common/paging.js";
import { type BreachRecord, type BreachTarget, notifiedAtColumn } from "./breach.rules.js";

/** The register's only order: newest detection first, ties by id. */
const ORDER = "Breach:DETECTED_AT:DESC";

/** A breach row with who it affected (counted) and the database clock it was read at. */
const record = {
  ...getTableColumns(breaches),
  affectedContacts: sql<number>`(select count(*) from ${breachAffectedContacts} where ${breachAffectedContacts.breachId} = ${breaches.id})`.mapWith(Number),
  affectedUsers: sql<number>`(select count(*) from ${breachAffectedUsers} where ${breachAffectedUsers.breachId} = ${breaches.id})`.mapWith(Number),
  // Overdue is decided against the database's clock, the one every process shares.
  checkedAt: sql<Date>`now()`.mapWith(breaches.detectedAt),
};

export interface NewBreach {
  workspaceId: string;
  detectedAt: Date;
  severity: string;
  description: string;
  effects: string;
  remedialAction: string;
  authority: string;
  reportedBy: string | null;
}

/** The ids of `ids` that are not rows of the workspace (unknown or another tenant's: the same answer). */
export async function foreignIds(db: Db, table: "contacts" | "users", ws: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const t = table === "contacts" ? contacts : users;
  const found = await db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.workspaceId, ws), inArray(t.id, [...ids])));
  const known = new Set(found.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}

/** Whether `at` is ahead of the database clock (a minute of client clock skew allowed). */
export async function detectedInFuture(db: Db, at: Date): Promise<boolean> {
  const rows = rowsOf<{ future: boolean }>(await db.execute(sql`select ${at.toISOString()}::timestamptz > now() + interval '1 minute' as future`));
  return rows[0]?.future === true;
}

/** Inserts the breach and who it affected, in the caller's transaction. */
export async function insertBreach(tx: Db, values: NewBreach, contactIds: readonly string[], userIds: readonly string[]): Promise<string> {
  const [row] = await tx.insert(breaches).values(values).returning({ id: breaches.id });
  if (contactIds.length > 0)
    await tx.insert(breachAffectedContacts).values(contactIds.map((contactId) => ({ workspaceId: values.workspaceId, breachId: row.id, contactId })));
  if (userIds.length > 0) await tx.insert(breachAffectedUsers).values(userIds.map((userId) => ({ workspaceId: values.workspaceId, breachId: row.id, userId })));
  return row.id;
}

/** One breach the filter lets through, or undefined. */
export async function breachById(db: Db, id: string, where: SQL): Promise<BreachRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db
    .select(record)
    .from(breaches)
    .where(and(eq(breaches.id, id), where));
  return row;
}

/**
 * Records the first notification of `target`; a repeat keeps the first time (the UPDATE only
 * writes a null column, so two concurrent calls cannot both win). Returns whether it changed.
 */
export async function markNotified(tx: Db, id: string, target: BreachTarget, where: SQL): Promise<boolean> {
  const column = breaches[notifiedAtColumn(target)];
  const changed = await tx
    .update(breaches)
    .set({ [notifiedAtColumn(target)]: sql`now()` })
    .where(and(eq(breaches.id, id), isNull(column), where))
    .returning({ id: breaches.id });
  return changed.length > 0;
}

const LIST = { table: breaches, time: breaches.detectedAt, id: breaches.id, order: ORDER };

/** Newest detection first, keyset on (detected_at, id); a backward page reads the other way and is put back. */
export function breachPage(db: Db, where: SQL, page: PageRequest, cursors: CursorScope): Promise<PageResult<BreachRecord>> {
  return newestFirstPage<BreachRecord>(db, LIST, record, (row) => row.detectedAt, where, page, cursors);
}

export interface BreachNoticeRow {
  id: string;
  detectedAt: Date;
  severity: string;
  description: string;
  effects: string;
  remedialAction: string;
  target: BreachTarget;
  notifiedAt: Date;
}

/**
 * The breach notices addressed to one account holder: breaches that affected them once the
 * users were notified, and, when they speak for the customer (`asController`), breaches of the
 * workspace's contacts once the controllers were notified.
 */
export async function noticesFor(db: Db, user: { id: string; workspaceId: string }, asController: boolean): Promise<BreachNoticeRow[]> {
  const base = {
    id: breaches.id,
    detectedAt: breaches.detectedAt,
    severity: breaches.severity,
    description: breaches.description,
    effects: breaches.effects,
    remedialAction: breaches.remedialAction,
  };
  const affected = db
    .select({ ...base, target: sql<BreachTarget>`'users'`, notifiedAt: sql<Date>`${breaches.usersNotifiedAt}`.mapWith(breaches.detectedAt) })
    .from(breaches)
    .innerJoin(
      breachAffectedUsers,
      and(eq(breachAffectedUsers.workspaceId, breaches.workspaceId), eq(breachAffectedUsers.breachId, breaches.id), eq(breachAffectedUsers.userId, user.id)),
    )
    .where(and(eq(breaches.workspaceId, user.workspaceId), isNotNull(breaches.usersNotifiedAt)));
  const rows = await affected;
  if (asController) {
    rows.push(
      ...(await db
        .select({ ...base, target: sql<BreachTarget>`'controllers'`, notifiedAt: sql<Date>`${breaches.controllersNotifiedAt}`.mapWith(breaches.detectedAt) })
        .from(breaches)
        .where(and(eq(breaches.workspaceId, user.workspaceId), isNotNull(breaches.controllersNotifiedAt)))),
    );
  }
  // The id last: two breaches notified in the same millisecond would come in the statements' order.
  return rows.sort((a, b) => b.notifiedAt.getTime() - a.notifiedAt.getTime() || a.target.localeCompare(b.target) || a.id.localeCompare(b.id));
}
