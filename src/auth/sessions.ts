import { and, count, eq, inArray, isNull, lte, type SQL, sql } from "drizzle-orm";
import type { Principal } from "../authz/ability.js";
import { checkBatchSize, type BatchOptions } from "../db/batches.js";
import { rowsOf, type Db } from "../db/client.js";
import { sessions, usageEvents, users, workspaces } from "../db/schema/index.js";
import { addCredential, credentialWorkspace, loginOf, removeCredentials } from "./lookups.js";
import { dummyPasswordHash, verifyPassword } from "./passwords.js";
import { newToken, tokenDigest } from "./tokens.js";

export const SESSION_PREFIX = "acrs_";

export interface SignedIn {
  token: string;
  expiresAt: Date;
  principal: Principal;
  sessionId: string;
}

/** Where a sign-in came from, as the usage log keeps it (privacy policy 2.2). */
export interface LoginClient {
  /** A short label such as "Firefox 131 on macOS"; never the raw User-Agent. */
  device: string | null;
  ip: string | null;
  /** ISO 3166-1 alpha-2 country code, when a trusted proxy states it. */
  location: string | null;
}

/**
 * The SQL condition "this account may act": not deactivated. Sign-in, session look-up and
 * anything else that authenticates a user (API tokens too) must require it.
 */
export const isUserActive = () => isNull(users.deactivatedAt);

/** Whether a user row may act (the same test as isUserActive, on a loaded row). */
export const userIsActive = (user: { deactivatedAt: Date | null }) => user.deactivatedAt === null;

const principalColumns = {
  userId: users.id,
  workspaceId: users.workspaceId,
  role: users.role,
  email: users.email,
  name: users.name,
};

/**
 * Checks email and password; the same `null` for an unknown email and a wrong password. The
 * session and its LOGIN usage event are written together: no session without its log entry.
 * The email's workspace comes from the global look-up; the user row, read in that workspace,
 * decides.
 */
export async function signIn(db: Db, email: string, password: string, ttlHours: number, client: LoginClient): Promise<SignedIn | null> {
  const login = await loginOf(db, email);
  const [user] = login
    ? await db
        .select({ ...principalColumns, passwordHash: users.passwordHash })
        .from(users)
        .where(and(eq(users.workspaceId, login.workspaceId), eq(users.id, login.userId), eq(sql`lower(${users.email})`, email.toLowerCase()), isUserActive()))
    : [];
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !ok) return null;
  const { passwordHash: _, ...principal } = user;
  return openSession(db, { kind: "user", ...principal }, ttlHours, client);
}

/**
 * Starts a session for a user already proven (a password checked, an invitation accepted): the
 * session, its LOGIN usage event and lastLoginAt are written together.
 */
export async function openSession(db: Db, principal: Principal, ttlHours: number, client: LoginClient): Promise<SignedIn> {
  const user = principal;
  const token = newToken(SESSION_PREFIX);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
  const sessionId = await db.transaction(async (tx) => {
    const [session] = await tx
      .insert(sessions)
      .values({ workspaceId: user.workspaceId, userId: user.userId, tokenHash: tokenDigest(token), createdAt: now, expiresAt })
      .returning({ id: sessions.id });
    await addCredential(tx, "session", tokenDigest(token), user.workspaceId);
    await tx
      .insert(usageEvents)
      .values({ workspaceId: user.workspaceId, userId: user.userId, sessionId: session.id, kind: "login", occurredAt: now, ...client });
    await tx
      .update(users)
      .set({ lastLoginAt: now })
      .where(and(eq(users.workspaceId, user.workspaceId), eq(users.id, user.userId)));
    return session.id;
  });
  return { token, expiresAt, sessionId, principal };
}

/** The account an email signs in to, if any (a failed sign-in is logged in its workspace). */
export async function accountOf(db: Db, email: string): Promise<{ userId: string; workspaceId: string } | undefined> {
  return loginOf(db, email);
}

export interface SessionLookup {
  principal: Principal;
  /** The session's id: usage events made under it are linked to its login. */
  sessionId: string;
}

/**
 * Two statements: the token's workspace from the global look-up, then the session, its user and
 * workspace in that workspace (one shard under Citus) if the token is live. Requests are
 * counted per user, not here (src/http/rate-limit.ts): signing in again does not reset them.
 */
export async function principalForSession(db: Db, token: string): Promise<SessionLookup | null> {
  const digest = tokenDigest(token);
  const workspaceId = await credentialWorkspace(db, "session", digest);
  if (!workspaceId) return null;
  const result = await db.execute(sql`
    select ${sessions.id} as session_id, ${users.id} as user_id, ${users.workspaceId} as workspace_id,
           ${users.role} as role, ${users.email} as email, ${users.name} as name
    from ${sessions}
    join ${users} on ${users.workspaceId} = ${sessions.workspaceId} and ${users.id} = ${sessions.userId}
    join ${workspaces} on ${workspaces.id} = ${users.workspaceId}
    where ${sessions.workspaceId} = ${workspaceId} and ${sessions.tokenHash} = ${digest} and ${sessions.expiresAt} > now()
      and ${users.deactivatedAt} is null
    limit 1`);
  const [row] = rowsOf<{ session_id: string; user_id: string; workspace_id: string; role: string; email: string; name: string }>(result);
  if (!row) return null;
  return {
    principal: { kind: "user", userId: row.user_id, workspaceId: row.workspace_id, role: row.role, email: row.email, name: row.name },
    sessionId: row.session_id,
  };
}

