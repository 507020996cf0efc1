// Legal holds (issue 10): dpo and owner place and release them under legal_compliance; a held
// contact (or anything in a held workspace) cannot be deleted; other roles and tenants see nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { contactIdByEmail } from "../helpers/fixtures.js";

let t: TestApp;
let ines: string;
let lea: string;
let homer: string;

const PLACE = `mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id scope contactId reason active placedById placedAt releasedAt } }`;
const RELEASE = `mutation($id: ID!, $reason: String) { releaseLegalHold(id: $id, reason: $reason) { id active releasedAt releasedById releaseReason } }`;
const LIST = `query($filter: LegalHoldFilter) { legalHolds(first: 50, filter: $filter) { totalCount nodes { id scope contactId active } } }`;

beforeAll(async () => {
  t = await startTestApp();
  ines = await contactIdByEmail(t, "ines.leroy@example.test");
  lea = await contactIdByEmail(t, "lea.laurent@hooli.test");
  homer = await contactIdByEmail(t, "homer@springfield.test");
});
afterAll(() => t.close());

describe("placing and releasing legal holds", () => {
  it("the dpo holds a contact under legal_compliance, sees it listed, and releases it with a reason", async () => {
    const dpo = await t.login("dpo@acme.test");
    const placed = await t.gql(PLACE, { input: { contactId: ines, reason: "Litigation with the customer, case 2026-41" } }, { token: dpo });
    expect(placed.errors).toBeUndefined();
    expect(placed.data!.placeLegalHold).toMatchObject({ scope: "CONTACT", contactId: ines, active: true, releasedAt: null });
    const id = placed.data!.placeLegalHold.id;
    const listed = await t.gql(LIST, { filter: { active: true } }, { token: dpo });
    expect(listed.data!.legalHolds.nodes.map((h: { id: string }) => h.id)).toContain(id);

    const released = await t.gql(RELEASE, { id, reason: "Case settled on 2026-11-30" }, { token: dpo });
    expect(released.errors).toBeUndefined();
    expect(released.data!.releaseLegalHold).toMatchObject({ active: false, releaseReason: "Case settled on 2026-11-30" });
    const again = await t.gql(RELEASE, { id, reason: null }, { token: dpo });
    expect(again.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("the owner holds the whole workspace, under legal_compliance only", async () => {
    const owner = await t.login("owner@acme.test");
    const wrongPurpose = await t.gql(PLACE, { input: { reason: "Authority investigation" } }, { token: owner });
    expect(wrongPurpose.errors?.[0].extensions.code).toBe("FORBIDDEN");
    const placed = await t.gql(PLACE, { input: { reason: "Authority investigation" } }, { token: owner, purpose: "legal_compliance" });
    expect(placed.data!.placeLegalHold).toMatchObject({ scope: "WORKSPACE", contactId: null, active: true });
    await t.gql(RELEASE, { id: placed.data!.placeLegalHold.id, reason: "Investigation closed" }, { token: owner, purpose: "legal_compliance" });
  });

  it("other roles can neither place nor release holds; the auditor only reads them", async () => {
    for (const email of ["sales@acme.test", "marketing@acme.test", "support@acme.test", "auditor@acme.test"]) {
      const token = await t.login(email);
      const res = await t.gql(PLACE, { input: { contactId: ines, reason: "Trying to keep data" } }, { token, purpose: "legal_compliance" });
      expect(res.errors?.[0].extensions.code, email).toMatch(/FORBIDDEN|BAD_USER_INPUT/);
      expect(res.data?.placeLegalHold ?? null).toBeNull();
    }
    const auditor = await t.login("auditor@acme.test");
    expect((await t.gql(LIST, {}, { token: auditor })).errors).toBeUndefined();
    const sales = await t.gql(LIST, {}, { token: await t.login("sales@acme.test") });
    expect(sales.errors?.[0].extensions.code).toBe("FORBIDDEN");
  });

  it("checks its input and says which field is wrong, changing nothing", async () => {
    const dpo = await t.login("dpo@acme.test");
    const before = (await t.gql(LIST, {}, { token: dpo })).data!.legalHolds.totalCount;
    const short = await t.gql(PLACE, { input: { contactId: ines, reason: "no" } }, { token: dpo });
    expect(short.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field: "reason" } });
    const unknown = await t.gql(PLACE, { input: { contactId: "00000000-0000-4000-8000-000000000000", reason: "Litigation hold" } }, { token: dpo });
    expect(unknown.errors?.[0].extensions.code).toBe("NOT_FOUND");
    const badFilter = await t.gql(LIST, { filter: { contactId: "nope" } }, { token: dpo });
    expect(badFilter.errors?.[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await t.gql(LIST, {}, { token: dpo })).data!.legalHolds.totalCount).toBe(before);
  });
});

describe("tenancy", () => {
  it("a workspace can neither hold nor see another's contacts and holds", async () => {
    const dpo = await t.login("dpo@acme.test");
    const acrossTenants = await t.gql(PLACE, { input: { contactId: homer, reason: "Holding someone else's contact" } }, { token: dpo });
    expect(acrossTenants.errors?.[0].extensions.code).toBe("NOT_FOUND");
    const placed = await t.gql(PLACE, { input: { contactId: lea, reason: "Acme's own litigation" } }, { token: dpo });
    const id = placed.data!.placeLegalHold.id;
    const globex = await t.login("owner@globex.test");
    const list = await t.gql(LIST, {}, { token: globex, purpose: "legal_compliance" });
    expect(list.data!.legalHolds.nodes.map((h: { id: string }) => h.id)).not.toContain(id);
    const release = await t.gql(RELEASE, { id, reason: "Releasing Acme's hold" }, { token: globex, purpose: "legal_compliance" });
    expect(release.errors?.[0].extensions.code).toBe("NOT_FOUND");
    await t.gql(RELEASE, { id, reason: "Test cleanup" }, { token: dpo });
  });
});

describe("a hold keeps what it holds", () => {
  it("a held contact cannot be deleted, with its interactions, until the hold is released", async () => {
    const dpo = await t.login("dpo@acme.test");
    const owner = await t.login("owner@acme.test");
    const created = await t.gql(`mutation { createContact(input: { firstName: "Held", lastName: "Person" }) { id } }`, {}, { token: owner });
    const id = created.data!.createContact.id;
    const note = await t.gql(
      `mutation($c: ID!) { createInteraction(input: { contactId: $c, kind: NOTE, subject: "Call notes" }) { id } }`,
      { c: id },
      { token: owner },
    );
    const hold = await t.gql(PLACE, { input: { contactId: id, reason: "Evidence in a dispute" } }, { token: dpo });
    const refused = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id }, { token: owner });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "legal_hold" });
    expect(refused.errors?.[0].message).not.toContain("Evidence");
    const noteRefused = await t.gql(`mutation($id: ID!) { deleteInteraction(id: $id) }`, { id: note.data!.createInteraction.id }, { token: owner });
    expect(noteRefused.errors?.[0].extensions.rule).toBe("legal_hold");
    await t.gql(RELEASE, { id: hold.data!.placeLegalHold.id, reason: "Dispute resolved" }, { token: dpo });
    const deleted = await t.gql(`mutation($id: ID!) { deleteContact(id: $id) }`, { id }, { token: owner });
    expect(deleted.data?.deleteContact).toBe(true);
  });

  it("a workspace hold keeps every record of the workspace, and only that workspace", async () => {
    const owner = await t.login("owner@acme.test");
    const company = await t.gql(`mutation { createCompany(input: { name: "Held Corp" }) { id } }`, {}, { token: owner });
    const hold = await t.gql(PLACE, { input: { reason: "Authority investigation" } }, { token: owner, purpose: "legal_compliance" });
    const refused = await t.gql(`mutation($id: ID!) { deleteCompany(id: $id) }`, { id: company.data!.createCompany.id }, { token: owner });
    expect(refused.errors?.[0].extensions.rule).toBe("legal_hold");
    const globex = await t.login("owner@globex.test");
    const other = await t.gql(`mutation { createCompany(input: { name: "Free Corp" }) { id } }`, {}, { token: globex });
    const freed = await t.gql(`mutation($id: ID!) { deleteCompany(id: $id) }`, { id: other.data!.createCompany.id }, { token: globex });
    expect(freed.data?.deleteCompany).toBe(true);
    await t.gql(RELEASE, { id: hold.data!.placeLegalHold.id, reason: "Investigation closed" }, { token: owner, purpose: "legal_compliance" });
    const deleted = await t.gql(`mutation($id: ID!) { deleteCompany(id: $id) }`, { id: company.data!.createCompany.id }, { token: owner });
    expect(deleted.data?.deleteCompany).toBe(true);
  });
});
