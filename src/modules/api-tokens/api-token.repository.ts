import { and, asc, count, desc, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { apiTokens } from "../../db/schema/index.js";
import { badInput } from "../../errors.js";
import type { CursorScope } from "../common/cursor.js";
import { isUuid } from "../common/crud.service.js";
import { openCursor } from "../common/entity-store.js";
import { cursorArgument, type PageRequest, type PageResult } from "../common/paging.js";
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

function cursorPosition(page: PageRequest, cursors: CursorScope): { at: string; id: string } | undefined {
  const cursor = openCursor(page, ORDER, cursors);
  if (!cursor) return undefined;
  if (typeof cursor.value !== "string" || Number.isNaN(Date.parse(cursor.value)) || !isUuid(cursor.id)) {
    throw badInput(cursorArgument(page), "is not a cursor this API issued");
  }
  return { at: cursor.value, id: cursor.id };
}

/** Newest first, keyset on (created_at, id); a backward page reads the other way and is put back. */
export async function apiTokenPage(db: Db, where: SQL, page: PageRequest, cursors: CursorScope): Promise<PageResult<ApiTokenRow>> {
  const at = cursorPosition(page, cursors);
  const key = sql`(${apiTokens.createdAt}, ${apiTokens.id})`;
  const keyset =
    at === undefined ? undefined : page.forward ? sql`${key} < (${at.at}::timestamptz, ${at.id}::uuid)` : sql`${key} > (${at.at}::timestamptz, ${at.id}::uuid)`;
  const order = page.forward ? [desc(apiTokens.createdAt), desc(apiTokens.id)] : [asc(apiTokens.createdAt), asc(apiTokens.id)];
  const rows = await db
    .select(row)
    .from(apiTokens)
    .where(and(where, keyset))
    .orderBy(...order)
    .limit(page.size + 1);
  const kept = rows.slice(0, page.size);
  if (!page.forward) kept.reverse();
  const more = rows.length > page.size;
  return {
    rows: kept,
    hasNextPage: page.forward && more,
    hasPreviousPage: !page.forward && more,
    cursorOf: (r) => cursors.codec.encode({ order: ORDER, value: r.createdAt.toISOString(), id: r.id }, cursors.workspaceId),
    count: async () => Number((await db.select({ n: count() }).from(apiTokens).where(where))[0].n),
  };
}
