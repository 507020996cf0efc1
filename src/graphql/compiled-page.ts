import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isEnumType,
  isLeafType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { decide } from "../authz/ability.js";
import { nestedJson, type JsonLeaf, type JsonMany, type JsonOne } from "../modules/common/entity-store.js";
import { firstDenial, whereCan } from "../modules/common/access.js";
import { MAX_NESTED, NESTED_PAGE_SIZE, pageRequest, pageSize, type PageResult } from "../modules/common/paging.js";
import { contactService } from "../modules/contacts/contact.service.js";
import type { ContactRow } from "../modules/contacts/contact.type.js";
import type { SubjectName } from "../modules/registry.js";
import type { AppContext } from "./context.js";
import { crossDecision, readableFields, whoOf, wholeRowFields } from "./guard.js";

/**
 * The compiled page: `contacts(...)` with plain fields, `company`, `deals` and `interactions`
 * answered without running a resolver per field, in ONE statement: the page comes from the
 * same service as the resolver's (contactService.list: the policy filter, keyset, cursors), and
 * that select also reads, beside each row, the row's nested rows as JSON built by PostgreSQL
 * under each subject's compiled policy filter (nestedJson), and the capped count. A request is
 * served here only when the resolvers could not answer differently:
 * - the operation is exactly one `contacts` field of a query, with no fragment, no directive,
 *   no filter or orderBy, and only the fields listed below (anything else: the resolvers);
 * - the caller may act (no refused token or purpose) and the root guard allows read Contact;
 * - no read rule of Contact, Company, Deal or Interaction lists fields for this ability, and
 *   every selected field is a policy field of its subject (so a row's field mask is the row
 *   itself: a row the filter returned shows every field, and none is masked); the guards of
 *   `deals` and `interactions` (read Deal, read Interaction) allow; each contact row's mask
 *   (readableFields, as the guard computes it) holds every selected field.
 * Otherwise, or on any error (bad cursor, page size out of range), it answers nothing and the
 * resolvers run as always, with their errors. test/integration/compiled-page.test.ts compares
 * both paths' answers for every role and purpose; `Server-Timing` says `plan;desc="compiled"`.
 */

/** The plain (column) fields each type may show on this path, by GraphQL name (= policy field). */
export const COMPILED_LEAVES: Readonly<Record<SubjectName & ("Contact" | "Company" | "Deal" | "Interaction"), ReadonlySet<string>>> = {
  Contact: new Set(["id", "firstName", "lastName", "email", "phone", "position", "processingRestricted", "createdAt", "updatedAt"]),
  Company: new Set(["id", "name", "domain", "industry", "createdAt", "updatedAt"]),
  Deal: new Set(["id", "title", "stage", "amount", "currency", "closedAt", "createdAt", "updatedAt"]),
  Interaction: new Set(["id", "kind", "purpose", "subject", "body", "occurredAt", "createdAt", "updatedAt"]),
};

/** Contact's relations on this path: the subject, and how its rows are found and ordered (as the loaders). */
const RELATIONS = {
  company: { subject: "Company", kind: "one", ref: "companyId" },
  deals: { subject: "Deal", kind: "many", parent: "contactId", order: "createdAt" },
  interactions: { subject: "Interaction", kind: "many", parent: "contactId", order: "occurredAt" },
} as const;
type RelationName = keyof typeof RELATIONS;

