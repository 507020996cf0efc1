// The guard decides a row's field mask with one can() when no read rule of its subject lists
// fields (src/graphql/guard.ts readableFields); otherwise with permittedFieldsOf. Both must give
// the mask permittedFieldsOf gives, for every role and purpose of the shipped policies and rows
// in every privacy state (restricted, erased, objected, consenting, another workspace's).
import { permittedFieldsOf } from "@casl/ability/extra";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildAbility,
  buildPrivacyViewAbility,
  buildRightsAbility,
  buildWrittenViewAbility,
  typed,
  type AppAbility,
  type Principal,
} from "../../src/authz/ability.js";
import { loadPolicies } from "../../src/authz/policy-loader.js";
import { allScopes } from "../../src/authz/scopes.js";
import { readableFields, type FieldMasks } from "../../src/graphql/guard.js";
import { registry } from "../../src/modules/registry.js";

const policies = loadPolicies(registry);
const WS = "22222222-2222-4222-8222-222222222222";
const OTHER_WS = "33333333-3333-4333-8333-333333333333";
const USER = "11111111-1111-4111-8111-111111111111";
const OTHER_ID = "55555555-5555-4555-8555-555555555555";
const person = (over: Record<string, unknown>) => ({ consentedPurposes: [], objectedPurposes: [], processingRestricted: false, erasedAt: null, ...over });
const STATES: Array<Record<string, unknown>> = [
  person({}),
  person({ processingRestricted: true }),
  person({ erasedAt: new Date("2026-01-01T00:00:00Z") }),
  person({ objectedPurposes: ["marketing_email", "service_provision", "customer_support", "sales_pipeline"] }),
  person({ consentedPurposes: ["marketing_email"] }),
];

function rowsOf(subject: string): Array<Record<string, unknown>> {
  const def = registry.get(subject);
  const rows: Array<Record<string, unknown>> = [];
  // The caller's own row (self rules: `me`, its own usage events and consent) and someone else's.
  for (const [workspaceId, id] of [
    [WS, OTHER_ID],
    [OTHER_WS, OTHER_ID],
    [WS, USER],
  ]) {
    for (const state of STATES) {
      const row: Record<string, unknown> = { id, [def.tenant]: workspaceId, ownerId: USER, userId: USER };
      if (def.personPath === "") Object.assign(row, state);
      else if (def.personPath) row[def.personPath.slice(0, -1)] = state;
      rows.push(row);
    }
  }
  return rows;
}

/** Every subject and row: the guard's mask is permittedFieldsOf's; counts which kinds of mask were seen. */
function expectMasks(ability: AppAbility, label: string, seen: { whole: number; partial: number; none: number }): void {
  const masks: FieldMasks = new WeakMap();
  for (const subject of registry.names) {
    const all = registry.get(subject).policyFields;
    for (const row of rowsOf(subject)) {
      const expected = permittedFieldsOf(ability, "read", typed(subject, { ...row }), { fieldsFrom: (rule) => rule.fields ?? [...all] });
      const got = readableFields(masks, registry, ability, subject, { ...row });
      if (got.size === 0) seen.none++;
      else if (got.size === all.length && all.every((f) => got.has(f))) seen.whole++;
      else seen.partial++;
      expect([...got].sort(), `${label} ${subject} ${JSON.stringify(row)}`).toEqual([...new Set(expected)].sort());
    }
  }
}

describe("readableFields", () => {
  // Counts over all roles: the test means something only if both paths ran and masks were
  // whole, partial and empty.
  const seen = { whole: 0, partial: 0, none: 0 };
  afterAll(() => {
    expect(seen.whole).toBeGreaterThan(0);
    expect(seen.partial).toBeGreaterThan(0);
    expect(seen.none).toBeGreaterThan(0);
  });

  for (const role of policies.roles.values()) {
    it(`gives permittedFieldsOf's mask for role ${role.role} under each of its purposes`, () => {
      const principal: Principal = { kind: role.role === "system" ? "system" : "user", userId: USER, workspaceId: WS, role: role.role, email: "", name: "" };
      for (const purpose of role.purposes) expectMasks(buildAbility(policies, principal, purpose), `${role.role}/${purpose}`, seen);
      expectMasks(buildRightsAbility(policies, principal), `${role.role} rights`, seen);
    });
  }

  // A token: its creator's role narrowed by its scopes (deny rules compiled last), with no
  // self rules; each scope alone, all of them, and none.
  const scopeSets = [[], allScopes(registry), ...allScopes(registry).map((s) => [s])];
  for (const role of policies.roles.values()) {
    if (role.role === "system") continue;
    it(`gives permittedFieldsOf's mask for API tokens of role ${role.role}`, () => {
      for (const scopes of scopeSets) {
        const principal: Principal = { kind: "token", tokenId: "t", userId: USER, workspaceId: WS, role: role.role, email: "", name: "", scopes };
        for (const purpose of role.purposes) expectMasks(buildAbility(policies, principal, purpose), `token ${role.role}/${purpose} [${scopes}]`, seen);
      }
    });
  }

  it("gives permittedFieldsOf's mask under the privacy-view and written-view abilities (rules listing fields)", () => {
    const principal: Principal = { kind: "user", userId: USER, workspaceId: WS, role: "owner", email: "", name: "" };
    expectMasks(buildPrivacyViewAbility(registry, principal), "privacy view", seen);
    for (const subject of registry.names) expectMasks(buildWrittenViewAbility(registry, principal, subject), `written view ${subject}`, seen);
  });
});