/** Whole seconds from a login to `end` (never negative): the login's duration. */
const secondsSince = (end: unknown) => sql<number>`greatest(0, floor(extract(epoch from (${end} - ${usageEvents.occurredAt}))))::int`;

/** The expiry of a usage event's session (same workspace: a co-located join under Citus). */
const sessionExpiry = () =>
  sql`(select ${sessions.expiresAt} from ${sessions} where ${sessions.workspaceId} = ${usageEvents.workspaceId} and ${sessions.id} = ${usageEvents.sessionId})`;

/** The open LOGIN events of these sessions (duration not yet known). */
const openLogins = (sessionIds: string[]) =>
  and(inArray(usageEvents.sessionId, sessionIds), eq(usageEvents.kind, "login"), isNull(usageEvents.durationSeconds));

/**
 * Ends the sessions `where` selects before they expire (sign-out, deactivation, password reset
 * or change, account closure, revokeSession) and, in the same transaction, fills in their
 * LOGIN usage events' duration: from the login to now, or to the expiry if that came first
 * (as closeExpiredSessions does for sessions that lapsed). Returns the ended sessions' ids.
 */
export async function endSessions(db: Db, where: SQL, now = new Date()): Promise<string[]> {
  return db.transaction(async (tx) => {
    const ended = await tx.select({ id: sessions.id, tokenHash: sessions.tokenHash }).from(sessions).where(where).for("update");
    if (ended.length === 0) return [];
    const ids = ended.map((s) => s.id);
    const expiry = sessionExpiry();
    await tx
      .update(usageEvents)
      .set({ durationSeconds: secondsSince(sql`least(${sql.param(now, usageEvents.occurredAt)}, ${expiry})`) })
      .where(openLogins(ids));
    await tx.delete(sessions).where(inArray(sessions.id, ids));
    await removeCredentials(
      tx,
      "session",
      ended.map((s) => s.tokenHash),
    );
    return ids;
  });
}

/** Ends the session and, in the same transaction, records how long its login lasted. */
export async function signOut(db: Db, token: string, now = new Date()): Promise<boolean> {
  return (await endSessions(db, eq(sessions.tokenHash, tokenDigest(token)), now)).length > 0;
}

/** What closeExpiredSessions did (or, in a dry run, would do). */
export interface ClosedSessions {
  /** Sessions expired at `now`, deleted. */
  sessions: number;
  /** Their LOGIN usage events whose duration was filled (expiry minus login time). */
  logins: number;
}

/**
 * Sessions that expired by `now`: their logins get a duration (expires_at - login time) and the
 * sessions are deleted, one transaction per batch (rows locked, so two runs never clash). The
 * retention job calls it; a dry run only counts.
 */
export async function closeExpiredSessions(db: Db, now: Date, opts: BatchOptions): Promise<ClosedSessions> {
  checkBatchSize(opts.batchSize);
  const expired = lte(sessions.expiresAt, now);
  if (opts.dryRun) {
    const [{ n }] = await db.select({ n: count() }).from(sessions).where(expired);
    const [{ logins }] = await db
      .select({ logins: count() })
      .from(usageEvents)
      .innerJoin(sessions, and(eq(sessions.workspaceId, usageEvents.workspaceId), eq(sessions.id, usageEvents.sessionId)))
      .where(and(expired, eq(usageEvents.kind, "login"), isNull(usageEvents.durationSeconds)));
    return { sessions: Number(n), logins: Number(logins) };
  }
  const total: ClosedSessions = { sessions: 0, logins: 0 };
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: sessions.id, tokenHash: sessions.tokenHash })
        .from(sessions)
        .where(expired)
        .orderBy(sessions.expiresAt)
        .limit(opts.batchSize)
        .for("update", { skipLocked: true });
      if (rows.length === 0) return { sessions: 0, logins: 0 };
      const ids = rows.map((r) => r.id);
      const filled = await tx
        .update(usageEvents)
        .set({ durationSeconds: secondsSince(sessionExpiry()) })
        .where(openLogins(ids))
        .returning({ id: usageEvents.id });
      await tx.delete(sessions).where(inArray(sessions.id, ids));
      await removeCredentials(
        tx,
        "session",
        rows.map((r) => r.tokenHash),
      );
      return { sessions: rows.length, logins: filled.length };
    });
    total.sessions += batch.sessions;
    total.logins += batch.logins;
    if (batch.sessions < opts.batchSize) return total;
  }
}
