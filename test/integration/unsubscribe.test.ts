// One-click unsubscribe (issue 9, item 7; RFC 8058): links only for people who consented,
// made by the roles allowed to; sealed single-purpose tokens that reveal nothing; a plain page
// whose POST withdraws the consent with source unsubscribe_link; 400 and nothing changed for
// anything else. The same pages in a real browser: unsubscribe-browser.test.ts.
import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { and, count, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, consentEvents, contacts } from "../../src/db/schema/index.js";
import { loggedPath } from "../../src/http/unsubscribe.js";
import { UnsubscribeLinks } from "../../src/modules/unsubscribe/unsubscribe.token.js";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { testDatabase } from "../helpers/database.js";
import { contactIdByEmail, db, workspaceId } from "../helpers/fixtures.js";
import { awayFromMinuteEnd } from "../helpers/minute.js";

const PUBLIC_URL = "https://crm.example.test";
const HEADERS = `query($id: ID!, $p: String!) { unsubscribeHeaders(contactId: $id, purpose: $p) { url listUnsubscribe listUnsubscribePost } }`;
const URL_QUERY = `query($id: ID!, $p: String!) { unsubscribeUrl(contactId: $id, purpose: $p) }`;
const FORM = { "content-type": "application/x-www-form-urlencoded" };

let t: TestApp;
let acme: string;
const tokens: Record<string, string> = {};
const people: Record<string, string> = {};

async function linkFor(contactId: string, purpose = "marketing_email", who = "marketing"): Promise<string> {
  const res = await t.gql<{ unsubscribeUrl: string }>(URL_QUERY, { id: contactId, p: purpose }, { token: tokens[who], purpose });
  if (!res.data?.unsubscribeUrl) throw new Error(JSON.stringify(res.errors));
  return res.data.unsubscribeUrl;
}

const pathOf = (url: string) => new URL(url).pathname;
const tokenOf = (url: string) => pathOf(url).split("/").pop()!;
const get = (path: string) => t.app.server.inject({ method: "GET", url: path });
const post = (path: string, payload = "List-Unsubscribe=One-Click", headers: Record<string, string> = FORM) =>
  t.app.server.inject({ method: "POST", url: path, headers, payload });

async function consented(contactId: string): Promise<string[]> {
  const [row] = await db(t).select({ c: contacts.consentedPurposes }).from(contacts).where(eq(contacts.id, contactId));
  return [...row.c].sort();
}

async function ledgerSize(): Promise<number> {
  const [row] = await db(t).select({ n: count() }).from(consentEvents);
  return Number(row.n);
}

/** Everything a token could change: every contact's consents and the ledger. */
async function snapshot() {
  const rows = await db(t).select({ id: contacts.id, c: contacts.consentedPurposes }).from(contacts).orderBy(contacts.id);
  return { rows, ledger: await ledgerSize() };
}

beforeAll(async () => {
  t = await startTestApp({ PUBLIC_URL });
  acme = await workspaceId(t, "Acme");
  for (const who of ["owner", "marketing", "sales", "support", "dpo", "auditor"]) tokens[who] = await t.login(`${who}@acme.test`);
  tokens.globex = await t.login("owner@globex.test");
  for (const [name, email] of Object.entries({
    alice: "alice.martin@initech.test", // email and SMS consent
    bruno: "bruno.bernard@initech.test", // email consent
    hugo: "hugo.durand@vandelay.test", // email consent
    jules: "jules.moreau@example.test", // email consent
    karim: "karim.simon@initech.test", // no consent
    homer: "homer@springfield.test", // Globex, email consent
  })) {
    people[name] = await contactIdByEmail(t, email);
  }
});

afterAll(() => t?.close());

