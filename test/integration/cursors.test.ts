import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appSecrets, contacts } from "../../src/db/schema/index.js";
import { loadSigningSecret } from "../../src/db/secrets.js";
import { CursorCodec } from "../../src/modules/common/cursor.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, insertPeople, workspaceId } from "../helpers/fixtures.js";

// Issue 6 item 8: a cursor carries no value the caller may not read, and a field masked on some
// rows (an erased person's last name under legal_compliance) does not leak through the order.
let t: TestApp;
let dpo: string;
let acme: string;
let erased: string[];
beforeAll(async () => {
  t = await startTestApp();
  acme = await workspaceId(t, "Acme");
  const people = await insertPeople(t, acme, 24, { prefix: "Tomb" });
  // Tombstones that kept their last names in the row: the values must stay unreachable.
  // Alphabetical order of these names is the reverse of id order, so a leak would show.
  erased = [...people.slice(0, 6)].sort();
  for (const [i, id] of erased.entries()) {
    await db(t)
      .update(contacts)
      .set({ lastName: `Secret${String.fromCharCode(90 - i)}surname`, erasedAt: new Date() })
      .where(eq(contacts.id, id));
  }
  dpo = await t.login("dpo@acme.test");
});
afterAll(() => t.close());

const LIST = `query($first: Int, $after: String, $last: Int, $before: String, $dir: OrderDirection!, $search: String) {
  contacts(first: $first, after: $after, last: $last, before: $before, orderBy: { field: LAST_NAME, direction: $dir }, filter: { search: $search }) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id lastName erased } }
  }
}`;

type Edge = { cursor: string; node: { id: string; lastName: string | null; erased: boolean } };

async function page(vars: Record<string, unknown>, token = dpo) {
  const res = await t.gql(LIST, { dir: "ASC", ...vars }, { token });
  return res;
}

async function walk(dir: "ASC" | "DESC", size: number, backward = false): Promise<Edge[]> {
  const edges: Edge[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 200; i++) {
    const res = await page(backward ? { dir, last: size, before: cursor } : { dir, first: size, after: cursor });
    // The tombstones' masked last names are reported (FORBIDDEN, with data); nothing else.
    expect(res.errors?.filter((e) => e.extensions.code !== "FORBIDDEN") ?? []).toEqual([]);
    const c = res.data!.contacts;
    if (backward) edges.unshift(...c.edges);
    else edges.push(...c.edges);
    if (!(backward ? c.pageInfo.hasPreviousPage : c.pageInfo.hasNextPage)) break;
    cursor = backward ? c.pageInfo.startCursor : c.pageInfo.endCursor;
  }
  return edges;
}

describe("cursors on a tombstone list", () => {
  it("contain no last name, sealed or decrypted", async () => {
    const edges = await walk("ASC", 5);
    const codec = new CursorCodec(t.app.signingSecret);
    const tombstones = edges.filter((e) => e.node.erased);
    expect(tombstones.map((e) => e.node.id).sort()).toEqual(erased);
    for (const edge of tombstones) {
      expect(edge.node.lastName).toBeNull();
      expect(Buffer.from(edge.cursor, "base64url").toString("latin1")).not.toMatch(/Secret/i);
      expect(edge.cursor).not.toMatch(/Secret/i);
      const opened = codec.decode(edge.cursor, acme, "Contact:LAST_NAME:ASC");
      expect(opened).toEqual({ order: "Contact:LAST_NAME:ASC", value: null, id: edge.node.id });
      expect(JSON.stringify(opened)).not.toMatch(/Secret/i);
    }
  });

  it("the order does not follow masked values: tombstones come last, by id", async () => {
    for (const dir of ["ASC", "DESC"] as const) {
      const edges = await walk(dir, 200);
      const tail = edges.slice(-erased.length);
      expect(
        tail.every((e) => e.node.erased),
        dir,
      ).toBe(true);
      expect(tail.map((e) => e.node.id)).toEqual(dir === "ASC" ? erased : [...erased].reverse());
      expect(edges.slice(0, -erased.length).every((e) => !e.node.erased && e.node.lastName !== null)).toBe(true);
    }
  });

  it("keyset paging crosses the NULL group both ways, forward and backward, without gaps or repeats", async () => {
    for (const dir of ["ASC", "DESC"] as const) {
      const all = (await walk(dir, 200)).map((e) => e.node.id);
      expect(new Set(all).size).toBe(all.length);
      for (const size of [1, 5]) {
        expect(
          (await walk(dir, size)).map((e) => e.node.id),
          `${dir} first ${size}`,
        ).toEqual(all);
        expect(
          (await walk(dir, size, true)).map((e) => e.node.id),
          `${dir} last ${size}`,
        ).toEqual(all);
      }
    }
  });

  it("search does not match a tombstone's kept last name", async () => {
    const masked = await page({ first: 10, search: "SecretZ" });
    expect(masked.data!.contacts.totalCount).toBe(0);
    const readable = await page({ first: 10, search: "Tomb10" });
    expect(readable.data!.contacts.totalCount).toBe(1);
  });
});

describe("refused cursors are bad input naming their argument", () => {
  it("tampered, truncated, forged or clear-text", async () => {
    const first = await page({ first: 3 });
    const good = first.data!.contacts.pageInfo.endCursor as string;
    const bytes = Buffer.from(good, "base64url");
    bytes[20] ^= 0x40;
    const forged = [
      bytes.toString("base64url"),
      good.slice(0, -3),
      "not-a-cursor",
      Buffer.from(JSON.stringify(["Contact:LAST_NAME:ASC", "A", erased[0]])).toString("base64url"),
    ];
    for (const after of forged) {
      const res = await page({ first: 3, after });
      expect(res.errors?.[0].extensions, after).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    }
    const back = await page({ last: 3, before: forged[0] });
    expect(back.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "before" });
    expect(back.status).toBe(200);
  });

  it("from another workspace, even with the same shape of list", async () => {
    const globex = await t.login("owner@globex.test");
    const theirs = await page({ first: 1 }, globex);
    const cursor = theirs.data!.contacts.pageInfo.endCursor as string;
    expect((await page({ first: 1, after: cursor }, globex)).errors).toBeUndefined();
    const res = await page({ first: 1, after: cursor });
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("from another list or order", async () => {
    const deals = await t.gql(`{ deals(first: 1) { pageInfo { endCursor } } }`, {}, { token: await t.login("owner@acme.test") });
    const res = await page({ first: 1, after: deals.data!.deals.pageInfo.endCursor });
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    const asc = await page({ first: 1 });
    const desc = await page({ first: 1, dir: "DESC", after: asc.data!.contacts.pageInfo.endCursor });
    expect(desc.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });
});

describe("the secret behind cursors", () => {
  it("is generated once and stored, so every process on the database shares it", async () => {
    const stored = await db(t)
      .select()
      .from(appSecrets)
      .where(inArray(appSecrets.name, ["signing"]));
    expect(stored).toHaveLength(1);
    expect(stored[0].value).toBe(t.app.signingSecret);
    expect(t.app.signingSecret.length).toBeGreaterThanOrEqual(32);
    expect(await loadSigningSecret(db(t), { signingSecret: undefined })).toBe(t.app.signingSecret);
  });

  it("is SIGNING_SECRET when set", async () => {
    const secret = "s".repeat(40);
    expect(await loadSigningSecret(db(t), { signingSecret: secret })).toBe(secret);
  });
});
