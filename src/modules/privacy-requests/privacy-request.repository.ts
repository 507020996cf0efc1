import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { OPEN_REQUEST_STATUSES, privacyRequestAnswers, privacyRequests, users, workspaces } from "../../db/schema/index.js";
import { anyOf } from "../common/entity-store.js";
import type { PrivacyRequestAnswerRow, PrivacyRequestRow, RequestStatus, RequestType } from "./privacy-request.type.js";

/** SQL: the deadline in force. */
const effectiveDue = sql`coalesce(${privacyRequests.extendedUntil}, ${privacyRequests.dueAt})`;
const isOpen = inArray(privacyRequests.status, [...OPEN_REQUEST_STATUSES]);

export interface RequestFilterSql {
  types?: RequestType[];
  statuses?: RequestStatus[];
  overdue?: boolean;
  open?: boolean;
  dueBefore?: Date;
  contactId?: string;
  userId?: string;
}

export function requestFilter(f: RequestFilterSql): SQL | undefined {
  return and(
    f.types ? anyOf(privacyRequests.type, f.types) : undefined,
    f.statuses ? anyOf(privacyRequests.status, f.statuses) : undefined,
    f.overdue === true ? and(isOpen, sql`${effectiveDue} < now()`) : undefined,
    f.overdue === false ? sql`not (${and(isOpen, sql`${effectiveDue} < now()`)})` : undefined,
    f.open === true ? isOpen : f.open === false ? sql`not ${isOpen}` : undefined,
    f.dueBefore ? sql`${effectiveDue} < ${f.dueBefore.toISOString()}::timestamptz` : undefined,
    f.contactId ? eq(privacyRequests.contactId, f.contactId) : undefined,
    f.userId ? eq(privacyRequests.userId, f.userId) : undefined,
  );
}

/** The workspace's time zone for legal deadlines (null: UTC). */
export async function workspaceTimeZone(db: Db, workspaceId: string): Promise<string | null> {
  const [row] = await db.select({ timeZone: workspaces.timeZone }).from(workspaces).where(eq(workspaces.id, workspaceId));
  return row?.timeZone ?? null;
}

/** True when the user is a member of the workspace (nothing else is read about them). */
export async function memberExists(db: Db, workspaceId: string, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.workspaceId, workspaceId)));
  return row !== undefined;
}

export async function insertRequest(db: Db, values: typeof privacyRequests.$inferInsert): Promise<PrivacyRequestRow> {
  const [row] = await db.insert(privacyRequests).values(values).returning();
  return row;
}

/**
 * The request under a row lock in the caller's transaction, if `where` (the ability's filter)
 * holds: two steps on one request (an extension and a completion) never interleave.
 */
export async function lockRequest(tx: Db, id: string, where: SQL): Promise<PrivacyRequestRow | undefined> {
  const [row] = await tx
    .select()
    .from(privacyRequests)
    .where(and(eq(privacyRequests.id, id), where))
    .for("update");
  return row;
}

/** The request of the workspace under a row lock, whatever the caller may do with it (the caller decides). */
export async function lockRequestInWorkspace(tx: Db, id: string, workspaceId: string): Promise<PrivacyRequestRow | undefined> {
  return lockRequest(tx, id, eq(privacyRequests.workspaceId, workspaceId));
}

export async function updateRequest(tx: Db, row: { workspaceId: string; id: string }, changes: Partial<typeof privacyRequests.$inferInsert>): Promise<void> {
  await tx
    .update(privacyRequests)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(eq(privacyRequests.workspaceId, row.workspaceId), eq(privacyRequests.id, row.id)));
}

/** Links an answer; linking the same one twice is a no-op (false). */
export async function insertAnswer(tx: Db, values: typeof privacyRequestAnswers.$inferInsert): Promise<boolean> {
  const rows = await tx.insert(privacyRequestAnswers).values(values).onConflictDoNothing().returning({ id: privacyRequestAnswers.id });
  return rows.length > 0;
}

export async function countAnswers(tx: Db, request: { workspaceId: string; id: string }): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(privacyRequestAnswers)
    .where(and(eq(privacyRequestAnswers.workspaceId, request.workspaceId), eq(privacyRequestAnswers.requestId, request.id)));
  return row.n;
}

/** Answers of a batch of requests of one workspace, oldest first. */
export function answersOf(db: Db, workspaceId: string, requestIds: readonly string[]): Promise<PrivacyRequestAnswerRow[]> {
  return db
    .select()
    .from(privacyRequestAnswers)
    .where(and(eq(privacyRequestAnswers.workspaceId, workspaceId), anyOf(privacyRequestAnswers.requestId, requestIds)))
    .orderBy(privacyRequestAnswers.linkedAt, privacyRequestAnswers.id);
}