describe("unsubscribeUrl and unsubscribeHeaders", () => {
  it("return an absolute link under PUBLIC_URL and the RFC 8058 header values", async () => {
    const res = await t.gql(HEADERS, { id: people.bruno, p: "marketing_email" }, { token: tokens.marketing });
    expect(res.errors).toBeUndefined();
    const { url, listUnsubscribe, listUnsubscribePost } = res.data!.unsubscribeHeaders;
    expect(url).toMatch(/^https:\/\/crm\.example\.test\/privacy\/unsubscribe\/[A-Za-z0-9_-]{40,200}$/);
    expect(listUnsubscribe).toBe(`<${url}>`);
    expect(listUnsubscribePost).toBe("List-Unsubscribe=One-Click");
    expect(await linkFor(people.bruno)).toMatch(/^https:\/\/crm\.example\.test\/privacy\/unsubscribe\//);
  });

  it("the owner makes them too, under the message's purpose", async () => {
    expect(await linkFor(people.alice, "marketing_sms", "owner")).toMatch(/^https:\/\/crm\.example\.test\//);
  });

  it("the token reveals neither the contact's id nor the workspace's, nor the email address", async () => {
    const url = await linkFor(people.hugo);
    const token = tokenOf(url);
    const bytes = Buffer.from(token, "base64url");
    const views = [token, bytes.toString("latin1"), bytes.toString("utf8"), bytes.toString("hex"), bytes.toString("base64")].map((v) => v.toLowerCase());
    for (const id of [people.hugo, acme]) {
      const raw = Buffer.from(id.replace(/-/g, ""), "hex");
      for (const view of views) {
        expect(view).not.toContain(id);
        expect(view).not.toContain(id.replace(/-/g, ""));
      }
      expect(bytes.includes(raw)).toBe(false);
    }
    // The name is looked for in the decoded bytes, where a plain one would show: the base64 views
    // are random letters (AES-GCM, random IV) that spell "hugo" now and then.
    for (const view of [bytes.toString("latin1"), bytes.toString("utf8")]) expect(view.toLowerCase()).not.toContain("hugo");
    expect(url).not.toContain("vandelay");
    // Sealed with a random IV: two links for the same person and purpose share nothing visible.
    expect(tokenOf(await linkFor(people.hugo))).not.toBe(token);
  });

  it("are refused to roles that send no marketing", async () => {
    for (const who of ["sales", "support", "dpo", "auditor"]) {
      const res = await t.gql(URL_QUERY, { id: people.bruno, p: "marketing_email" }, { token: tokens[who] });
      expect(res.errors?.[0]?.extensions.code, who).toBe("FORBIDDEN");
      expect(res.data).toBeNull();
    }
  });

  it("are refused without a session", async () => {
    const res = await t.gql(URL_QUERY, { id: people.bruno, p: "marketing_email" });
    expect(res.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });

  it("find no person without the consent of the purpose (nobody to send to), nor another workspace's", async () => {
    const cases: Array<[string, string]> = [
      [people.karim, "marketing_email"],
      [people.bruno, "marketing_sms"],
      [people.homer, "marketing_email"],
      [randomUUID(), "marketing_email"],
    ];
    for (const [id, purpose] of cases) {
      const res = await t.gql(URL_QUERY, { id, p: purpose }, { token: tokens.marketing, purpose });
      expect(res.errors?.[0]?.extensions.code, `${id} ${purpose}`).toBe("NOT_FOUND");
    }
  });

  it("need a consent purpose, and the request to act under it", async () => {
    const other = await t.gql(URL_QUERY, { id: people.alice, p: "marketing_sms" }, { token: tokens.marketing, purpose: "marketing_email" });
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "purpose" });
    const notConsent = await t.gql(URL_QUERY, { id: people.alice, p: "analytics" }, { token: tokens.marketing, purpose: "analytics" });
    expect(notConsent.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "purpose" });
    const unknown = await t.gql(URL_QUERY, { id: people.alice, p: "newsletter" }, { token: tokens.marketing });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "purpose" });
  });
});

