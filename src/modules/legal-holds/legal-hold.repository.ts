import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { legalHolds } from "../../db/schema/index.js";

/** Active holds that cover a contact of a workspace: on the contact itself, or on the whole workspace. */
export function activeHoldsCovering(db: Db, workspaceId: string, contactId: string | null) {
  const target = contactId ? or(isNull(legalHolds.contactId), eq(legalHolds.contactId, contactId)) : isNull(legalHolds.contactId);
  return db
    .select({ id: legalHolds.id, reason: legalHolds.reason, contactId: legalHolds.contactId })
    .from(legalHolds)
    .where(and(eq(legalHolds.workspaceId, workspaceId), isNull(legalHolds.releasedAt), target));
}

/** SQL: the workspace is under an active workspace-wide hold. */
export const workspaceHeld = (workspaceColumn: unknown): SQL =>
  sql`exists (select 1 from ${legalHolds} h where h.workspace_id = ${workspaceColumn} and h.released_at is null and h.contact_id is null)`;

/** SQL: the workspace holds anything under an active hold (a purge of the workspace would destroy it). */
export const anythingHeldIn = (workspaceColumn: unknown): SQL =>
  sql`exists (select 1 from ${legalHolds} h where h.workspace_id = ${workspaceColumn} and h.released_at is null)`;

/** SQL: the contact is covered by an active hold (its own or its workspace's). */
export const contactHeld = (workspaceColumn: unknown, contactColumn: unknown): SQL =>
  sql`exists (select 1 from ${legalHolds} h where h.workspace_id = ${workspaceColumn} and h.released_at is null and (h.contact_id is null or h.contact_id = ${contactColumn}))`;

export async function insertHold(db: Db, values: typeof legalHolds.$inferInsert) {
  const [row] = await db.insert(legalHolds).values(values).returning();
  return row;
}

/** Releases an active hold; false when it is unknown, of another workspace, or already released. */
export async function releaseHold(db: Db, where: SQL, id: string, by: string | null, reason: string | null): Promise<boolean> {
  const rows = await db
    .update(legalHolds)
    .set({ releasedAt: sql`now()`, releasedById: by, releaseReason: reason })
    .where(and(where, eq(legalHolds.id, id), isNull(legalHolds.releasedAt)))
    .returning({ id: legalHolds.id });
  return rows.length > 0;
}

export function holdsByIds(db: Db, where: SQL, ids: string[]) {
  return db
    .select()
    .from(legalHolds)
    .where(and(where, inArray(legalHolds.id, ids)));
}

/** Workspaces with any active hold (on the workspace or one of its contacts): no purge may destroy them. */
export async function workspacesUnderHold(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ id: legalHolds.workspaceId }).from(legalHolds).where(isNull(legalHolds.releasedAt));
  return rows.map((r) => r.id);
}

/** Whether anything in the workspace is under an active hold (read in the caller's transaction). */
export async function workspaceHasActiveHold(db: Db, workspaceId: string): Promise<boolean> {
  const rows = await db
    .select({ id: legalHolds.id })
    .from(legalHolds)
    .where(and(eq(legalHolds.workspaceId, workspaceId), isNull(legalHolds.releasedAt)))
    .limit(1);
  return rows.length > 0;
}
