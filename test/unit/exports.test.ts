// The export's building blocks without a database: formula escaping (CWE-1236) with numbers and
// E.164 phones left alone, RFC 4180 output with a header row per section, and the sealed
// download token (tamper, foreign key, expiry).
import { describe, expect, it } from "vitest";
import { CSV_BOM, neutralize, render, type RenderStats, type Section } from "../../src/modules/exports/export.render.js";
import { ExportLinks, type ExportTicket } from "../../src/modules/exports/export.token.js";

async function text(format: "json" | "csv", sections: Section[]): Promise<{ out: string; stats: RenderStats }> {
  const stats: RenderStats = { counts: {}, bytes: 0 };
  let out = "";
  for await (const chunk of render(format, { id: "x" }, sections, stats)) out += chunk;
  return { out, stats };
}

describe("neutralize", () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ["\r=1", "'\r=1"],
  ])("escapes %j", (cell, escaped) => {
    expect(neutralize(cell)).toBe(escaped);
  });

  it.each(["+33612345678", "+15555550101", "-12.5", "+3", "-0.5e3", "42", "Alice", "", "a=b"])("keeps %j", (cell) => {
    expect(neutralize(cell)).toBe(cell);
  });

  it("escapes what only looks like a phone or a number", () => {
    expect(neutralize("+33 6 12 34 56 78")).toBe("'+33 6 12 34 56 78"); // spaces: neither E.164 nor a number
    expect(neutralize("+1-555-0101")).toBe("'+1-555-0101");
    expect(neutralize("-1-1")).toBe("'-1-1");
    expect(neutralize("+0612")).toBe("+0612"); // a valid number, shown as a number
  });
});

describe("render", () => {
  const sections: Section[] = [
    {
      name: "contact",
      columns: ["id", "name", "phone", "tags"],
      single: true,
      rows: [{ id: "c1", name: 'O"Brien, =1+1', phone: "+33612345678", tags: ["a", "b"] }],
    },
    { name: "deals", columns: ["id", "amount", "at"], rows: [{ id: "d1", amount: -12.5, at: new Date("2026-01-02T03:04:05.000Z") }] },
    { name: "empty", columns: ["id"], rows: [] },
  ];

  it("CSV: BOM, CRLF, one header row per section, quoting per RFC 4180, counts and bytes", async () => {
    const { out, stats } = await text("csv", sections);
    expect(out.startsWith(CSV_BOM)).toBe(true);
    expect(out.slice(1).split("\r\n")).toEqual([
      "section,id",
      "export,x",
      "",
      "section,id,name,phone,tags",
      `contact,c1,"O""Brien, =1+1",+33612345678,a; b`,
      "",
      "section,id,amount,at",
      "deals,d1,-12.5,2026-01-02T03:04:05.000Z",
      "",
      "section,id",
      "",
    ]);
    expect(stats.counts).toEqual({ contact: 1, deals: 1, empty: 0 });
    expect(stats.bytes).toBe(Buffer.byteLength(out, "utf8"));
  });

  it("JSON: single sections are objects, others arrays, dates ISO", async () => {
    const { out } = await text("json", sections);
    expect(JSON.parse(out)).toEqual({
      export: { id: "x" },
      contact: { id: "c1", name: 'O"Brien, =1+1', phone: "+33612345678", tags: ["a", "b"] },
      deals: [{ id: "d1", amount: -12.5, at: "2026-01-02T03:04:05.000Z" }],
      empty: [],
    });
  });
});

describe("download tokens", () => {
  const secret = "s".repeat(40);
  const links = new ExportLinks(secret, "https://crm.example");
  const ticket: ExportTicket = {
    exportId: "0b8e6c1e-1d0f-4a7a-9d8e-2f3a4b5c6d7e",
    workspaceId: "1b8e6c1e-1d0f-4a7a-9d8e-2f3a4b5c6d7e",
    kind: "contact",
    subjectId: "2b8e6c1e-1d0f-4a7a-9d8e-2f3a4b5c6d7e",
    format: "csv",
    principalId: "3b8e6c1e-1d0f-4a7a-9d8e-2f3a4b5c6d7e",
    purpose: "legal_compliance",
    expiresAt: new Date(Date.now() + 60_000),
  };

  it("round-trips, shows none of the ids, and differs each time", () => {
    const token = links.seal(ticket);
    expect(links.open(token)).toEqual({ ok: true, ticket });
    for (const id of [ticket.exportId, ticket.subjectId, ticket.workspaceId]) expect(Buffer.from(token, "base64url").toString("latin1")).not.toContain(id);
    expect(links.seal(ticket)).not.toBe(token);
    expect(links.url(ticket)).toMatch(/^https:\/\/crm\.example\/exports\/[A-Za-z0-9_-]+$/);
  });

  it("refuses edited, truncated and foreign tokens, and expired ones as expired", () => {
    const token = links.seal(ticket);
    const bytes = Buffer.from(token, "base64url");
    bytes[20] ^= 1;
    expect(links.open(bytes.toString("base64url"))).toEqual({ ok: false, reason: "invalid" });
    expect(links.open(token.slice(0, -2))).toEqual({ ok: false, reason: "invalid" });
    expect(links.open(`${token}=`)).toEqual({ ok: false, reason: "invalid" });
    expect(new ExportLinks("t".repeat(40), "https://crm.example").open(token)).toEqual({ ok: false, reason: "invalid" });
    expect(links.open(links.seal({ ...ticket, expiresAt: new Date(Date.now() - 1) }))).toEqual({ ok: false, reason: "expired" });
  });
});

describe("logs", () => {
  it("never show a download token", async () => {
    const { exportLoggedPath } = await import("../../src/http/exports.js");
    expect(exportLoggedPath("/exports/abcDEF_123")).toBe("/exports/[token]");
    expect(exportLoggedPath("/graphql")).toBe("/graphql");
  });
});

describe("allRows", () => {
  it("reads keyset pages after the last row's position until a short page, never all at once", async () => {
    const { allRows } = await import("../../src/modules/exports/export.repository.js");
    const all = Array.from({ length: 7 }, (_, i) => ({ position: { at: new Date(i * 1000), id: `r${i}` }, row: { n: i } }));
    const asked: Array<string | undefined> = [];
    const reader = {
      columns: ["n"],
      read: async (_db: unknown, after: { id: string } | undefined, limit: number) => {
        asked.push(after?.id);
        const start = after ? all.findIndex((r) => r.position.id === after.id) + 1 : 0;
        return all.slice(start, start + limit);
      },
    };
    const seen: unknown[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: a fake database handle; the reader ignores it
    for await (const row of allRows(undefined as any, reader, 3)) seen.push(row);
    expect(seen).toEqual(all.map((r) => r.row));
    expect(asked).toEqual([undefined, "r2", "r5"]);
  });
});