describe("the unsubscribe page", () => {
  it("GET shows a plain, accessible page with one button that posts without JavaScript, and changes nothing", async () => {
    const url = await linkFor(people.jules);
    const before = await snapshot();
    const res = await get(pathOf(url));
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    const html = res.body;
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<title>Unsubscribe from marketing emails<\/title>/);
    expect(html.match(/<form method="post">/g)).toHaveLength(1);
    expect(html.match(/<button /g)).toHaveLength(1);
    expect(html).toContain('<button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button>');
    // Nothing to load from anywhere, no script, and nothing about the person.
    expect(html).not.toMatch(/<script|src=|href=|https?:\/\//i);
    expect(html).not.toMatch(/jules|moreau/i);
    expect(await snapshot()).toEqual(before);
  });

  it("POST List-Unsubscribe=One-Click (what the button and mail clients send) withdraws the consent and confirms; again changes nothing", async () => {
    const url = await linkFor(people.jules);
    expect(await consented(people.jules)).toContain("marketing_email");
    const res = await post(pathOf(url));
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("<h1>You are unsubscribed</h1>");
    expect(await consented(people.jules)).not.toContain("marketing_email");
    const [last] = await db(t).select().from(consentEvents).where(eq(consentEvents.contactId, people.jules)).orderBy(desc(consentEvents.createdAt)).limit(1);
    expect(last).toMatchObject({ purpose: "marketing_email", state: "withdrawn", source: "unsubscribe_link", recordedBy: null, workspaceId: acme });
    const [logged] = await db(t)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "withdraw_consent"), eq(auditLog.subjectId, people.jules)))
      .orderBy(desc(auditLog.seq))
      .limit(1);
    expect(logged).toMatchObject({ actorRole: "system", decision: "allow" });
    expect(logged.detail).toMatchObject({ consentPurpose: "marketing_email", source: "unsubscribe_link", changed: true });

    const before = await snapshot();
    const again = await post(pathOf(url));
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain("<h1>You are unsubscribed</h1>");
    expect(await snapshot()).toEqual(before);
  });

  it("a token for one purpose withdraws that purpose only", async () => {
    const email = await linkFor(people.alice, "marketing_email");
    expect(await consented(people.alice)).toEqual(["marketing_email", "marketing_sms"]);
    expect((await post(pathOf(email))).statusCode).toBe(200);
    expect(await consented(people.alice)).toEqual(["marketing_sms"]);
  });

  it("accepts the one-click body as multipart/form-data too (RFC 8058)", async () => {
    const url = await linkFor(people.hugo);
    const boundary = "----alpha7781";
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await post(pathOf(url), body, { "content-type": `multipart/form-data; boundary=${boundary}` });
    expect(res.statusCode).toBe(200);
    expect(await consented(people.hugo)).not.toContain("marketing_email");
  });

  it("a tampered, truncated, foreign or unknown token gets the 400 page and changes nothing", async () => {
    const url = await linkFor(people.bruno);
    const token = tokenOf(url);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const foreign = new UnsubscribeLinks("another-secret-another-secret-another-secret", PUBLIC_URL);
    const real = new UnsubscribeLinks(t.app.signingSecret, PUBLIC_URL);
    const bad = [
      flip(token, 0),
      flip(token, Math.floor(token.length / 2)),
      flip(token, token.length - 1),
      token.slice(0, -4),
      `${token}AAAA`,
      "x".repeat(5000),
      "not-a-token",
      "%00%2F..%2F",
      foreign.seal({ workspaceId: acme, contactId: people.bruno, purpose: "marketing_email" }),
      // Issued by this API, but for nobody, or for a purpose that is not consent.
      real.seal({ workspaceId: acme, contactId: randomUUID(), purpose: "marketing_email" }),
      real.seal({ workspaceId: acme, contactId: people.bruno, purpose: "sales_pipeline" }),
      real.seal({ workspaceId: acme, contactId: people.bruno, purpose: "no_such_purpose" }),
      // Another workspace's id with this contact: the person is not found there.
      real.seal({ workspaceId: await workspaceId(t, "Globex"), contactId: people.bruno, purpose: "marketing_email" }),
      "",
    ];
    const before = await snapshot();
    for (const b of bad) {
      for (const res of [await get(`/privacy/unsubscribe/${b}`), await post(`/privacy/unsubscribe/${b}`)]) {
        expect(res.statusCode, b.slice(0, 40)).toBe(400);
        expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
        expect(res.body).toMatch(/<html lang="en">[\s\S]*<h1>This unsubscribe link does not work<\/h1>/);
      }
    }
    expect(await snapshot()).toEqual(before);
    expect(await consented(people.bruno)).toContain("marketing_email");
  });

  it("a POST without List-Unsubscribe=One-Click, or with a JSON body, is a 400 page and changes nothing", async () => {
    const path = pathOf(await linkFor(people.bruno));
    const before = await snapshot();
    const attempts = [
      await post(path, ""),
      await post(path, "List-Unsubscribe=Two-Clicks"),
      await post(path, "unsubscribe=yes"),
      await post(path, JSON.stringify({ "List-Unsubscribe": "One-Click" }), { "content-type": "application/json" }),
      await post(path, "List-Unsubscribe=One-Click", { "content-type": "text/plain" }),
      await t.app.server.inject({ method: "POST", url: path }),
    ];
    for (const res of attempts) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.body).not.toMatch(/You are unsubscribed/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a Globex link withdraws the Globex person's consent and touches no Acme row", async () => {
    const res = await t.gql<{ unsubscribeUrl: string }>(
      URL_QUERY,
      { id: people.homer, p: "marketing_email" },
      { token: tokens.globex, purpose: "marketing_email" },
    );
    const url = res.data!.unsubscribeUrl;
    const acmeBefore = (await snapshot()).rows.filter((r) => r.id !== people.homer);
    expect((await post(pathOf(url))).statusCode).toBe(200);
    expect(await consented(people.homer)).not.toContain("marketing_email");
    expect((await snapshot()).rows.filter((r) => r.id !== people.homer)).toEqual(acmeBefore);
  });
});

