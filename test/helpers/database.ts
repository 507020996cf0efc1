import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { inject } from "vitest";
import { openPglite, openPostgres, type Database, type PoolOptions } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";

/** A fresh, migrated database for one test file: PGlite in memory, or a PostgreSQL clone. */
export async function testDatabase(pool: PoolOptions = {}): Promise<Database> {
  const url = process.env.DATABASE_URL;
  const template = inject("templateDatabase");
  if (!url || !template) {
    const image = inject("pgliteImage");
    if (image) return openPglite("memory://", new Blob([readFileSync(image)]));
    const db = await openPglite("memory://");
    await migrate(db);
    return db;
  }
  const name = `alpha_t_${template.replace("alpha_tpl_", "")}_${randomBytes(6).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name} template ${template}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openPostgres(target.toString(), 4, pool);
  return {
    ...db,
    async close() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
