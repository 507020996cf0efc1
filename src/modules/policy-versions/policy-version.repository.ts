import { and, desc, eq, isNull, notExists, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { policyAcknowledgements, policyVersions } from "../../db/schema/index.js";

export type PolicyVersionRow = typeof policyVersions.$inferSelect;

export interface NewPolicyVersion {
  workspaceId: string | null;
  version: string;
  summary: string;
  material: boolean;
  publishedBy: string | null;
}

/** Platform versions, and the workspace's when one is given. */
const inScope = (workspaceId: string | null) =>
  workspaceId ? or(isNull(policyVersions.workspaceId), eq(policyVersions.workspaceId, workspaceId)) : isNull(policyVersions.workspaceId);

const NEWEST = [desc(policyVersions.publishedAt), desc(policyVersions.id)];

/** Inserts a version; undefined when its scope already has that version text (the unique indexes decide, race-free). */
export async function insertVersion(tx: Db, values: NewPolicyVersion): Promise<PolicyVersionRow | undefined> {
  const [row] = await tx.insert(policyVersions).values(values).onConflictDoNothing().returning();
  return row;
}

/** Versions a reader of `workspaceId` sees (platform only without one), newest first. */
export function versionsFor(db: Db, workspaceId: string | null): Promise<PolicyVersionRow[]> {
  return db
    .select()
    .from(policyVersions)
    .where(inScope(workspaceId))
    .orderBy(...NEWEST);
}

/** The notice in force for a workspace: its own newest version, else the platform's newest. */
export async function currentVersion(db: Db, workspaceId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ version: policyVersions.version })
    .from(policyVersions)
    .where(inScope(workspaceId))
    .orderBy(sql`${policyVersions.workspaceId} is null`, ...NEWEST)
    .limit(1);
  return row?.version;
}

/**
 * Material versions (platform or the user's workspace) published after the account was
 * created and not acknowledged by it: computed, so a change reaches every user once without
 * a row per user.
 */
export function pendingNotices(db: Db, user: { id: string; workspaceId: string; createdAt: Date }): Promise<PolicyVersionRow[]> {
  const acknowledged = db
    .select({ one: sql`1` })
    .from(policyAcknowledgements)
    .where(and(eq(policyAcknowledgements.userId, user.id), eq(policyAcknowledgements.policyVersionId, policyVersions.id)));
  return db
    .select()
    .from(policyVersions)
    .where(
      and(
        inScope(user.workspaceId),
        eq(policyVersions.material, true),
        sql`${policyVersions.publishedAt} > ${user.createdAt.toISOString()}::timestamptz`,
        notExists(acknowledged),
      ),
    )
    .orderBy(...NEWEST);
}

/** Acknowledges every version with this text the user sees; false when there is none. Repeats add nothing. */
export async function acknowledge(db: Db, user: { id: string; workspaceId: string }, version: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const found = await tx
      .select({ id: policyVersions.id })
      .from(policyVersions)
      .where(and(inScope(user.workspaceId), eq(policyVersions.version, version)));
    if (found.length === 0) return false;
    await tx
      .insert(policyAcknowledgements)
      .values(found.map((v) => ({ workspaceId: user.workspaceId, userId: user.id, policyVersionId: v.id })))
      .onConflictDoNothing();
    return true;
  });
}
