import {
  coerceInputValue,
  getNullableType,
  isInputObjectType,
  isInputType,
  isListType,
  isRequiredInputField,
  Kind,
  typeFromAST,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from "graphql";

/** The input a BAD_USER_INPUT error is about (`input.email`) and what is wrong with it. */
export interface NamedInput {
  field: string;
  message: string;
}

// Filled while Apollo reports a request's errors, read when it formats them: the same objects.
const names = new WeakMap<GraphQLError, NamedInput>();

export function namedInput(error: unknown): NamedInput | undefined {
  return typeof error === "object" && error !== null ? names.get(error as GraphQLError) : undefined;
}

const VALUE_KINDS = new Set<string>([Kind.STRING, Kind.INT, Kind.FLOAT, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT, Kind.OBJECT_FIELD]);

/** The type found at `path` inside a value of `type` (list indexes and input fields). */
function typeAt(type: GraphQLInputType, path: ReadonlyArray<string | number>): GraphQLInputType | undefined {
  let current: GraphQLInputType | undefined = type;
  for (const key of path) {
    const nullable: GraphQLInputType | undefined = current && getNullableType(current);
    if (isListType(nullable)) current = nullable.ofType as GraphQLInputType;
    else if (isInputObjectType(nullable) && typeof key === "string") current = nullable.getFields()[key]?.type;
    else return undefined;
  }
  return current;
}

/**
 * At an input object, graphql-js reports a missing or unknown field at the object's path and
 * names the field only in its message; find that field in the value (the same order of checks).
 */
function fieldInside(type: GraphQLInputType | undefined, value: unknown): string | undefined {
  const nullable = type && getNullableType(type);
  if (!isInputObjectType(nullable) || typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const fields = nullable.getFields();
  const given = value as Record<string, unknown>;
  const missing = Object.values(fields).find((field) => isRequiredInputField(field) && given[field.name] === undefined);
  return missing?.name ?? Object.keys(given).find((key) => !(key in fields));
}

/**
 * graphql-js reports a bad variable as `Variable "$input" got invalid value ... at "input.email"`
 * with no structured path; coercing the value again with a callback gives the path of the
 * first problem and the scalar's own message, in one pass over the value.
 */
function nameVariable(definition: VariableDefinitionNode, schema: GraphQLSchema, variables: Record<string, unknown> | undefined): NamedInput | undefined {
  const name = definition.variable.name.value;
  const type = typeFromAST(schema, definition.type);
  if (!type || !isInputType(type)) return undefined;
  let first: NamedInput | undefined;
  coerceInputValue(variables?.[name], type, (path, value, error) => {
    if (first) return;
    const inside = fieldInside(typeAt(type, path), value);
    first = { field: [name, ...path, ...(inside === undefined ? [] : [inside])].join("."), message: error.message };
  });
  return first;
}

/**
 * A literal that fails its type is reported at its value node; one walk over the document,
 * keeping the stack of argument and input field names, gives each such node its path. Linear
 * in the document, whatever the query text around it (a regex over the text was not).
 */
function nameLiterals(document: DocumentNode, targets: Map<ASTNode, GraphQLError>): void {
  const path: string[] = [];
  const named = (node: ASTNode) => (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD ? node.name.value : undefined);
  visit(document, {
    enter(node) {
      const name = named(node);
      if (name !== undefined) path.push(name);
      const error = targets.get(node);
      if (error && path.length > 0) names.set(error, { field: path.join("."), message: error.message });
    },
    leave(node) {
      if (named(node) !== undefined) path.pop();
    },
  });
}

/** Names the input behind each error that points at a variable or a literal value. */
export function nameInputErrors(
  errors: readonly GraphQLError[],
  schema: GraphQLSchema,
  document: DocumentNode | undefined,
  variables: Record<string, unknown> | undefined,
): void {
  const literals = new Map<ASTNode, GraphQLError>();
  for (const error of errors) {
    const node = error.nodes?.[0];
    if (!node) continue;
    if (node.kind === Kind.VARIABLE_DEFINITION) {
      const found = nameVariable(node, schema, variables);
      if (found) names.set(error, found);
    } else if (VALUE_KINDS.has(node.kind)) {
      literals.set(node, error);
    }
  }
  if (literals.size > 0 && document) nameLiterals(document, literals);
}
