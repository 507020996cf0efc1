import { eq } from "drizzle-orm";
import type { Db } from "../../src/db/client.js";
import { companies, contacts, deals, interactions, users, workspaces } from "../../src/db/schema/index.js";
import type { TestApp } from "./app.js";

export function db(t: TestApp): Db {
  return t.app.database.handle();
}

export async function workspaceId(t: TestApp, name: "Acme" | "Globex"): Promise<string> {
  const [ws] = await db(t).select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.name, name));
  return ws.id;
}

/** A demo contact's id by its email address. */
export async function contactIdByEmail(t: TestApp, email: string): Promise<string> {
  const [row] = await db(t).select({ id: contacts.id }).from(contacts).where(eq(contacts.email, email));
  return row.id;
}

export async function userId(t: TestApp, email: string): Promise<string> {
  const [u] = await db(t).select({ id: users.id }).from(users).where(eq(users.email, email));
  return u.id;
}

/** Inserts `n` contacts (each with a company, `perContact` deals and interactions) straight into SQL. */
export async function insertPeople(t: TestApp, ws: string, n: number, opts: { perContact?: number; prefix?: string } = {}): Promise<string[]> {
  const per = opts.perContact ?? 0;
  const d = db(t);
  const [company] = await d
    .insert(companies)
    .values({ workspaceId: ws, name: `${opts.prefix ?? "Bulk"} Corp` })
    .returning();
  const base = Date.now() - n * 1000;
  const rows = await d
    .insert(contacts)
    .values(
      Array.from({ length: n }, (_, i) => ({
        workspaceId: ws,
        companyId: company.id,
        firstName: `${opts.prefix ?? "Bulk"}${i}`,
        // Repeating last names make ties the keyset must break by id.
        lastName: `Name${i % 7}`,
        email: `${(opts.prefix ?? "bulk").toLowerCase()}${i}@bulk.test`,
        createdAt: new Date(base + Math.floor(i / 3) * 1000),
      })),
    )
    .returning({ id: contacts.id });
  const ids = rows.map((r) => r.id);
  if (per > 0) {
    await d
      .insert(deals)
      .values(ids.flatMap((id) => Array.from({ length: per }, (_, k) => ({ workspaceId: ws, contactId: id, companyId: company.id, title: `Deal ${k}` }))));
    await d
      .insert(interactions)
      .values(
        ids.flatMap((id) =>
          Array.from({ length: per }, (_, k) => ({ workspaceId: ws, contactId: id, kind: "note", purpose: "sales_pipeline", subject: `Note ${k}` })),
        ),
      );
  }
  return ids;
}