describe("rate limit and logs", () => {
  it("counts the pages like other anonymous requests (over the limit, a 429 page with Retry-After), and logs no token", { timeout: 60_000 }, async () => {
    const logs: string[] = [];
    const config = loadConfig({ DATA_DIR: "memory://", LOG_LEVEL: "info", NODE_ENV: "test", SEED_DEMO: "false", RATE_LIMIT_ANONYMOUS_PER_MINUTE: "3" });
    const limited = await createApp(config, { database: await testDatabase(), logStream: { write: (line) => void logs.push(line) } });
    try {
      const secretish = "Zm9vYmFyLXRva2VuLXRoYXQtbXVzdC1ub3QtYmUtbG9nZ2Vk";
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof limited.server.inject>> | undefined;
      // The anonymous count is per minute, on the minute: a roll-over mid-loop would reset it.
      await awayFromMinuteEnd();
      for (let i = 0; i < 5; i++) {
        last = await limited.server.inject({ method: i % 2 ? "POST" : "GET", url: `/privacy/unsubscribe/${secretish}`, remoteAddress: "198.51.100.23" });
        statuses.push(last.statusCode);
      }
      expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      expect(Number(last!.headers["retry-after"])).toBeGreaterThan(0);
      expect(last!.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(logs.join("\n")).toContain("/privacy/unsubscribe/[token]");
      expect(logs.join("\n")).not.toContain(secretish);
    } finally {
      await limited.close();
    }
  });

  it("keeps the token out of the logged path", () => {
    expect(loggedPath("/privacy/unsubscribe/AbC-123_x?utm=1")).toBe("/privacy/unsubscribe/[token]");
    expect(loggedPath("/graphql?query=x")).toBe("/graphql");
  });
});
