// The subject registry is the one vocabulary of subjects: a GraphQL type guarded by a subject
// must have exactly the registry's fields (same names, same non-null fields), and every name a
// policy file uses must be one the API has. Adding a field to a type without declaring it in
// its `<feature>.subject.ts` fails here.
import { getNullableType, isNonNullType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPolicies } from "../../src/authz/policy-loader.js";
import { guardOf } from "../../src/graphql/guard.js";
import { buildSchema } from "../../src/graphql/schema.js";
import { registry } from "../../src/modules/registry.js";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildSchema();
});

/** The object type whose type-level guard names each subject (Contact -> type Contact). */
function typesBySubject(): Map<string, GraphQLObjectType> {
  const found = new Map<string, GraphQLObjectType>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const guard = guardOf(type.extensions);
    if (guard?.kind === "ability" && guard.action === "read") found.set(guard.subject, type);
  }
  return found;
}

describe("subject registry", () => {
  it("has a GraphQL type for every subject, and a subject for every guarded type", () => {
    expect([...typesBySubject().keys()].sort()).toEqual([...registry.names].sort());
  });

  it("lists exactly the fields of each subject's GraphQL type", () => {
    for (const [name, type] of typesBySubject()) {
      expect(Object.keys(type.getFields()).sort(), name).toEqual([...registry.get(name).fieldNames].sort());
    }
  });

  it("lets each view of a policy field (a connection beside its list) be decided by that field", () => {
    for (const [name, type] of typesBySubject()) {
      const subject = registry.get(name);
      for (const field of subject.fieldNames.filter((f) => !subject.policyFields.includes(f))) {
        const guard = guardOf(type.getFields()[field].extensions);
        expect(guard?.kind === "ability" ? guard.field : undefined, `${name}.${field}`).toBe(subject.fields[field].as);
      }
    }
  });

  it("marks as required exactly the non-null fields", () => {
    for (const [name, type] of typesBySubject()) {
      const nonNull = Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => f.name);
      expect(nonNull.sort(), name).toEqual([...registry.get(name).requiredFields].sort());
    }
  });

  it("declares sortable fields that the type shows", () => {
    for (const name of registry.names) {
      const subject = registry.get(name);
      for (const field of Object.values(subject.sortable ?? {})) expect(subject.fieldNames, `${name} sorts by ${field}`).toContain(field);
    }
  });

  it("never marks personal data non-null (a field that cannot be null cannot be masked)", () => {
    for (const [name, type] of typesBySubject()) {
      for (const field of Object.keys(registry.get(name).personalFields)) {
        expect(isNonNullType(type.getFields()[field].type), `${name}.${field}`).toBe(false);
        expect(getNullableType(type.getFields()[field].type)).toBeDefined();
      }
    }
  });

  it("lets policies name only subjects and fields the API has", () => {
    const policies = loadPolicies(registry);
    for (const rule of policies.rulesById.values()) {
      if (rule.subject === "all") continue;
      const type = typesBySubject().get(rule.subject);
      expect(type, rule.id).toBeDefined();
      for (const field of rule.fields ?? []) {
        expect(Object.keys(type!.getFields()), `${rule.id}: ${field}`).toContain(field);
        expect(registry.get(rule.subject).policyFields, `${rule.id}: ${field}`).toContain(field);
      }
    }
  });
});

describe("cascades read from the foreign keys", () => {
  // The keys between tenant tables are (workspace_id, x_id) (#12 item 7): the link is x_id, and
  // a delete still checks what it does to the rows that point at it (crud.service.ts).
  it("deleting a contact deletes its interactions and unlinks its deals; deleting a company unlinks contacts and deals", () => {
    const of = (name: string) =>
      registry
        .get(name)
        .dependents.map((d) => `${d.subject}.${d.column.name}:${d.action}`)
        .sort();
    expect(of("Contact")).toEqual(["Deal.contact_id:update", "Interaction.contact_id:delete"]);
    expect(of("Company")).toEqual(["Contact.company_id:update", "Deal.company_id:update"]);
    expect(of("Deal")).toEqual(["Interaction.deal_id:update"]);
  });
});
