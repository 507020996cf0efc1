import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { addCredential } from "../../auth/lookups.js";
import type { Db } from "../../db/client.js";
import { apiTokens } from "../../db/schema/index.js";
import type { CursorScope } from "../common/cursor.js";
import { isUuid } from "../common/crud.service.js";
import { newestFirstPage } from "../common/newest-first.js";
import { type PageRequest, type PageResult } from "../common/paging.js";
import type { ApiTokenRow } from "./api-token.type.js";

const ORDER = "ApiToken:CREATED_AT:DESC";

/** Every column but the secret's digest and lookup segment. */
const row = {
  id: apiTokens.id,
  workspaceId: apiTokens.workspaceId,
  userId: apiTokens.userId,
  name: apiTokens.name,
  scopes: apiTokens.scopes,
  purposes: apiTokens.purposes,
  defaultPurpose: apiTokens.defaultPurpose,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
  createdAt: apiTokens.createdAt,
};

export interface NewApiTokenRow {
  workspaceId: string;
  userId: string;
  name: string;
  lookup: string;
  secretHash: string;
  scopes: string[];
  purposes: string[];
  defaultPurpose: string;
  expiresAt: Date;
}

export async function insertApiToken(db: Db, values: NewApiTokenRow): Promise<ApiTokenRow> {
  const [inserted] = await db.insert(apiTokens).values(values).returning(row);
  await addCredential(db, "api_token", values.lookup, values.workspaceId);
  return inserted;
}

export async function apiTokenById(db: Db, id: string, where: SQL): Promise<ApiTokenRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [found] = await db
    .select(row)
    .from(apiTokens)
    .where(and(eq(apiTokens.id, id), where));
  return found;
}

/** Revokes a live token; false when it was revoked already. */
export async function revokeApiToken(db: Db, id: string, where: SQL): Promise<boolean> {
  const changed = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt), where))
    .returning({ id: apiTokens.id });
  return changed.length > 0;
}

const LIST = { table: apiTokens, time: apiTokens.createdAt, id: apiTokens.id, order: ORDER };

/** Newest first, keyset on (created_at, id); a backward page reads the other way and is put back. */
export function apiTokenPage(db: Db, where: SQL, page: PageRequest, cursors: CursorScope): Promise<PageResult<ApiTokenRow>> {
  return newestFirstPage<ApiTokenRow>(db, LIST, row, (r) => r.createdAt, where, page, cursors);
}
