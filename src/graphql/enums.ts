import { registerEnumType } from "type-graphql";

/**
 * A GraphQL enum over a closed set of lower snake_case values that the code declares (a TS
 * union, a `const` list): the wire shows `LEGAL_OBLIGATION`, resolvers and services keep
 * `legal_obligation`. `values` is keyed by the union, so a value added to the set without a
 * description here fails the typecheck; `names` overrides a wire name (`n/a` -> NOT_APPLICABLE).
 */
export function closedSetEnum<V extends string>(
  name: string,
  description: string,
  values: Record<V, string>,
  names: Partial<Record<V, string>> = {},
): Record<string, V> {
  const wire = (value: V) => names[value] ?? value.toUpperCase();
  const entries = Object.keys(values) as V[];
  const enumObject = Object.fromEntries(entries.map((value) => [wire(value), value])) as Record<string, V>;
  registerEnumType(enumObject, {
    name,
    description,
    valuesConfig: Object.fromEntries(entries.map((value) => [wire(value), { description: values[value] }])),
  });
  return enumObject;
}
