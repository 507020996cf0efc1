// Which policy decided: the server records the digest of its policies at start, and every
// decision-log entry, explainAccess answer and auditLog entry names it.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPolicyVersion, recordPolicyVersion } from "../../src/authz/decision-log.js";
import { contactIdByEmail } from "../helpers/fixtures.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe("policy digest", () => {
  it("is recorded once in policy_versions_loaded, with the files that produce it", async () => {
    const { digest, files } = t.app.policies;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const version = await findPolicyVersion(t.app.database.handle(), digest);
    expect(version?.files).toEqual(files);
    expect(Object.keys(version!.files)).toContain("policies/roles/sales_rep.yaml");
    const rows = await t.app.database.handle().execute(sql`select count(*)::int as n from policy_versions_loaded where digest = ${digest}`);
    const n = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows)[0] as { n: number };
    expect(n.n).toBe(1);
    // A later start with the same policies moves last_seen_at and keeps first_seen_at.
    await recordPolicyVersion(t.app.database.handle(), t.app.policies);
    const again = await findPolicyVersion(t.app.database.handle(), digest);
    expect(again!.firstSeenAt).toEqual(version!.firstSeenAt);
    expect(again!.lastSeenAt.getTime()).toBeGreaterThanOrEqual(version!.lastSeenAt.getTime());
  });

  it("a decision-log entry names the digest in force; explainAccess and auditLog show it", async () => {
    const sales = await t.login("sales@acme.test");
    const alice = await contactIdByEmail(t, "alice.martin@initech.test");
    const denied = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: alice }, { token: sales });
    expect(denied.errors?.[0]?.extensions.code).toBe("FORBIDDEN");

    const dpo = await t.login("dpo@acme.test");
    const explained = await t.gql(`{ explainAccess(action: "read", subject: "Contact") { allowed rule policyDigest } }`, {}, { token: dpo });
    expect(explained.errors).toBeUndefined();
    expect(explained.data!.explainAccess).toEqual({ allowed: true, rule: "dpo.contacts.read", policyDigest: t.app.policies.digest });

    const log = await t.gql(`{ auditLog(first: 200) { nodes { actorRole action subject rule policyDigest } } }`, {}, { token: dpo });
    expect(log.errors).toBeUndefined();
    const entry = (log.data!.auditLog.nodes as Array<Record<string, string>>).find(
      (n) => n.actorRole === "sales_rep" && n.action === "delete" && n.subject === "Contact",
    );
    expect(entry).toMatchObject({ rule: "sales_rep.contacts.no_delete", policyDigest: t.app.policies.digest });
  });
});