const PAGE_ARGS = new Set(["first", "after", "last", "before"]);
const PAGE_INFO = new Set(["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]);

type NodeEntry =
  | { key: string; kind: "leaf"; field: string; type: GraphQLLeafType }
  | { key: string; kind: "typename"; name: string }
  | { key: string; kind: "relation"; index: number };

interface RelationPlan {
  name: RelationName;
  node: FieldNode;
  def: GraphQLField<unknown, unknown>;
  leaves: Array<{ key: string; field: string } | { key: string; typename: string }>;
  types: Map<string, GraphQLLeafType>;
  /** Fields of a non-null GraphQL type: a null there is an error in the resolvers' answer. */
  required: Set<string>;
}

interface NodePlan {
  entries: NodeEntry[];
  fields: Set<string>;
  relations: RelationPlan[];
}

type ConnectionEntry =
  | { key: string; kind: "totalCount" | "totalCountCapped" | "typename" }
  | { key: string; kind: "nodes" }
  | { key: string; kind: "pageInfo"; entries: Array<{ key: string; field: string }> }
  | { key: string; kind: "edges"; entries: Array<{ key: string; kind: "cursor" | "node" | "typename" }> };

interface PagePlan {
  key: string;
  node: FieldNode;
  def: GraphQLField<unknown, unknown>;
  entries: ConnectionEntry[];
  contact: NodePlan;
}

class Unsupported extends Error {}
const unsupported = (why: string): never => {
  throw new Unsupported(why);
};

/** The fields of a selection, each once by response key; fragments and directives are not for this path. */
function fieldsOf(selection: SelectionSetNode | undefined): FieldNode[] {
  if (!selection) return unsupported("no selection");
  const seen = new Set<string>();
  return selection.selections.map((node) => {
    if (node.kind !== Kind.FIELD) return unsupported("fragment");
    if (node.directives?.length) return unsupported("directive");
    const key = node.alias?.value ?? node.name.value;
    // `out[key] = value` with this key sets the prototype instead of a key: graphql-js writes
    // the key (its results have no prototype), so such a query is the resolvers'.
    if (key === "__proto__") unsupported("__proto__ as a response key");
    if (seen.has(key)) unsupported("a response key twice");
    seen.add(key);
    return node;
  });
}

const keyOf = (node: FieldNode) => node.alias?.value ?? node.name.value;

function fieldDef(type: GraphQLObjectType, node: FieldNode): GraphQLField<unknown, unknown> {
  return type.getFields()[node.name.value] ?? unsupported(`no field ${node.name.value}`);
}

function argumentsWithin(node: FieldNode, allowed: ReadonlySet<string>): void {
  for (const arg of node.arguments ?? []) if (!allowed.has(arg.name.value)) unsupported(`argument ${arg.name.value}`);
}

function objectType(schema: GraphQLSchema, name: string): GraphQLObjectType {
  const type = schema.getType(name);
  return isObjectType(type) ? type : unsupported(`no type ${name}`);
}

function leafType(def: GraphQLField<unknown, unknown>): GraphQLLeafType {
  const type = getNamedType(def.type);
  return isLeafType(type) ? type : unsupported(`${def.name} is not a leaf`);
}

function relationPlan(schema: GraphQLSchema, name: RelationName, node: FieldNode, def: GraphQLField<unknown, unknown>): RelationPlan {
  const spec = RELATIONS[name];
  argumentsWithin(node, spec.kind === "many" ? new Set(["first"]) : new Set());
  const type = objectType(schema, spec.subject);
  const types = new Map<string, GraphQLLeafType>();
  const required = new Set<string>();
  const leaves = fieldsOf(node.selectionSet).map((child) => {
    if (child.name.value === "__typename") return { key: keyOf(child), typename: spec.subject };
    if (!COMPILED_LEAVES[spec.subject].has(child.name.value) || child.arguments?.length || child.selectionSet)
      unsupported(`${spec.subject}.${child.name.value}`);
    const childDef = fieldDef(type, child);
    types.set(child.name.value, leafType(childDef));
    if (isNonNullType(childDef.type)) required.add(child.name.value);
    return { key: keyOf(child), field: child.name.value };
  });
  return { name, node, def, leaves, types, required };
}

function contactPlan(schema: GraphQLSchema, selection: SelectionSetNode | undefined): NodePlan {
  const type = objectType(schema, "Contact");
  const plan: NodePlan = { entries: [], fields: new Set(), relations: [] };
  for (const node of fieldsOf(selection)) {
    const name = node.name.value;
    const key = keyOf(node);
    if (name === "__typename") {
      plan.entries.push({ key, kind: "typename", name: "Contact" });
    } else if (COMPILED_LEAVES.Contact.has(name) && !node.arguments?.length && !node.selectionSet) {
      plan.entries.push({ key, kind: "leaf", field: name, type: leafType(fieldDef(type, node)) });
      plan.fields.add(name);
    } else if (name in RELATIONS) {
      plan.entries.push({ key, kind: "relation", index: plan.relations.length });
      plan.relations.push(relationPlan(schema, name as RelationName, node, fieldDef(type, node)));
      plan.fields.add(name);
    } else {
      unsupported(`Contact.${name}`);
    }
  }
  return plan;
}

function pagePlan(schema: GraphQLSchema, operation: OperationDefinitionNode): PagePlan {
  if (operation.operation !== "query" || operation.directives?.length) unsupported("not a plain query");
  const [root, ...others] = fieldsOf(operation.selectionSet);
  if (others.length > 0 || root.name.value !== "contacts") unsupported("not contacts alone");
  argumentsWithin(root, PAGE_ARGS);
  const def = fieldDef(schema.getQueryType() ?? unsupported("no Query"), root);
  let contact: NodePlan | undefined;
  const nodeOnce = (selection: SelectionSetNode | undefined) => {
    if (contact) unsupported("nodes and edges both");
    contact = contactPlan(schema, selection);
  };
  const entries = fieldsOf(root.selectionSet).map((node): ConnectionEntry => {
    const key = keyOf(node);
    const name = node.name.value;
    if (node.arguments?.length) unsupported(`arguments on ${name}`);
    switch (name) {
      case "__typename":
        return { key, kind: "typename" };
      case "totalCount":
      case "totalCountCapped":
        return { key, kind: name };
      case "nodes":
        nodeOnce(node.selectionSet);
        return { key, kind: "nodes" };
      case "pageInfo":
        return {
          key,
          kind: "pageInfo",
          entries: fieldsOf(node.selectionSet).map((child) =>
            PAGE_INFO.has(child.name.value) && !child.arguments?.length
              ? { key: keyOf(child), field: child.name.value }
              : unsupported(`PageInfo.${child.name.value}`),
          ),
        };
      case "edges":
        return {
          key,
          kind: "edges",
          entries: fieldsOf(node.selectionSet).map((child) => {
            const field = child.name.value;
            if (child.arguments?.length) unsupported("edge arguments");
            if (field === "node") nodeOnce(child.selectionSet);
            else if (field !== "cursor" && field !== "__typename") unsupported(`ContactEdge.${field}`);
            return { key: keyOf(child), kind: field === "__typename" ? "typename" : (field as "cursor" | "node") };
          }),
        };
      default:
        return unsupported(`ContactConnection.${name}`);
    }
  });
  return { key: keyOf(root), node: root, def, entries, contact: contact ?? { entries: [], fields: new Set(), relations: [] } };
}

// Plans per parsed operation: Apollo keeps one document per query text, so a plan is made once.
const plans = new WeakMap<OperationDefinitionNode, PagePlan | null>();

export function planOf(schema: GraphQLSchema, operation: OperationDefinitionNode): PagePlan | null {
  let plan = plans.get(operation);
  if (plan === undefined) {
    try {
      plan = pagePlan(schema, operation);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      plan = null;
    }
    plans.set(operation, plan);
  }
  return plan;
}

/** Every field is readable on every row the subject's filter returns (no rule lists fields). */
function wholeRows(ctx: AppContext, subject: SubjectName, fields: Iterable<string>): boolean {
  if (ctx.registry.get(subject).public) return false;
  const whole = wholeRowFields(ctx.registry, ctx.ability, subject);
  if (!whole) return false;
  for (const field of fields) if (!whole.has(field)) return false;
  return true;
}

// Stored value -> GraphQL name, per enum type, made once.
const enumMaps = new WeakMap<GraphQLEnumType, ReadonlyMap<string, string>>();
function enumMap(type: GraphQLEnumType): ReadonlyMap<string, string> {
  let map = enumMaps.get(type);
  if (!map) enumMaps.set(type, (map = new Map(type.getValues().map((v) => [String(v.value), v.name]))));
  return map;
}

function jsonLeaves(ctx: AppContext, relation: RelationPlan): JsonLeaf[] {
  const subject = ctx.registry.get(RELATIONS[relation.name].subject);
  return relation.leaves.map((leaf): JsonLeaf => {
    if ("typename" in leaf) return { key: leaf.key, kind: "literal", value: leaf.typename };
    const column = subject.selected[leaf.field] ?? unsupported(`${subject.name}.${leaf.field} is not a column`);
    const type = relation.types.get(leaf.field)!;
    if (isEnumType(type)) return { key: leaf.key, kind: "enum", column, names: enumMap(type) };
    switch (type.name) {
      case "ID":
      case "String":
      case "Boolean":
        return { key: leaf.key, kind: "text", column };
      case "Float":
        return { key: leaf.key, kind: "float", column };
      case "DateTime":
        return { key: leaf.key, kind: "timestamp", column };
      default:
        return unsupported(`${type.name} in JSON`);
    }
  });
}

function relationQuery(ctx: AppContext, relation: RelationPlan, variables: Record<string, unknown>): JsonOne | JsonMany {
  const spec = RELATIONS[relation.name];
  const subject = ctx.registry.get(spec.subject);
  const leaves = jsonLeaves(ctx, relation);
  const where = whereCan(ctx, "read", spec.subject);
  if (spec.kind === "one") return { kind: "one", subject, ref: ctx.registry.get("Contact").columns[spec.ref], leaves, where };
  const { first } = getArgumentValues(relation.def, relation.node, variables) as { first?: number | null };
  return {
    kind: "many",
    subject,
    parent: subject.columns[spec.parent],
    order: subject.columns[spec.order],
    limit: pageSize(first, MAX_NESTED, NESTED_PAGE_SIZE),
    leaves,
    where,
  };
}

// The GraphQL names of an enum, as a set (the map is built once per plan and ability).
const enumNames = new WeakMap<ReadonlyMap<string, string>, ReadonlySet<string>>();
function namesOf(names: ReadonlyMap<string, string>): ReadonlySet<string> {
  let set = enumNames.get(names);
  if (!set) enumNames.set(names, (set = new Set(names.values())));
  return set;
}

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Whether every value PostgreSQL wrote is what the resolvers' serialize would have written
 * without an error: a stored value the GraphQL type cannot show (a NaN amount, an instant
 * outside years 1000-9999, a value not in the enum, a null in a non-null field) makes the
 * resolvers answer with an error, so such a page is theirs to answer.
 */
function wellFormed(relation: RelationPlan, leaves: readonly JsonLeaf[], value: unknown): boolean {
  const rows = RELATIONS[relation.name].kind === "many" ? value : value === null ? [] : [value];
  if (!Array.isArray(rows)) return false;
  for (const row of rows) {
    if (row === null || typeof row !== "object") return false;
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i];
      const planned = relation.leaves[i];
      if (leaf.kind === "literal" || !("field" in planned)) continue;
      const v = (row as Record<string, unknown>)[leaf.key];
      if (v === null || v === undefined) {
        if (relation.required.has(planned.field)) return false;
        continue;
      }
      const type = relation.types.get(planned.field)!;
      const ok =
        leaf.kind === "float"
          ? typeof v === "number" && Number.isFinite(v)
          : leaf.kind === "timestamp"
            ? typeof v === "string" && ISO_INSTANT.test(v)
            : leaf.kind === "enum"
              ? typeof v === "string" && namesOf(leaf.names).has(v)
              : type.name === "Boolean"
                ? typeof v === "boolean"
                : typeof v === "string";
      if (!ok) return false;
    }
  }
  return true;
}

