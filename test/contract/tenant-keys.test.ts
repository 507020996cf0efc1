import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CITUS_SQL_FILE, distributionSql, tenantTableNames } from "../../src/db/citus.js";
import { rowsOf, type Database, type Db } from "../../src/db/client.js";
import { REFERENCE_TABLES, SELF_DISTRIBUTED_TABLES, TENANT_COLUMN } from "../../src/db/tenancy.js";
import { testDatabase } from "../helpers/database.js";

// Scale-out readiness (#12 item 7): the migrated catalog itself, not the drizzle declarations,
// must be distributable by tenant on Citus. Every key of a tenant table includes workspace_id.

interface Layout {
  schema: string;
  reference: readonly string[];
  selfDistributed: readonly string[];
}

const list = (s: string | null) => (s ? s.split(",") : []);

/** Every way the catalog of `schema` breaks the tenant-key rules, one line each naming the table and constraint. */
async function tenantKeyProblems(db: Db, layout: Layout): Promise<string[]> {
  const { schema } = layout;
  const tables = rowsOf<{ table_name: string; has_ws: boolean; ws_not_null: boolean }>(
    await db.execute(sql`
      select c.relname as table_name, a.attname is not null as has_ws, coalesce(a.attnotnull, false) as ws_not_null
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_attribute a on a.attrelid = c.oid and a.attname = ${TENANT_COLUMN} and not a.attisdropped
      where n.nspname = ${schema} and c.relkind in ('r', 'p')
      order by 1`),
  );
  const indexes = rowsOf<{ table_name: string; index_name: string; is_primary: boolean; cols: string }>(
    await db.execute(sql`
      select c.relname as table_name, i.relname as index_name, ix.indisprimary as is_primary,
             array_to_string(array(
               select a.attname from unnest(ix.indkey::int2[]) with ordinality k(attnum, ord)
               join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum order by k.ord), ',') as cols
      from pg_index ix
      join pg_class c on c.oid = ix.indrelid
      join pg_class i on i.oid = ix.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and (ix.indisunique or ix.indisprimary)
      order by 1, 2`),
  );
  const foreignKeys = rowsOf<{ name: string; table_name: string; ref_table: string; on_delete: string; cols: string; ref_cols: string; set_cols: string }>(
    await db.execute(sql`
      select con.conname as name, c.relname as table_name, f.relname as ref_table, con.confdeltype::text as on_delete,
             array_to_string(array(
               select a.attname from unnest(con.conkey) with ordinality k(attnum, ord)
               join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord), ',') as cols,
             array_to_string(array(
               select a.attname from unnest(con.confkey) with ordinality k(attnum, ord)
               join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord), ',') as ref_cols,
             array_to_string(array(
               select a.attname from unnest(con.confdelsetcols) k(attnum)
               join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum), ',') as set_cols
      from pg_constraint con
      join pg_class c on c.oid = con.conrelid
      join pg_class f on f.oid = con.confrelid
      join pg_namespace n on n.oid = c.relnamespace
      where con.contype = 'f' and n.nspname = ${schema}
      order by 2, 1`),
  );
  const problems: string[] = [];
  const reference = new Set(layout.reference);
  const isTenant = (name: string) => tables.some((t) => t.table_name === name && t.has_ws === true && !reference.has(name));
  for (const name of layout.reference) {
    if (!tables.some((t) => t.table_name === name)) problems.push(`${name}: declared a reference table but does not exist`);
  }
  for (const t of tables) {
    const name = t.table_name;
    if (!isTenant(name)) {
      if (!t.has_ws && !reference.has(name) && !layout.selfDistributed.includes(name)) {
        problems.push(`${name}: has no ${TENANT_COLUMN} and is declared neither a reference nor a self-distributed table`);
      }
      continue;
    }
    if (!t.ws_not_null) problems.push(`${name}: ${TENANT_COLUMN} is nullable (a distribution column cannot be null)`);
    const own = indexes.filter((i) => i.table_name === name);
    if (!own.some((i) => i.is_primary)) problems.push(`${name}: has no primary key`);
    for (const i of own) {
      if (!list(i.cols).includes(TENANT_COLUMN)) {
        problems.push(`${name}: ${i.is_primary ? "primary key" : "unique index"} ${i.index_name} (${i.cols || "an expression"}) lacks ${TENANT_COLUMN}`);
      }
    }
  }
  for (const fk of foreignKeys) {
    const cols = list(fk.cols);
    const refCols = list(fk.ref_cols);
    const at = cols.indexOf(TENANT_COLUMN);
    if (isTenant(fk.table_name) && isTenant(fk.ref_table) && (at < 0 || refCols[at] !== TENANT_COLUMN)) {
      problems.push(`${fk.table_name}: foreign key ${fk.name} (${fk.cols}) -> ${fk.ref_table}(${fk.ref_cols}) does not pair ${TENANT_COLUMN} on both sides`);
    }
    // confdeltype 'n' = on delete set null; with no column list it would null workspace_id too.
    if (fk.on_delete === "n" && at >= 0 && (fk.set_cols === "" || list(fk.set_cols).includes(TENANT_COLUMN))) {
      problems.push(`${fk.table_name}: foreign key ${fk.name} sets ${TENANT_COLUMN} null on delete (say SET NULL (column))`);
    }
    if (reference.has(fk.table_name) && isTenant(fk.ref_table)) {
      problems.push(`${fk.table_name}: reference table's foreign key ${fk.name} points into tenant table ${fk.ref_table} (Citus refuses it)`);
    }
  }
  return problems;
}

