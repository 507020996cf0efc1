import { and, eq, ne, type SQL, sql } from "drizzle-orm";
import { endSessions } from "../../auth/sessions.js";
import { removeLogins } from "../../auth/lookups.js";
import type { Db } from "../../db/client.js";
import { consentEvents, sessions, users } from "../../db/schema/index.js";
import { withLedgerMaintenance } from "../consent/consent.repository.js";

/** A closed account keeps this role: no policy file grants it anything, so it can do nothing. */
export const CLOSED_ROLE = "closed";

export async function lockUser(tx: Db, workspaceId: string, userId: string) {
  const [row] = await tx
    .select({ id: users.id, workspaceId: users.workspaceId, role: users.role, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)))
    .for("update");
  return row;
}

/** Other owners of the workspace (locked, so two owners closing at once cannot both be "not the last"). */
export async function otherOwners(tx: Db, workspaceId: string, userId: string): Promise<number> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.role, "owner"), ne(users.id, userId)))
    .for("update");
  return rows.length;
}

/**
 * Anonymises the user row (name, email, phone, position replaced; the password hash replaced by
 * a value no password matches; role `closed`), deletes every session, and removes the proof
 * details of the user's own consents from the ledger (the states stay as proof). The row itself
 * stays so the decision log's actor ids still resolve.
 */
export async function closeAccount(
  tx: Db,
  userId: string,
  workspaceId: string,
  role: string,
): Promise<{ sessionsDeleted: number; consentProofsCleared: number }> {
  const ended = await endSessions(tx, and(eq(sessions.workspaceId, workspaceId), eq(sessions.userId, userId)) as SQL);
  await tx
    .update(users)
    .set({
      name: "Closed account",
      email: sql`'closed-' || ${users.id}::text || '@closed.invalid'`,
      phone: null,
      position: null,
      passwordHash: "!closed",
      role: CLOSED_ROLE,
      lastLoginAt: null,
      updatedAt: new Date(),
    })
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)));
  // The email is free again: a closed account no longer signs in.
  await removeLogins(tx, workspaceId, [userId]);
  const cleared = await withLedgerMaintenance(
    tx,
    { workspaceId, actorId: userId, actorRole: role, reason: "account closed: consent proof details removed", subjectId: userId },
    () =>
      tx
        .update(consentEvents)
        .set({ subjectIp: null, subjectUserAgent: null, evidence: null })
        .where(and(eq(consentEvents.workspaceId, workspaceId), eq(consentEvents.subjectUserId, userId)))
        .returning({ id: consentEvents.id }),
  );
  return { sessionsDeleted: ended.length, consentProofsCleared: cleared.length };
}

/** The user's own profile fields and consents, locked for a correction (updateMyProfile). */
export async function lockProfile(tx: Db, workspaceId: string, userId: string) {
  const [row] = await tx
    .select({
      id: users.id,
      workspaceId: users.workspaceId,
      name: users.name,
      phone: users.phone,
      position: users.position,
      consentedPurposes: users.consentedPurposes,
    })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.workspaceId, workspaceId)))
    .for("update");
  return row;
}

export async function setProfile(
  tx: Db,
  workspaceId: string,
  userId: string,
  changes: Partial<{ name: string; phone: string | null; position: string | null }>,
): Promise<void> {
  await tx
    .update(users)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)));
}
