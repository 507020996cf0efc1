import { fileURLToPath } from "node:url";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { Database } from "./client.js";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));
/** Advisory-lock keys: one per kind of start-up work that must not run twice at once. */
export const LOCK_MIGRATE = 0x41_4c_50_01;
export const LOCK_SEED = 0x41_4c_50_02;

/** Applies drizzle/ under an advisory lock, so concurrent starts migrate once. */
export async function migrate(database: Database): Promise<void> {
  await database.withAdvisoryLock(LOCK_MIGRATE, async (db) => {
    if (database.kind === "pglite") {
      await migratePglite(db as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
    } else {
      await migratePostgres(db as PostgresJsDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
    }
  });
}
