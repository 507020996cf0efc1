// Domain services run outside GraphQL: a job (or the unsubscribe page) builds a plain scope for
// the system principal and calls the same service code, under policies/roles/system.yaml.
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, consentEvents, contacts } from "../../src/db/schema/index.js";
import { DomainError } from "../../src/errors.js";
import { CursorCodec } from "../../src/modules/common/cursor.js";
import { systemScope } from "../../src/modules/common/scope.js";
import { consentService } from "../../src/modules/consent/consent.service.js";
import { contactService } from "../../src/modules/contacts/contact.service.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { db, workspaceId } from "../helpers/fixtures.js";

let t: TestApp;
let scope: ReturnType<typeof systemScope>;
let hugo: string;

beforeAll(async () => {
  t = await startTestApp();
  const deps = { db: db(t), policies: t.app.policies, cursors: new CursorCodec(t.app.signingSecret), settings: { sessionTtlHours: 12 } };
  scope = systemScope(deps, await workspaceId(t, "Acme"), "legal_compliance");
  [{ id: hugo }] = await db(t).select({ id: contacts.id }).from(contacts).where(eq(contacts.email, "hugo.durand@vandelay.test"));
});
afterAll(() => t.close());

describe("the system principal through the domain services", () => {
  it("withdraws a consent for an unsubscribe link, recorded as the system's", async () => {
    const contact = await consentService.withdraw(scope, hugo, "marketing_email", "unsubscribe_link");
    expect(contact.consentedPurposes).not.toContain("marketing_email");
    const [event] = await db(t)
      .select()
      .from(consentEvents)
      .where(and(eq(consentEvents.contactId, hugo), eq(consentEvents.state, "withdrawn")))
      .orderBy(desc(consentEvents.createdAt));
    expect(event).toMatchObject({ source: "unsubscribe_link", recordedBy: null });
    const [logged] = await db(t).select().from(auditLog).where(eq(auditLog.action, "withdraw_consent")).orderBy(desc(auditLog.seq));
    expect(logged).toMatchObject({ actorId: null, actorRole: "system", decision: "allow" });
  });

  it("never grants a consent and never reads who a person is", async () => {
    const proof = { noticeVersion: "2024-11-14", subjectIp: "203.0.113.9", subjectUserAgent: "x", evidence: "y" };
    await expect(consentService.grant(scope, hugo, "marketing_email", "form", proof)).rejects.toMatchObject({ code: "forbidden" });
    const person = await contactService.get(scope, hugo);
    expect(person.id).toBe(hugo);
    // The row is visible (privacy state); its fields are masked by the same ability.
    expect(scope.ability.can("read", { __caslSubjectType__: "Contact", ...person } as never, "email")).toBe(false);
  });

  it("raises domain errors, not GraphQL ones", async () => {
    const error = await contactService.get(scope, "00000000-0000-4000-8000-000000000000").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("not_found");
  });
});
