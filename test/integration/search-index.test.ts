import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../src/db/client.js";
import { contacts } from "../../src/db/schema/index.js";
import { contactFilter } from "../../src/modules/contacts/contact.repository.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { workspaceId } from "../helpers/fixtures.js";

// Search at a million people (#12): the contacts' search asks one trigram index
// (contacts_search_trgm) for the candidates, then decides each field's gate on them.
let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  token = await t.login("owner@acme.test");
});
afterAll(() => t.close());

async function plan(search: string, readable: (field: string) => ReturnType<typeof sql> | null): Promise<string> {
  const db = t.app.database.handle();
  // The search alone (the workspace's own index would win on a few demo rows), and no
  // sequential scan: whether the index can serve the search's SQL, not whether it is cheapest here.
  const query = db.select({ id: contacts.id }).from(contacts).where(contactFilter({ search }, readable));
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    const rows = rowsOf<Record<string, string>>(await tx.execute(sql`explain ${query}`));
    return rows.map((r) => Object.values(r)[0]).join("\n");
  });
}

describe("contacts search uses the trigram index", () => {
  it("the search's SQL can be served by contacts_search_trgm", async () => {
    expect(await plan("ada", () => sql`true`)).toContain("contacts_search_trgm");
  });

  it("the index only narrows: a masked field is still not searched (email readable nowhere)", async () => {
    const res = await t.gql(`query($s: String) { contacts(first: 50, filter: { search: $s }) { totalCount nodes { id } } }`, { s: "@" }, { token });
    expect(res.errors).toBeUndefined();
    // Every demo contact's email has an "@": the owner may read emails, so all are found.
    expect(res.data!.contacts.totalCount).toBeGreaterThan(0);
    const db = t.app.database.handle();
    const acme = await workspaceId(t, "Acme");
    const noEmail = await db
      .select({ id: contacts.id })
      .from(contacts)
      .where(
        and(
          eq(contacts.workspaceId, acme),
          contactFilter({ search: "@" }, (field) => (field === "email" ? null : sql`true`)),
        ),
      );
    // The names hold no "@": with email unreadable, the search finds no one, though the indexed text has the email.
    expect(noEmail).toEqual([]);
  });
});
