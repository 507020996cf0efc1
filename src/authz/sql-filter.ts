import { rulesToAST } from "@casl/ability/extra";
import {
  and,
  arrayContains,
  arrayOverlaps,
  eq,
  getTableColumns,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
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
  const nonNull = (condition: SQL) => (nullable ? and(isNotNull(column), condition)! : condition);
  if (array) {
    // Array membership compiles to @> (single value) or && (any of), both served by GIN.
    switch (leaf.operator) {
      case "eq":
      case "all":
        return arrayContains(column, list);
      case "in":
        return list.length === 1 ? arrayContains(column, list) : arrayOverlaps(column, list);
    }
  } else {
    switch (leaf.operator) {
      case "eq":
        return value === null ? isNull(column) : nonNull(eq(column, value));
      case "in":
        return list.length === 0 ? sql`false` : nonNull(inArray(column, list));
      case "lt":
        return lt(column, value);
      case "lte":
        return lte(column, value);
      case "gt":
        return gt(column, value);
      case "gte":
        return gte(column, value);
    }
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

export function tableOf(subject: SubjectName): PgTable | undefined {
  return TABLES[subject];
}
