import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";
import { DEFAULT_PAGE_SIZE, MAX_NESTED, MAX_PAGE_SIZE, NESTED_PAGE_SIZE } from "../modules/common/paging.js";
import { ErrorCode } from "./errors.js";

/**
 * Objects one operation may ask for, as its page sizes multiply along each path. Armor's cost
 * limit multiplies only by a literal `first`/`last`: a page size left to its default (20 nested,
 * 50 top-level) or given in a variable was free, so
 * `contacts(first: 200) { nodes { company { contacts { company { contacts ... } } } } }` asked for
 * millions of objects in forty tokens, and the server built them all.
 */
export const MAX_QUERY_OBJECTS = 50_000;
/** Selections visited at most (fragments spread many times are walked once per spread). */
const MAX_STEPS = 100_000;

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

interface Walk {
  schema: GraphQLSchema;
  fragments: Fragments;
  variables: Readonly<Record<string, unknown>>;
  objects: number;
  steps: number;
}

function tooComplex(why: string): GraphQLError {
  return new GraphQLError(`Query too complex: ${why}. Ask for smaller pages or fewer nested lists.`, {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, http: { status: 400 } },
  });
}

function intOf(value: ValueNode | undefined, walk: Walk): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = walk.variables[value.name.value];
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

/** The page size a field asks for: its `first` or `last`, else its default; 1 for a field without paging. */
function pageSizeOf(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[],
  topLevel: boolean,
  walk: Walk,
): number {
  const paging = field.args.filter((a) => a.name === "first" || a.name === "last");
  if (paging.length === 0) return 1;
  const max = topLevel ? MAX_PAGE_SIZE : MAX_NESTED;
  const given = paging.map((a) => intOf(args.find((n) => n.name.value === a.name)?.value, walk)).find((v) => v !== undefined);
  const fallback = paging.map((a) => a.defaultValue).find((v): v is number => typeof v === "number");
  // Sizes past the maximum are the resolver's BAD_USER_INPUT, not a complexity question.
  const size = given ?? fallback ?? (topLevel ? DEFAULT_PAGE_SIZE : NESTED_PAGE_SIZE);
  return Math.max(0, Math.min(size, max));
}

function visit(set: SelectionSetNode, parent: GraphQLCompositeType, times: number, walk: Walk, topLevel: boolean): void {
  if (times === 0) return;
  for (const selection of set.selections) {
    if (++walk.steps > MAX_STEPS) throw tooComplex("too many selections once fragments are spread");
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      if (type && isCompositeType(type)) visit(selection.selectionSet, type, times, walk, topLevel);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments.get(selection.name.value);
      const type = fragment && walk.schema.getType(fragment.typeCondition.name.value);
      if (fragment && type && isCompositeType(type)) visit(fragment.selectionSet, type, times, walk, topLevel);
      continue;
    }
    if (!selection.selectionSet || !(isObjectType(parent) || isInterfaceType(parent))) continue;
    const field = parent.getFields()[selection.name.value];
    if (!field) continue;
    const type = getNamedType(field.type);
    if (!isCompositeType(type)) continue;
    const each = times * pageSizeOf(field, selection.arguments ?? [], topLevel, walk);
    walk.objects += isListType(getNullableType(field.type)) ? each : times;
    if (walk.objects > MAX_QUERY_OBJECTS) throw tooComplex(`its page sizes multiply to more than ${MAX_QUERY_OBJECTS} objects`);
    visit(selection.selectionSet, type, each, walk, false);
  }
}

/**
 * Refuses an operation whose nested page sizes multiply past MAX_QUERY_OBJECTS (every alias
 * and fragment spread counted), before it runs. Lists without paging count as one object.
 */
export function checkFanOut(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Fragments,
  variables: Record<string, unknown> | undefined,
): void {
  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (!root) return;
  // A variable the request leaves out takes its declared default (`query($n: Int = 100)`).
  const declared: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const value = definition.defaultValue;
    if (value?.kind === Kind.INT) declared[definition.variable.name.value] = Number(value.value);
  }
  visit(operation.selectionSet, root, 1, { schema, fragments, variables: { ...declared, ...variables }, objects: 0, steps: 0 }, true);
}

/** The document's fragments by name. */
export function fragmentsOf(document: DocumentNode): Fragments {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}