let database: Database;
let db: Db;
beforeAll(async () => {
  database = await testDatabase();
  db = database.handle();
});
afterAll(() => database.close());

const APP: Layout = { schema: "public", reference: REFERENCE_TABLES, selfDistributed: Object.keys(SELF_DISTRIBUTED_TABLES) };

describe("every tenant table can be distributed by workspace_id (Citus)", () => {
  it("the migrated database: keys and foreign keys of tenant tables all include workspace_id", async () => {
    expect(await tenantKeyProblems(db, APP)).toEqual([]);
  });

  it("the tenant tables are what src/db/tenancy.ts and the schema say, and there are some", async () => {
    const rows = rowsOf<{ table_name: string }>(
      await db.execute(sql`select table_name from information_schema.columns where table_schema = 'public' and column_name = ${TENANT_COLUMN}`),
    );
    const fromCatalog = rows.map((r) => r.table_name).filter((n) => !(REFERENCE_TABLES as readonly string[]).includes(n));
    expect([...tenantTableNames()].sort()).toEqual(fromCatalog.sort());
    expect(fromCatalog).toContain("contacts");
  });

  it("catches a miss: a hand-built wrong schema is reported table by table", async () => {
    const schema = "tenant_keys_fixture";
    await db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
    for (const statement of [
      `create schema ${schema}`,
      `create table ${schema}.accounts (id uuid primary key)`,
      `create table ${schema}.parents (workspace_id uuid, id uuid primary key)`,
      `create table ${schema}.children (workspace_id uuid not null, id uuid not null, parent_id uuid, owner_id uuid, token text,
         primary key (workspace_id, id),
         constraint children_parent_fk foreign key (parent_id) references ${schema}.parents (id),
         constraint children_self_fk foreign key (workspace_id, owner_id) references ${schema}.children (workspace_id, id) on delete set null)`,
      `create unique index children_token_key on ${schema}.children (token)`,
      `create table ${schema}.loose (name text)`,
      `create table ${schema}.lookups (key text primary key, child_id uuid, workspace_id uuid,
         constraint lookups_child_fk foreign key (workspace_id, child_id) references ${schema}.children (workspace_id, id))`,
    ]) {
      await db.execute(sql.raw(statement));
    }
    try {
      const problems = await tenantKeyProblems(db, { schema, reference: ["accounts", "lookups", "missing"], selfDistributed: [] });
      expect(problems).toEqual([
        "missing: declared a reference table but does not exist",
        "children: unique index children_token_key (token) lacks workspace_id",
        "loose: has no workspace_id and is declared neither a reference nor a self-distributed table",
        "parents: workspace_id is nullable (a distribution column cannot be null)",
        "parents: primary key parents_pkey (id) lacks workspace_id",
        "children: foreign key children_parent_fk (parent_id) -> parents(id) does not pair workspace_id on both sides",
        "children: foreign key children_self_fk sets workspace_id null on delete (say SET NULL (column))",
        "lookups: reference table's foreign key lookups_child_fk points into tenant table children (Citus refuses it)",
      ]);
    } finally {
      await db.execute(sql.raw(`drop schema ${schema} cascade`));
    }
  });
});

describe("drizzle/citus/distribute.sql (npm run citus:sql)", () => {
  const file = readFileSync(CITUS_SQL_FILE, "utf8");

  it("is what the schema generates (run npm run citus:sql after a schema change)", () => {
    expect(file).toBe(distributionSql());
  });

  it("names every table of the migrated database exactly once, tenant tables by workspace_id", async () => {
    const rows = rowsOf<{ table_name: string }>(
      await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`),
    );
    const named = [...file.matchAll(/create_(?:reference|distributed)_table\('([a-z_]+)'(?:, '([a-z_]+)')?/g)].map((m) => ({ table: m[1], column: m[2] }));
    expect(named.map((n) => n.table).sort()).toEqual(rows.map((r) => r.table_name).sort());
    expect(new Set(named.map((n) => n.table)).size).toBe(named.length);
    for (const tenant of tenantTableNames()) expect(named.find((n) => n.table === tenant)?.column).toBe(TENANT_COLUMN);
  });

  it("the README points at it and at the list of reference tables", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain("drizzle/citus/distribute.sql");
    expect(readme).toContain("REFERENCE_TABLES");
  });
});
