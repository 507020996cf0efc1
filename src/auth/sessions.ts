import { eq, sql } from "drizzle-orm";
import type { Principal } from "../authz/ability.js";
import { rowsOf, type Db } from "../db/client.js";
import { rateLimits, sessions, users, workspaces } from "../db/schema/index.js";
import { dummyPasswordHash, verifyPassword } from "./passwords.js";
import { newToken, tokenDigest } from "./tokens.js";

export const SESSION_PREFIX = "acrs_";

export interface SignedIn {
  token: string;
  expiresAt: Date;
  principal: Principal;
}

const principalColumns = {
  userId: users.id,
  workspaceId: users.workspaceId,
  role: users.role,
  email: users.email,
  name: users.name,
};

/** Checks email and password; the same `null` for an unknown email and a wrong password. */
export async function signIn(db: Db, email: string, password: string, ttlHours: number): Promise<SignedIn | null> {
  const [user] = await db
    .select({ ...principalColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1);
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !ok) return null;
  const token = newToken(SESSION_PREFIX);
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db.transaction(async (tx) => {
    await tx.insert(sessions).values({ workspaceId: user.workspaceId, userId: user.userId, tokenHash: tokenDigest(token), expiresAt });
    await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.userId));
  });
  const { passwordHash: _, ...principal } = user;
  return { token, expiresAt, principal: { kind: "user", ...principal } };
}

export interface SessionLookup {
  principal: Principal;
  /** Requests this session made in the current minute, this one included. */
  hits: number;
}

/**
 * One statement: the session, its user and workspace if the token is live, and this
 * request counted against the session's per-minute limit (shared by all API processes).
 */
export async function principalForSession(db: Db, token: string): Promise<SessionLookup | null> {
  const result = await db.execute(sql`
    with s as (
      select ${sessions.id} as session_id, ${users.id} as user_id, ${users.workspaceId} as workspace_id,
             ${users.role} as role, ${users.email} as email, ${users.name} as name
      from ${sessions}
      join ${users} on ${users.id} = ${sessions.userId}
      join ${workspaces} on ${workspaces.id} = ${users.workspaceId}
      where ${sessions.tokenHash} = ${tokenDigest(token)} and ${sessions.expiresAt} > now()
      limit 1
    ), hit as (
      insert into ${rateLimits} (key, window_start, hits)
      select 'session:' || session_id, date_trunc('minute', now()), 1 from s
      on conflict (key, window_start) do update set hits = ${rateLimits}.hits + 1
      returning hits
    )
    select s.user_id, s.workspace_id, s.role, s.email, s.name, hit.hits from s cross join hit`);
  const [row] = rowsOf<{ user_id: string; workspace_id: string; role: string; email: string; name: string; hits: number | string }>(result);
  if (!row) return null;
  return {
    principal: { kind: "user", userId: row.user_id, workspaceId: row.workspace_id, role: row.role, email: row.email, name: row.name },
    hits: Number(row.hits),
  };
}

export async function signOut(db: Db, token: string): Promise<boolean> {
  const deleted = await db
    .delete(sessions)
    .where(eq(sessions.tokenHash, tokenDigest(token)))
    .returning({ id: sessions.id });
  return deleted.length > 0;
}
