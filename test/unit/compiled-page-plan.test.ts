// What the compiled page (src/graphql/compiled-page.ts) takes on and what it leaves to the
// resolvers: planOf decides from the query alone; every field it may serve is a plain column and
// a policy field of its subject, so the field guard's decision for it is the row's own.
import "reflect-metadata";
import { getNamedType, isLeafType, isObjectType, Kind, parse, type OperationDefinitionNode } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { COMPILED_LEAVES, planOf } from "../../src/graphql/compiled-page.js";
import { buildSchema } from "../../src/graphql/schema.js";
import { registry } from "../../src/modules/registry.js";
import type { GraphQLSchema } from "graphql";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildSchema();
});

const operation = (query: string) => parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
const planned = (query: string) => planOf(schema, operation(query)) !== null;

describe("planOf", () => {
  it("takes the pages the screens ask", () => {
    expect(
      planned(`{ contacts(first: 50) { totalCount nodes { id firstName company { id name } deals { id stage amount } interactions { id occurredAt } } } }`),
    ).toBe(true);
    expect(
      planned(
        `query($a: String) { people: contacts(first: 2, after: $a) { pageInfo { endCursor hasNextPage } edges { cursor node { __typename id email } } } }`,
      ),
    ).toBe(true);
    expect(planned(`{ contacts(last: 2, before: "x") { totalCountCapped nodes { id deals(first: 3) { id } } } }`)).toBe(true);
  });

  it.each([
    ["a filter", `{ contacts(filter: { search: "a" }) { nodes { id } } }`],
    ["an order", `{ contacts(orderBy: { field: LAST_NAME, direction: ASC }) { nodes { id } } }`],
    ["a directive", `{ contacts @include(if: true) { nodes { id } } }`],
    ["a directive inside", `{ contacts { nodes { id email @skip(if: false) } } }`],
    ["a fragment", `{ contacts { nodes { ...F } } } fragment F on Contact { id }`],
    ["an inline fragment", `{ contacts { nodes { ... on Contact { id } } } }`],
    ["a second root field", `{ contacts { nodes { id } } me { id } }`],
    ["__typename at the root", `{ __typename contacts { nodes { id } } }`],
    ["a mutation", `mutation { contacts { nodes { id } } }`],
    ["another list", `{ companies { nodes { id } } }`],
    ["a field with its own resolver", `{ contacts { nodes { id consents { purpose } } } }`],
    ["erased (computed)", `{ contacts { nodes { id erased } } }`],
    ["owner (another subject)", `{ contacts { nodes { id owner { id } } } }`],
    ["a nested connection", `{ contacts { nodes { id dealsConnection { totalCount } } } }`],
    ["a deal's contact", `{ contacts { nodes { id deals { id contact { id } } } } }`],
    ["a response key twice", `{ contacts { nodes { id id } } }`],
    ["nodes and edges", `{ contacts { nodes { id } edges { node { id } } } }`],
  ])("leaves %s to the resolvers", (_, query) => {
    expect(planned(query)).toBe(false);
  });

  it("serves only plain columns that are policy fields of their subject, as leaves", () => {
    for (const [subjectName, fields] of Object.entries(COMPILED_LEAVES)) {
      const subject = registry.get(subjectName);
      const type = schema.getType(subjectName);
      expect(isObjectType(type), subjectName).toBe(true);
      if (!isObjectType(type)) continue;
      for (const field of fields) {
        expect(subject.selected[field], `${subjectName}.${field} is a loaded column`).toBeDefined();
        expect(subject.policyFields, `${subjectName}.${field} is a policy field`).toContain(field);
        const def = type.getFields()[field];
        expect(def && isLeafType(getNamedType(def.type)), `${subjectName}.${field} is a leaf`).toBe(true);
        expect(def.args, `${subjectName}.${field} takes no argument`).toEqual([]);
      }
    }
  });
});
