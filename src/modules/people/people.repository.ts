import { and, count, desc, eq, gt, isNull, ne, type SQL, sql } from "drizzle-orm";
import { addCredential, credentialWorkspace, loginOf, removeCredentials } from "../../auth/lookups.js";
import { endSessions } from "../../auth/sessions.js";
import type { Db } from "../../db/client.js";
import { invitations, passwordResets, sessions, users, workspaces } from "../../db/schema/index.js";

export type InvitationRow = typeof invitations.$inferSelect;
export type PasswordResetRow = typeof passwordResets.$inferSelect;

/** A user of the caller's workspace that the caller may act on (the policy's SQL filter), or undefined. */
export async function findUser(db: Db, where: SQL | undefined, id: string, lock = false) {
  const query = db
    .select({
      id: users.id,
      workspaceId: users.workspaceId,
      email: users.email,
      role: users.role,
      deactivatedAt: users.deactivatedAt,
      lastLoginAt: users.lastLoginAt,
    })
    .from(users)
    .where(and(eq(users.id, id), where));
  const [row] = await (lock ? query.for("update") : query);
  return row;
}

/** The account of an email in any workspace (one per email): the global look-up, then the user row in its workspace. */
export const userByEmail = async (db: Db, email: string) => {
  const login = await loginOf(db, email);
  if (!login) return undefined;
  const [row] = await db
    .select({ id: users.id, workspaceId: users.workspaceId, role: users.role, lastLoginAt: users.lastLoginAt })
    .from(users)
    .where(and(eq(users.workspaceId, login.workspaceId), eq(users.id, login.userId)));
  return row;
};

export const passwordHashOf = async (db: Db, workspaceId: string, userId: string) => {
  const [row] = await db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)));
  return row?.passwordHash;
};

/** Active owners of a workspace other than `exceptUserId`, rows locked so two demotions cannot both pass. */
export async function otherActiveOwners(db: Db, workspaceId: string, exceptUserId: string): Promise<number> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.role, "owner"), isNull(users.deactivatedAt), ne(users.id, exceptUserId)))
    .for("update");
  return rows.length;
}

/** A new invitation; older pending ones for the same email in the workspace are withdrawn. */
export async function insertInvitation(db: Db, values: typeof invitations.$inferInsert): Promise<InvitationRow> {
  const withdrawn = await db
    .delete(invitations)
    .where(
      and(eq(invitations.workspaceId, values.workspaceId), eq(sql`lower(${invitations.email})`, values.email.toLowerCase()), isNull(invitations.acceptedAt)),
    )
    .returning({ tokenHash: invitations.tokenHash });
  await removeCredentials(
    db,
    "invitation",
    withdrawn.map((w) => w.tokenHash),
  );
  const [row] = await db.insert(invitations).values(values).returning();
  await addCredential(db, "invitation", values.tokenHash, values.workspaceId);
  return row;
}

/** A pending, unexpired invitation by its token's digest, locked until the transaction ends. */
export async function pendingInvitation(db: Db, tokenHash: string, now: Date): Promise<InvitationRow | undefined> {
  const workspaceId = await credentialWorkspace(db, "invitation", tokenHash);
  if (!workspaceId) return undefined;
  const [row] = await db
    .select()
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        eq(invitations.tokenHash, tokenHash),
        isNull(invitations.acceptedAt),
        gt(invitations.expiresAt, now),
        ne(workspaces.subscriptionStatus, "purged"),
      ),
    )
    .for("update", { of: invitations });
  return row?.invitations;
}

/** Uses up the invitation: accepted, and its token no longer looked up. */
export async function markInvitationAccepted(db: Db, invitation: InvitationRow, userId: string, now: Date): Promise<void> {
  await db
    .update(invitations)
    .set({ acceptedAt: now, acceptedUserId: userId })
    .where(and(eq(invitations.workspaceId, invitation.workspaceId), eq(invitations.id, invitation.id)));
  await removeCredentials(db, "invitation", [invitation.tokenHash]);
}

export async function insertPasswordReset(db: Db, values: typeof passwordResets.$inferInsert): Promise<void> {
  await deletePasswordResets(db, values.workspaceId, values.userId);
  await db.insert(passwordResets).values(values);
  await addCredential(db, "password_reset", values.tokenHash, values.workspaceId);
}

export async function deletePasswordResets(db: Db, workspaceId: string, userId: string): Promise<void> {
  const gone = await db
    .delete(passwordResets)
    .where(and(eq(passwordResets.workspaceId, workspaceId), eq(passwordResets.userId, userId)))
    .returning({ tokenHash: passwordResets.tokenHash });
  await removeCredentials(
    db,
    "password_reset",
    gone.map((g) => g.tokenHash),
  );
}

/** An unused, unexpired reset token of an active user, locked until the transaction ends. */
export async function pendingReset(db: Db, tokenHash: string, now: Date) {
  const workspaceId = await credentialWorkspace(db, "password_reset", tokenHash);
  if (!workspaceId) return undefined;
  const [row] = await db
    .select({
      id: passwordResets.id,
      userId: passwordResets.userId,
      workspaceId: passwordResets.workspaceId,
      email: users.email,
      name: users.name,
      role: users.role,
    })
    .from(passwordResets)
    .innerJoin(users, and(eq(users.workspaceId, passwordResets.workspaceId), eq(users.id, passwordResets.userId)))
    .where(
      and(
        eq(passwordResets.workspaceId, workspaceId),
        eq(passwordResets.tokenHash, tokenHash),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, now),
        isNull(users.deactivatedAt),
      ),
    )
    .for("update", { of: passwordResets });
  return row;
}

export async function setPassword(db: Db, workspaceId: string, userId: string, passwordHash: string): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash, updatedAt: new Date() })
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)));
}

/** Ends the user's sessions, all of them or all but one (their logins get a duration). */
export async function deleteSessions(db: Db, workspaceId: string, userId: string, exceptSessionId?: string): Promise<number> {
  const ended = await endSessions(
    db,
    and(eq(sessions.workspaceId, workspaceId), eq(sessions.userId, userId), exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined) as SQL,
  );
  return ended.length;
}

export const sessionsOf = (db: Db, workspaceId: string, userId: string, now: Date) =>
  db
    .select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.createdAt), desc(sessions.id));

export async function deleteSessionOf(db: Db, workspaceId: string, userId: string, sessionId: string): Promise<boolean> {
  return (await endSessions(db, and(eq(sessions.workspaceId, workspaceId), eq(sessions.userId, userId), eq(sessions.id, sessionId)) as SQL)).length > 0;
}

export async function workspaceByName(db: Db, name: string) {
  return db
    .select({ id: workspaces.id, name: workspaces.name })
    .from(workspaces)
    .where(and(eq(workspaces.name, name), ne(workspaces.subscriptionStatus, "purged")));
}

/** A workspace that is not purged, by its id. */
export async function workspaceById(db: Db, id: string) {
  const [row] = await db
    .select({ id: workspaces.id, name: workspaces.name })
    .from(workspaces)
    .where(and(eq(workspaces.id, id), ne(workspaces.subscriptionStatus, "purged")));
  return row;
}

/** A member of one workspace by email (case-insensitive). */
export async function memberByEmail(db: Db, workspaceId: string, email: string) {
  const [row] = await db
    .select({ id: users.id, deactivatedAt: users.deactivatedAt })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(sql`lower(${users.email})`, email.toLowerCase())));
  return row;
}

export const countUsers = async (db: Db, workspaceId: string) => {
  const [{ n }] = await db.select({ n: count() }).from(users).where(eq(users.workspaceId, workspaceId));
  return Number(n);
};
