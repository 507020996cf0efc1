// drizzle/0020_tenant_keys.sql on a database that already has data (#12 item 7): its hand-written
// parts fill the look-up tables, move the audit log's platform entries under the platform id with
// their chain still verifying, and clear only the link (never workspace_id) on a SET NULL delete.
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditChainRow, auditEntryHash, verifyAuditChains } from "../../src/authz/audit-chain.js";
import { openPglite, openPostgres, rowsOf, type Database, type Db } from "../../src/db/client.js";
import { MIGRATIONS_FOLDER } from "../../src/db/migrate.js";
import { PLATFORM_WORKSPACE_ID } from "../../src/db/tenancy.js";

const BEFORE = 19; // the last migration before tenant keys
const W = "11111111-1111-4111-8111-111111111111";
const OWNER = "22222222-2222-4222-8222-222222222222";
const MEMBER = "33333333-3333-4333-8333-333333333333";
const COMPANY = "44444444-4444-4444-8444-444444444444";

let database: Database;
let db: Db;
let dropDatabase: () => Promise<void> = async () => undefined;
let oldFolder: string;

function run(folder: string): Promise<void> {
  return database.kind === "pglite"
    ? migratePglite(db as PgliteDatabase, { migrationsFolder: folder })
    : migratePostgres(db as PostgresJsDatabase, { migrationsFolder: folder });
}

const rows = async <T>(query: string) => rowsOf<T>(await db.execute(sql.raw(query)));

beforeAll(async () => {
  oldFolder = mkdtempSync(join(tmpdir(), "tenant-keys-"));
  cpSync(MIGRATIONS_FOLDER, oldFolder, { recursive: true });
  const journalFile = join(oldFolder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8"));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= BEFORE);
  writeFileSync(journalFile, JSON.stringify(journal));
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `alpha_upgrade_${randomBytes(6).toString("hex")}`;
    const admin = postgres(url, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    database = await openPostgres(target.toString(), 2);
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  } else {
    database = await openPglite("memory://");
  }
  db = database.handle();
  await run(oldFolder);
  for (const statement of [
    `insert into workspaces (id, name) values ('${W}', 'Old Co')`,
    `insert into users (id, workspace_id, email, name, password_hash, role) values
       ('${OWNER}', '${W}', 'Owner@Old.test', 'O', 'h', 'owner'), ('${MEMBER}', '${W}', 'member@old.test', 'M', 'h', 'sales_rep')`,
    `insert into sessions (workspace_id, user_id, token_hash, expires_at) values ('${W}', '${OWNER}', 'session-digest', now() + interval '1 hour')`,
    `insert into api_tokens (workspace_id, user_id, name, lookup, secret_hash, scopes, purposes, default_purpose, expires_at)
       values ('${W}', '${OWNER}', 'ci', 'Lookup01', 'secret-digest', '{}', '{}', 'sales_pipeline', now() + interval '1 day')`,
    `insert into invitations (workspace_id, email, role, token_hash, invited_by_id, expires_at)
       values ('${W}', 'new@old.test', 'sales_rep', 'invitation-digest', '${MEMBER}', now() + interval '1 day')`,
    `insert into password_resets (workspace_id, user_id, token_hash, issued_by_id, expires_at)
       values ('${W}', '${OWNER}', 'reset-digest', '${MEMBER}', now() + interval '1 hour')`,
    `insert into companies (id, workspace_id, owner_id, name) values ('${COMPANY}', '${W}', '${MEMBER}', 'Client')`,
    `insert into contacts (workspace_id, owner_id, company_id, first_name, last_name) values ('${W}', '${MEMBER}', '${COMPANY}', 'Ann', 'Lee')`,
  ]) {
    await db.execute(sql.raw(statement));
  }
  // Two chains as the old code wrote them: the platform's with workspace_id null.
  const heads: Record<string, string | null> = {};
  for (const workspaceId of [null, W, null, W]) {
    const [{ seq }] = await rows<{ seq: string }>(`select nextval(pg_get_serial_sequence('audit_log', 'seq')) as seq`);
    const entry: Omit<AuditChainRow, "hash" | "workspaceId"> & { workspaceId: string | null } = {
      seq: Number(seq),
      workspaceId,
      actorId: null,
      actorRole: null,
      action: "login",
      subject: "User",
      subjectId: null,
      purpose: null,
      decision: "deny",
      rule: null,
      reason: null,
      detail: null,
      policyDigest: null,
      createdAt: new Date("2026-01-01T00:00:00.000Z"),
      prevHash: heads[String(workspaceId)] ?? null,
    };
    const hash = auditEntryHash(entry);
    await db.execute(sql`insert into audit_log (seq, workspace_id, action, subject, decision, created_at, prev_hash, hash)
      values (${entry.seq}, ${workspaceId}, 'login', 'User', 'deny', ${entry.createdAt.toISOString()}, ${entry.prevHash}, ${hash})`);
    heads[String(workspaceId)] = hash;
  }
  await run(MIGRATIONS_FOLDER);
}, 120_000);

afterAll(async () => {
  await database?.close();
  await dropDatabase();
  rmSync(oldFolder, { recursive: true, force: true });
});

describe("0020_tenant_keys on existing data", () => {
  it("fills user_logins and credential_lookups from the rows that exist", async () => {
    expect(await rows(`select email_lower, workspace_id, user_id from user_logins order by 1`)).toEqual([
      { email_lower: "member@old.test", workspace_id: W, user_id: MEMBER },
      { email_lower: "owner@old.test", workspace_id: W, user_id: OWNER },
    ]);
    expect(await rows(`select kind, key, workspace_id from credential_lookups order by 1`)).toEqual([
      { kind: "api_token", key: "Lookup01", workspace_id: W },
      { kind: "invitation", key: "invitation-digest", workspace_id: W },
      { kind: "password_reset", key: "reset-digest", workspace_id: W },
      { kind: "session", key: "session-digest", workspace_id: W },
    ]);
  });

  it("moves the platform's audit entries under the platform id, and every chain still verifies", async () => {
    expect(await rows(`select count(*)::int as n from audit_log where workspace_id = '${PLATFORM_WORKSPACE_ID}'`)).toEqual([{ n: 2 }]);
    const verified = await verifyAuditChains(db);
    expect(verified.ok).toBe(true);
    expect(verified.chains.map((c) => [c.workspaceId, c.entries])).toEqual([
      [null, 2],
      [W, 2],
    ]);
  });

  it("deleting a user clears the links to it and keeps workspace_id (SET NULL (column))", async () => {
    await db.execute(sql.raw(`delete from users where id = '${MEMBER}'`));
    expect(await rows(`select workspace_id, owner_id, company_id from contacts`)).toEqual([{ workspace_id: W, owner_id: null, company_id: COMPANY }]);
    expect(await rows(`select workspace_id, invited_by_id from invitations`)).toEqual([{ workspace_id: W, invited_by_id: null }]);
    expect(await rows(`select workspace_id, issued_by_id from password_resets`)).toEqual([{ workspace_id: W, issued_by_id: null }]);
  });
});
