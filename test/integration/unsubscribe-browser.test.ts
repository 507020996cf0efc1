// The one-click unsubscribe page in a real browser (issue 9, item 7): Debian's chromium,
// driven by playwright-core, against the app listening on a real port. A person opens the
// link, presses the button, sees the confirmation, and the consent is withdrawn in the
// database; axe-core finds no accessibility violation on any of the pages. The page's own CSP
// stays on (no script may run there): axe is evaluated through the DevTools protocol.
import "reflect-metadata";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { desc, eq } from "drizzle-orm";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentEvents, contacts } from "../../src/db/schema/index.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail, db } from "../helpers/fixtures.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const found = existsSync(CHROMIUM);
if (!found) {
  console.warn(`SKIPPED the unsubscribe browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it.`);
}

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let t: TestApp;
let base: string;
let profile: string;
let browser: BrowserContext;
let marketing: string;
const cspErrors: string[] = [];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/** axe-core's WCAG 2.x A/AA and best-practice rules on the current page. */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[]; passes: unknown[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    // Passing checks prove axe ran (an empty list of violations alone would not).
    if (result.passes.length === 0) throw new Error("axe checked nothing");
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

/** The app's link for a person, pointed at the port the app listens on. */
async function liveLink(contactId: string, purpose = "marketing_email"): Promise<string> {
  const res = await t.gql<{ unsubscribeUrl: string }>(
    `query($id: ID!, $p: String!) { unsubscribeUrl(contactId: $id, purpose: $p) }`,
    { id: contactId, p: purpose },
    { token: marketing, purpose },
  );
  if (!res.data?.unsubscribeUrl) throw new Error(JSON.stringify(res.errors));
  return new URL(new URL(res.data.unsubscribeUrl).pathname, base).href;
}

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on("console", (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  return page;
}

describe.skipIf(!found)("the unsubscribe page in headless Chromium", () => {
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.server.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.server.address() as AddressInfo).port}`;
    marketing = await t.login("marketing@acme.test");
    profile = mkdtempSync(join(tmpdir(), "alpha-chromium-"));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it("a person opens the link, presses the button, and the consent is withdrawn; both pages pass axe", async () => {
    const bruno = await contactIdByEmail(t, "bruno.bernard@initech.test");
    const page = await openPage();
    const response = await page.goto(await liveLink(bruno));
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe("Unsubscribe from marketing emails");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await axeViolations(page)).toEqual([]);

    const button = page.getByRole("button", { name: "Unsubscribe" });
    await expect(button.count()).resolves.toBe(1);
    // The style applied under the page's CSP (allowed by its hash): contrast was checked on it.
    const background = await button.evaluate((b) => {
      const style = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle;
      return style(b).backgroundColor;
    });
    expect(background).toBe("rgb(11, 61, 145)");
    // Nothing has changed yet: opening the page (or a mail scanner fetching it) is no click.
    const [before] = await db(t).select({ c: contacts.consentedPurposes }).from(contacts).where(eq(contacts.id, bruno));
    expect(before.c).toContain("marketing_email");

    const [confirmation] = await Promise.all([page.waitForNavigation(), button.click()]);
    expect(confirmation?.status()).toBe(200);
    expect(confirmation?.request().method()).toBe("POST");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("You are unsubscribed");
    expect(await axeViolations(page)).toEqual([]);

    const [after] = await db(t).select({ c: contacts.consentedPurposes }).from(contacts).where(eq(contacts.id, bruno));
    expect(after.c).not.toContain("marketing_email");
    const [entry] = await db(t).select().from(consentEvents).where(eq(consentEvents.contactId, bruno)).orderBy(desc(consentEvents.createdAt)).limit(1);
    expect(entry).toMatchObject({ purpose: "marketing_email", state: "withdrawn", source: "unsubscribe_link" });

    // Back and press again: still a confirmation, no new ledger entry.
    await page.goBack();
    const [again] = await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Unsubscribe" }).click()]);
    expect(again?.status()).toBe(200);
    const entries = await db(t).select().from(consentEvents).where(eq(consentEvents.contactId, bruno));
    expect(entries.filter((e) => e.source === "unsubscribe_link")).toHaveLength(1);
    await page.close();
  }, 90_000);

  it("a tampered link shows the 400 page, which passes axe too, and changes nothing", async () => {
    const hugo = await contactIdByEmail(t, "hugo.durand@vandelay.test");
    const link = await liveLink(hugo);
    const tampered = `${link.slice(0, -3)}${link.endsWith("AAA") ? "BBB" : "AAA"}`;
    const page = await openPage();
    const response = await page.goto(tampered);
    expect(response?.status()).toBe(400);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This unsubscribe link does not work");
    expect(await axeViolations(page)).toEqual([]);
    const [row] = await db(t).select({ c: contacts.consentedPurposes }).from(contacts).where(eq(contacts.id, hugo));
    expect(row.c).toContain("marketing_email");
    await page.close();
  }, 90_000);

  it("the page's Content-Security-Policy blocked nothing it needs (its style is allowed by hash)", () => {
    expect(cspErrors).toEqual([]);
  });
});
