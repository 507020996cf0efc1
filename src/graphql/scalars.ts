import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";

// graphql-scalars validate these at the edge: a bad email or date is BAD_USER_INPUT before
// any resolver runs.
export { DateTimeResolver as DateTime, EmailAddressResolver as EmailAddress } from "graphql-scalars";

/** E.164: "+", a country code that does not start with 0, 15 digits at most in all. */
const E164 = /^\+[1-9]\d{1,14}$/;
const E164_RULE = "Phone number must be in E.164 form: + then the country code and number, 15 digits at most, no spaces (e.g. +33612345678)";

function e164(value: unknown, nodes?: ValueNode): string {
  // The length check first: a long string is refused without running any pattern over it.
  if (typeof value === "string" && value.length <= 16 && E164.test(value)) return value;
  throw new GraphQLError(`${E164_RULE}.`, nodes ? { nodes } : undefined);
}

/**
 * graphql-scalars' PhoneNumber accepts local forms ("0612", spaces, parentheses) despite its
 * E.164 description, and its pattern backtracks badly on long input; this one holds what the
 * schema promises, on input and on output.
 */
export const PhoneNumber = new GraphQLScalarType<string, string>({
  name: "PhoneNumber",
  description: "A phone number in E.164 form: + then the country code and number, 15 digits at most, no spaces or punctuation (e.g. +33612345678).",
  specifiedByURL: "https://www.itu.int/rec/T-REC-E.164",
  serialize: (value) => e164(value),
  parseValue: (value) => e164(value),
  parseLiteral: (ast) => e164(ast.kind === Kind.STRING ? ast.value : undefined, ast),
});
