import { createMongoAbility } from "@casl/ability";
import { rulesToAST } from "@casl/ability/extra";
import {
  and,
  arrayContains,
  arrayOverlaps,
  eq,
  getTableColumns,
  inArray,
  isNotNull,
  isNull,
  not,
  or,
  sql,
  type Column,
  type SQL,
} from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { auditLog, companies, consentEvents, contacts, deals, interactions, users, workspaces } from "../db/schema/index.js";
import type { AppAbility } from "./ability.js";
import { SUBJECTS, type SubjectName } from "./subjects.js";

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

interface Relation {
  table: PgTable;
  foreignKey: Column;
  primaryKey: Column;
}

/** Subjects that live in a table: the whitelist of columns a condition may reach. */
const TABLES: Partial<Record<SubjectName, PgTable>> = {
  Contact: contacts,
  Company: companies,
  Deal: deals,
  Interaction: interactions,
  ConsentEvent: consentEvents,
  AuditEntry: auditLog,
  User: users,
  Workspace: workspaces,
};

const RELATIONS: Partial<Record<SubjectName, Record<string, Relation>>> = {
  Deal: { contact: { table: contacts, foreignKey: deals.contactId, primaryKey: contacts.id } },
  Interaction: { contact: { table: contacts, foreignKey: interactions.contactId, primaryKey: contacts.id } },
};

export class UntranslatableCondition extends Error {}

function columnOf(subject: SubjectName, field: string): { column: Column; nullable: boolean; array: boolean } {
  const table = TABLES[subject];
  const spec = (SUBJECTS[subject].conditionFields as Record<string, { nullable: boolean; array?: boolean }>)[field];
  const column = table ? (getTableColumns(table) as Record<string, Column>)[field] : undefined;
  if (!spec || !column) throw new UntranslatableCondition(`${subject}.${field} cannot be used in a condition`);
  return { column, nullable: spec.nullable, array: spec.array === true };
}

/** One comparison, always TRUE or FALSE (never NULL), so NOT means what CASL means. */
function positiveLeaf(subject: SubjectName, leaf: Leaf): SQL {
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
    // CASL matches null with null; SQL `col = NULL` / `col IN (NULL)` never holds.
    const values = list.filter((v) => v !== null);
    const parts: SQL[] = [];
    if (values.length < list.length && nullable) parts.push(isNull(column));
    if (values.length === 1) parts.push(nullable ? and(isNotNull(column), eq(column, values[0]))! : eq(column, values[0]));
    if (values.length > 1) parts.push(nullable ? and(isNotNull(column), inArray(column, values))! : inArray(column, values));
    return parts.length === 0 ? sql`false` : parts.length === 1 ? parts[0] : or(...parts)!;
  }
  throw new UntranslatableCondition(`operator ${leaf.operator} on ${subject}.${leaf.field}`);
}

const NEGATIONS: Record<string, string> = { ne: "eq", nin: "in" };

function leafToSql(subject: SubjectName, leaf: Leaf): SQL {
  const negated = NEGATIONS[leaf.operator];
  const positive = negated ? { ...leaf, operator: negated } : leaf;
  const [head, tail] = leaf.field.split(".");
  let condition: SQL;
  if (tail !== undefined) {
    const relation = RELATIONS[subject]?.[head];
    const related = (SUBJECTS[subject] as { relations?: Record<string, SubjectName> }).relations?.[head];
    if (!relation || !related) throw new UntranslatableCondition(`${subject}.${leaf.field} cannot be used in a condition`);
    // A missing related row behaves as CASL's `undefined`: positive tests are false.
    const inner = positiveLeaf(related, { ...positive, field: tail });
    condition = sql`exists (select 1 from ${relation.table} where ${relation.primaryKey} = ${relation.foreignKey} and ${inner})`;
  } else {
    condition = positiveLeaf(subject, positive);
  }
  return negated ? not(condition) : condition;
}

function nodeToSql(subject: SubjectName, node: Node): SQL {
  switch (node.operator) {
    case "and":
      return (node as Compound).value.length === 0 ? sql`true` : and(...(node as Compound).value.map((n) => nodeToSql(subject, n)))!;
    case "or":
      return (node as Compound).value.length === 0 ? sql`false` : or(...(node as Compound).value.map((n) => nodeToSql(subject, n)))!;
    case "not":
      return not(nodeToSql(subject, (node as Compound).value[0]));
    default:
      return leafToSql(subject, node as Leaf);
  }
}

/**
 * The ability as a SQL WHERE for `action` on `subject`: the same compiled rules as `can()`.
 * No rule, or only denials, is `false`: nothing is visible by default.
 */
export function accessibleWhere(ability: AppAbility, action: string, subject: SubjectName): SQL {
  const ast = rulesToAST(ability, action, subject) as Node | null;
  if (!ast) return sql`false`;
  return sql`(${nodeToSql(subject, ast)})`;
}

/**
 * Rows on which `field` is readable, as SQL: the rules that decide that field, without their
 * field lists. Null when no row could show it. Filters and search on a field go through this,
 * so a masked value cannot be probed by filtering on it.
 */
export function fieldReadableWhere(ability: AppAbility, action: string, subject: SubjectName, field: string): SQL | null {
  // rulesFor lists the highest priority first; CASL gives the later raw rule priority.
  const rules = ability
    .rulesFor(action, subject, field)
    .map((rule) => ({ ...(rule.origin as object), fields: undefined }))
    .reverse();
  const ast = rulesToAST(createMongoAbility<AppAbility>(rules as never), action, subject) as Node | null;
  return ast ? sql`(${nodeToSql(subject, ast)})` : null;
}

/**
 * True when `field` can be masked on some of the rows the caller sees: the rules deciding it
 * differ from those deciding the row (a field-level gate with a condition, like a tombstone's,
 * or an allow that lists fields). Otherwise the field is readable wherever the row is.
 */
export function fieldMaskedOnSomeRows(ability: AppAbility, action: string, subject: SubjectName, field: string): boolean {
  const rowRules = ability.rulesFor(action, subject);
  const fieldRules = ability.rulesFor(action, subject, field);
  return rowRules.length !== fieldRules.length || rowRules.some((rule, i) => rule !== fieldRules[i]);
}
