import { and, eq, gt, sql } from "drizzle-orm";
import type { Principal } from "../authz/ability.js";
import type { Db } from "../db/client.js";
import { sessions, users, workspaces } from "../db/schema/index.js";
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

/** One statement: the session, its user and workspace, if the token is live. */
export async function principalForSession(db: Db, token: string): Promise<Principal | null> {
  const [row] = await db
    .select(principalColumns)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(workspaces, eq(workspaces.id, users.workspaceId))
    .where(and(eq(sessions.tokenHash, tokenDigest(token)), gt(sessions.expiresAt, new Date())))
    .limit(1);
  return row ? { kind: "user", ...row } : null;
}

export async function signOut(db: Db, token: string): Promise<boolean> {
  const deleted = await db.delete(sessions).where(eq(sessions.tokenHash, tokenDigest(token))).returning({ id: sessions.id });
  return deleted.length > 0;
}
