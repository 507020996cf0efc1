import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { sql } from "drizzle-orm";
import type { Principal } from "../authz/ability.js";
import { rowsOf, type Db } from "../db/client.js";
import { apiTokens, users, workspaces } from "../db/schema/index.js";
import { credentialWorkspace } from "./lookups.js";
import { tokenDigest } from "./tokens.js";

/**
 * API tokens: `acrm_` + lookup (8) + secret (43) + checksum (6), all base62, GitHub-style.
 * - the lookup segment finds the row (unique index); it is not secret on its own;
 * - lookup + secret: 51 random base62 characters, about 303 bits of entropy;
 * - the checksum is the CRC32 of everything before it, in base62, so a mistyped or truncated
 *   token is refused without a database look-up, and secret scanners can check a match.
 * Only the SHA-256 of the whole token is stored.
 */
export const API_TOKEN_PREFIX = "acrm_";
const LOOKUP_LENGTH = 8;
const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SHAPE = new RegExp(`^${API_TOKEN_PREFIX}([0-9A-Za-z]{${LOOKUP_LENGTH}})([0-9A-Za-z]{${SECRET_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`);

/** `length` uniformly random base62 characters (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function base62(n: number, width: number): string {
  let out = "";
  let rest = n;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** CRC32 of `body` in six base62 characters (62^6 > 2^32). */
export function checksumOf(body: string): string {
  return base62(crc32(Buffer.from(body, "utf8")), CHECKSUM_LENGTH);
}

export interface NewApiToken {
  token: string;
  lookup: string;
  secretHash: string;
}

export function newApiToken(): NewApiToken {
  const lookup = randomBase62(LOOKUP_LENGTH);
  const body = `${API_TOKEN_PREFIX}${lookup}${randomBase62(SECRET_LENGTH)}`;
  const token = `${body}${checksumOf(body)}`;
  return { token, lookup, secretHash: tokenDigest(token) };
}

/** The lookup segment of a well-formed token whose checksum matches; undefined otherwise (no database needed). */
export function parseApiToken(token: string): string | undefined {
  const match = SHAPE.exec(token);
  if (!match) return undefined;
  const body = token.slice(0, token.length - CHECKSUM_LENGTH);
  return checksumOf(body) === match[3] ? match[1] : undefined;
}

export interface ApiTokenLookup {
  principal: Principal;
  tokenId: string;
  purposes: string[];
  defaultPurpose: string;
  /** The token's first use: the caller records it in the audit log. */
  firstUse: boolean;
}

/**
 * One statement: the live token (not revoked, not expired) with its creator's CURRENT role,
 * and `last_used_at` moved when it is more than a minute old (so a busy token writes at most
 * once a minute). The creator's row must still exist and be active: a deactivated creator's
 * tokens stop at once.
 */
export async function principalForApiToken(db: Db, token: string): Promise<ApiTokenLookup | null> {
  const lookup = parseApiToken(token);
  if (lookup === undefined) return null;
  // The token's workspace from the global look-up, then one statement in that workspace.
  const workspaceId = await credentialWorkspace(db, "api_token", lookup);
  if (!workspaceId) return null;
  const result = await db.execute(sql`
    with t as (
      select ${apiTokens.id} as token_id, ${apiTokens.scopes} as scopes, ${apiTokens.purposes} as purposes,
             ${apiTokens.defaultPurpose} as default_purpose, ${apiTokens.lastUsedAt} as last_used_at,
             ${users.id} as user_id, ${users.workspaceId} as workspace_id, ${users.role} as role, ${users.email} as email, ${users.name} as name
      from ${apiTokens}
      join ${users} on ${users.id} = ${apiTokens.userId} and ${users.workspaceId} = ${apiTokens.workspaceId}
      join ${workspaces} on ${workspaces.id} = ${users.workspaceId}
      where ${apiTokens.workspaceId} = ${workspaceId} and ${apiTokens.lookup} = ${lookup} and ${apiTokens.secretHash} = ${tokenDigest(token)}
        and ${apiTokens.revokedAt} is null and ${apiTokens.expiresAt} > now()
        and ${users.deactivatedAt} is null
      limit 1
    ), used as (
      update ${apiTokens} set last_used_at = date_trunc('milliseconds', now())
      where ${apiTokens.workspaceId} = ${workspaceId} and ${apiTokens.id} = (select token_id from t)
        and (${apiTokens.lastUsedAt} is null or ${apiTokens.lastUsedAt} <= now() - interval '1 minute')
      returning ${apiTokens.id}
    )
    select t.*, (t.last_used_at is null and exists (select 1 from used)) as first_use from t`);
  const [row] = rowsOf<{
    token_id: string;
    scopes: string[] | string;
    purposes: string[] | string;
    default_purpose: string;
    user_id: string;
    workspace_id: string;
    role: string;
    email: string;
    name: string;
    first_use: boolean;
  }>(result);
  if (!row) return null;
  return {
    principal: {
      kind: "token",
      userId: row.user_id,
      workspaceId: row.workspace_id,
      role: row.role,
      email: row.email,
      name: row.name,
      tokenId: row.token_id,
      scopes: textArray(row.scopes),
      purposes: textArray(row.purposes),
    },
    tokenId: row.token_id,
    purposes: textArray(row.purposes),
    defaultPurpose: row.default_purpose,
    firstUse: row.first_use === true || (row.first_use as unknown) === "t",
  };
}

/** A text[] as either driver returns it from raw SQL (an array, or PostgreSQL's `{a,b}` literal). */
function textArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, "");
  return inner === "" ? [] : inner.split(",").map((s) => s.replace(/^"|"$/g, ""));
}
