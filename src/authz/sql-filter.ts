import { createMongoAbility } from "@casl/ability";
import { rulesToAST } from "@casl/ability/extra";
import { and, arrayContains, arrayOverlaps, eq, inArray, isNotNull, isNull, not, or, sql, type Column, type SQL } from "drizzle-orm";
import type { AppAbility } from "./ability.js";
import { PERSON_STATE } from "./gates.js";
import type { Registry, Subject } from "./registry.js";

interface Leaf {
  operator: string;
  field: string;
  value: unknown;
}
interface Compound {
  operator: "and" | "or" | "not";
  value: Node[];
}
type Node = Leaf | Compound;

export class UntranslatableCondition extends Error {}

function columnOf(subject: Subject, field: string): { column: Column; nullable: boolean; array: boolean } {
  const spec = subject.conditionFields[field];
  const column = subject.columns[field];
  if (!spec || !column) throw new UntranslatableCondition(`${subject.name}.${field} cannot be used in a condition`);
  return { column, nullable: spec.nullable, array: spec.array === true };
}

/** One comparison, always TRUE or FALSE (never NULL), so NOT means what CASL means. */
function positiveLeaf(subject: Subject, leaf: Leaf): SQL {
  const { column, nullable, array } = columnOf(subject, leaf.field);
  const value = leaf.value;
  const list = Array.isArray(value) ? value : [value];
  if (array) {
    // Array membership compiles to @> (single value) or && (any of), both served by GIN.
    // CASL: `$all: []` holds for every array, `$in: []` for none.
    switch (leaf.operator) {
      case "eq":
      case "all":
        return list.length === 0 ? sql`true` : arrayContains(column, list);
      case "in":
        if (list.length === 0) return sql`false`;
        return list.length === 1 ? arrayContains(column, list) : arrayOverlaps(column, list);
    }
  } else if (leaf.operator === "eq" || leaf.operator === "in") {
    // A flag compares as itself, not with a parameter: the text says which rows, so the
    // planner can match a partial index (`where processing_restricted`) in a generic plan.
    if (!nullable && column.columnType === "PgBoolean" && list.every((v) => typeof v === "boolean")) {
      const wanted = new Set(list as boolean[]);
      if (wanted.size === 2) return sql`true`;
      if (wanted.size === 0) return sql`false`;
      return wanted.has(true) ? sql`${column}` : sql`not ${column}`;
    }
    // CASL matches null with null; SQL `col = NULL` / `col IN (NULL)` never holds.
    const values = list.filter((v) => v !== null);
    const parts: SQL[] = [];
    if (values.length < list.length && nullable) parts.push(isNull(column));
    if (values.length === 1) parts.push(nullable ? and(isNotNull(column), eq(column, values[0]))! : eq(column, values[0]));
    if (values.length > 1) parts.push(nullable ? and(isNotNull(column), inArray(column, values))! : inArray(column, values));
    return parts.length === 0 ? sql`false` : parts.length === 1 ? parts[0] : or(...parts)!;
  }
  throw new UntranslatableCondition(`operator ${leaf.operator} on ${subject.name}.${leaf.field}`);
}

const NEGATIONS: Record<string, string> = { ne: "eq", nin: "in" };

function leafToSql(registry: Registry, subject: Subject, leaf: Leaf): SQL {
  const negated = NEGATIONS[leaf.operator];
  const positive = negated ? { ...leaf, operator: negated } : leaf;
  const [head, tail] = leaf.field.split(".");
  let condition: SQL;
  if (tail !== undefined) {
    // Through the person relation, only the person's privacy state (what rows carry for can()).
    const relation = subject.personPath === `${head}.` ? subject.relations?.[head] : undefined;
    if (!relation || !Object.hasOwn(PERSON_STATE, tail)) throw new UntranslatableCondition(`${subject.name}.${leaf.field} cannot be used in a condition`);
    const related = registry.get(relation.subject);
    // A missing related row behaves as CASL's `undefined`: positive tests are false.
    const inner = positiveLeaf(related, { ...positive, field: tail });
    condition = sql`exists (select 1 from ${related.table} where ${related.columns[related.key]} = ${relation.foreignKey} and ${inner})`;
  } else {
    condition = positiveLeaf(subject, positive);
  }
  return negated ? not(condition) : condition;
}

function nodeToSql(registry: Registry, subject: Subject, node: Node): SQL {
  switch (node.operator) {
    case "and":
      return (node as Compound).value.length === 0 ? sql`true` : and(...(node as Compound).value.map((n) => nodeToSql(registry, subject, n)))!;
    case "or":
      return (node as Compound).value.length === 0 ? sql`false` : or(...(node as Compound).value.map((n) => nodeToSql(registry, subject, n)))!;
    case "not":
      return not(nodeToSql(registry, subject, (node as Compound).value[0]));
    default:
      return leafToSql(registry, subject, node as Leaf);
  }
}

// An ability's rules never change once built (and abilities are cached across requests: see
// cachedAbility), so its WHERE for an action and subject is compiled once.
const compiled = new WeakMap<AppAbility, { registry: Registry; where: Map<string, SQL> }>();

/**
 * The ability as a SQL WHERE for `action` on `subject`: the same compiled rules as `can()`.
 * No rule, or only denials, is `false`: nothing is visible by default.
 */
export function accessibleWhere(registry: Registry, ability: AppAbility, action: string, subject: string): SQL {
  let cached = compiled.get(ability);
  if (cached?.registry !== registry) compiled.set(ability, (cached = { registry, where: new Map() }));
  const key = `${action} ${subject}`;
  let where = cached.where.get(key);
  if (!where) {
    const ast = rulesToAST(ability, action, subject) as Node | null;
    where = ast ? sql`(${nodeToSql(registry, registry.get(subject), ast)})` : sql`false`;
    cached.where.set(key, where);
  }
  return where;
}

/**
 * Rows on which `field` is readable, as SQL: the rules that decide that field, without their
 * field lists. Null when no row could show it. Filters and search on a field go through this,
 * so a masked value cannot be probed by filtering on it.
 */
export function fieldReadableWhere(registry: Registry, ability: AppAbility, action: string, subject: string, field: string): SQL | null {
  // rulesFor lists the highest priority first; CASL gives the later raw rule priority.
  const rules = ability
    .rulesFor(action, subject, field)
    .map((rule) => ({ ...(rule.origin as object), fields: undefined }))
    .reverse();
  const ast = rulesToAST(createMongoAbility<AppAbility>(rules as never), action, subject) as Node | null;
  return ast ? sql`(${nodeToSql(registry, registry.get(subject), ast)})` : null;
}

/**
 * True when `field` can be masked on some of the rows the caller sees: the rules deciding it
 * differ from those deciding the row (a field-level gate with a condition, like a tombstone's,
 * or an allow that lists fields). Otherwise the field is readable wherever the row is.
 */
export function fieldMaskedOnSomeRows(ability: AppAbility, action: string, subject: string, field: string): boolean {
  const rowRules = ability.rulesFor(action, subject);
  const fieldRules = ability.rulesFor(action, subject, field);
  return rowRules.length !== fieldRules.length || rowRules.some((rule, i) => rule !== fieldRules[i]);
}
