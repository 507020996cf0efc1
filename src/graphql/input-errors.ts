import {
  coerceInputValue,
  isInputType,
  Kind,
  typeFromAST,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLError,
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
  coerceInputValue(variables?.[name], type, (path, _value, error) => {
    first ??= { field: [name, ...path].join("."), message: error.message };
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
export function nameInputErrors(errors: readonly GraphQLError[], schema: GraphQLSchema, document: DocumentNode | undefined, variables: Record<string, unknown> | undefined): void {
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
