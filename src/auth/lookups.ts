import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { type CredentialKind, credentialLookups, userLogins } from "../db/schema/index.js";

// The global look-ups (src/db/schema/lookups.ts): which workspace holds an email or a credential.
// Callers then read the tenant row with `workspace_id = ...` and trust only that row: a look-up
// row that outlived its tenant row (a token swept by retention) names a workspace where nothing
// matches, so it grants nothing. Writes go in the caller's transaction, beside the tenant row.

/** The account an email signs in to, by the global look-up (case-insensitive). */
export async function loginOf(db: Db, email: string): Promise<{ workspaceId: string; userId: string } | undefined> {
  const [row] = await db
    .select({ workspaceId: userLogins.workspaceId, userId: userLogins.userId })
    .from(userLogins)
    .where(eq(userLogins.emailLower, email.toLowerCase()));
  return row;
}

/** Claims an email for a new account; fails on the key when another account has it (one account per email). */
export async function addLogin(db: Db, login: { email: string; workspaceId: string; userId: string }): Promise<void> {
  await db.insert(userLogins).values({ emailLower: login.email.toLowerCase(), workspaceId: login.workspaceId, userId: login.userId });
}

/** Frees the emails of these users (an account closed: its email no longer signs in). */
export async function removeLogins(db: Db, workspaceId: string, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.delete(userLogins).where(and(eq(userLogins.workspaceId, workspaceId), inArray(userLogins.userId, userIds)));
}

/** The workspace that holds a credential (a token digest, or an API token's lookup segment). */
export async function credentialWorkspace(db: Db, kind: CredentialKind, key: string): Promise<string | undefined> {
  const [row] = await db
    .select({ workspaceId: credentialLookups.workspaceId })
    .from(credentialLookups)
    .where(and(eq(credentialLookups.kind, kind), eq(credentialLookups.key, key)));
  return row?.workspaceId;
}

export async function addCredential(db: Db, kind: CredentialKind, key: string, workspaceId: string): Promise<void> {
  await db.insert(credentialLookups).values({ kind, key, workspaceId });
}

export async function removeCredentials(db: Db, kind: CredentialKind, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.delete(credentialLookups).where(and(eq(credentialLookups.kind, kind), inArray(credentialLookups.key, keys)));
}