/** The data of the answer, or null: the resolvers answer instead. */
async function serve(ctx: AppContext, plan: PagePlan, variables: Record<string, unknown>): Promise<Record<string, unknown> | null> {
  if (ctx.request.failure || ctx.request.invalid || !ctx.principal) return null;
  if (!decide(ctx.ability, "read", "Contact", undefined, undefined, whoOf(ctx)).allowed) return null;
  const { contact } = plan;
  if (!wholeRows(ctx, "Contact", contact.fields)) return null;
  for (const relation of contact.relations) {
    const spec = RELATIONS[relation.name];
    if (!wholeRows(ctx, spec.subject, relation.types.keys())) return null;
    if (spec.kind === "many" && !crossDecision(ctx, "read", spec.subject).allowed) return null;
  }
  // contactService.list refuses (and logs) a sort on a field the caller may not read: decided
  // here first, without a log line, so that the resolvers' answer is the only one logged.
  if (firstDenial(ctx, "read", "Contact", undefined, ["createdAt"])) return null;
  const registry = ctx.registry;
  const queries = contact.relations.map((relation) => relationQuery(ctx, relation, variables));
  const json = queries.length > 0 ? nestedJson(registry.get("Contact"), queries) : undefined;
  const counted = plan.entries.some((e) => e.kind === "totalCount" || e.kind === "totalCountCapped");
  // One statement: the page, each row's nested rows as JSON, and the count.
  const page: PageResult<ContactRow> = await contactService.list(ctx, pageRequest(getArgumentValues(plan.def, plan.node, variables)), undefined, undefined, {
    json,
    count: counted,
  });
  for (const row of page.rows) {
    const mask = readableFields(ctx.fieldMasks, registry, ctx.ability, "Contact", row);
    for (const field of contact.fields) if (!mask.has(field)) return null;
  }
  const total = counted ? await page.count() : undefined;
  const nested = (json ? page.beside : undefined) ?? [];
  for (const [i, relation] of contact.relations.entries()) {
    const { leaves } = queries[i];
    for (const values of nested) if (!wellFormed(relation, leaves, (values as unknown[])[i])) return null;
  }
  const nodes = page.rows.map((row, i) => {
    const out: Record<string, unknown> = {};
    for (const entry of contact.entries) {
      if (entry.kind === "typename") out[entry.key] = entry.name;
      else if (entry.kind === "relation") out[entry.key] = (nested[i] as unknown[])[entry.index];
      else {
        const value = row[entry.field as keyof ContactRow];
        out[entry.key] = value === null || value === undefined ? null : entry.type.serialize(value);
      }
    }
    return out;
  });
  const connection: Record<string, unknown> = {};
  for (const entry of plan.entries) {
    switch (entry.kind) {
      case "typename":
        connection[entry.key] = "ContactConnection";
        break;
      case "totalCount":
        connection[entry.key] = total!.total;
        break;
      case "totalCountCapped":
        connection[entry.key] = total!.capped;
        break;
      case "nodes":
        connection[entry.key] = nodes;
        break;
      case "pageInfo": {
        const rows = page.rows;
        const info = {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: rows.length > 0 ? page.cursorOf(rows[0]) : null,
          endCursor: rows.length > 0 ? page.cursorOf(rows[rows.length - 1]) : null,
        };
        connection[entry.key] = Object.fromEntries(entry.entries.map((e) => [e.key, info[e.field as keyof typeof info]]));
        break;
      }
      case "edges":
        connection[entry.key] = page.rows.map((row, i) =>
          Object.fromEntries(entry.entries.map((e) => [e.key, e.kind === "typename" ? "ContactEdge" : e.kind === "cursor" ? page.cursorOf(row) : nodes[i]])),
        );
        break;
    }
  }
  return { [plan.key]: connection };
}

/**
 * Answers the operations the compiled page supports (see above) before graphql-js would run
 * them; any other operation, or any doubt, goes to the resolvers.
 */
export const compiledPagePlugin: ApolloServerPlugin<AppContext> = {
  async requestDidStart() {
    return {
      async responseForOperation({ operation, contextValue: ctx, schema, request }) {
        if (!operation) return null;
        const plan = planOf(schema, operation);
        if (!plan) return null;
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
        if (coerced.errors) return null;
        let data: Record<string, unknown> | null;
        try {
          data = await serve(ctx, plan, coerced.coerced);
        } catch {
          data = null;
        }
        if (!data) return null;
        ctx.metrics.plan = "compiled";
        return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: "single", singleResult: { data } } };
      },
    };
  },
};
