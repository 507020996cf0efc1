import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openPglite, openPostgres } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";

/**
 * The migrations run once here, not once per test file. With DATABASE_URL, each test file
 * gets its own PostgreSQL database cloned from a template migrated here
 * (`CREATE DATABASE ... TEMPLATE`), so files run in parallel without colliding. Without it,
 * each file starts an in-memory PGlite from the image of a database migrated here.
 */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (!url) return pgliteTemplate(project);
  const template = `alpha_tpl_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`drop database if exists ${template}`);
  await admin.unsafe(`create database ${template}`);
  const target = new URL(url);
  target.pathname = `/${template}`;
  const db = await openPostgres(target.toString(), 1);
  await migrate(db);
  await db.close();
  project.provide("templateDatabase", template);
  return async () => {
    const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`alpha_t_${process.pid}_%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.unsafe(`drop database if exists ${template} with (force)`);
    await admin.end();
  };
}

async function pgliteTemplate(project: TestProject) {
  const db = await openPglite("memory://");
  await migrate(db);
  const image = await db.dump?.();
  await db.close();
  if (!image) return;
  const dir = mkdtempSync(join(tmpdir(), "alpha-pglite-"));
  const file = join(dir, "migrated.tar");
  writeFileSync(file, Buffer.from(await image.arrayBuffer()));
  project.provide("pgliteImage", file);
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase?: string;
    pgliteImage?: string;
  }
}
