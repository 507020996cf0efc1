import { getTableColumns } from "drizzle-orm";
import { getTableConfig, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import type { Action, ConditionField, ConditionType } from "./subjects.js";

/**
 * One field of a subject as the API shows it. `category` tags personal data with the
 * vocabulary of purposes.yaml `dataCategories`; a purpose that does not declare it never
 * reads the field. `required` marks fields that are non-null in GraphQL (never masked).
 */
export interface FieldDef {
  /** Data categories of the field; a purpose must declare each of them to read it. */
  category?: string | readonly string[];
  required?: boolean;
  /** Another view of a policy field (a connection beside its plain list): that field decides it. */
  as?: string;
}

/** A subject reached from another through a foreign key (`Deal.contact`). */
export interface RelationDef {
  subject: string;
  foreignKey: PgColumn;
}

/**
 * A subject, declared once by the module that owns it (`<feature>.subject.ts`). Everything
 * else that needs the subject's vocabulary (policy loader, CASL abilities, SQL filter, field
 * masks, explain, loaders, CLI) reads the compiled form of this declaration.
 */
export interface SubjectDef {
  name: string;
  table: PgTable;
  /** Property of the tenant column; the engine adds `tenant = workspace` to every allow. */
  tenant: string;
  /** Primary key property (`id` unless said). */
  key?: string;
  /** The GraphQL fields of the subject: what a rule's `fields:` may name. */
  fields: Record<string, FieldDef>;
  /** Columns a rule's `conditions:` may test; types and nullability come from the table. */
  conditions: readonly string[];
  /** Columns never loaded (secrets such as password hashes). */
  hiddenColumns?: readonly string[];
  /** How a row is linked to a person in the CRM: the row is the person, or a relation leads there. */
  person?: { self: true } | { relation: string };
  /**
   * The rows are people whose only privacy state is their own consent, kept in a
   * `consentedPurposes` column (account holders: Alpha's own marketing to its users). The
   * consent gate applies to them as to a CRM person; the contacts' other gates do not.
   */
  ownConsent?: true;
  relations?: Record<string, RelationDef>;
  /** API sort keys (`CREATED_AT`) and the field each sorts by. */
  sortable?: Record<string, string>;
  /** The data category of the whole subject, when every row is one (deals: business_records). */
  category?: string;
  /** Whose personal data the rows are (purposes.yaml `dataSubjects`). */
  dataSubject?: "contacts" | "users";
  /** Privacy actions that make sense for the subject. */
  privacyActions?: readonly Action[];
  /** Column holding the purpose a record serves (an interaction is written only under it). */
  recordPurpose?: string;
  /**
   * Rows anyone may read, signed in or not (published privacy notices): the type's fields are
   * never masked and the repository alone chooses the rows. Writes still need a policy rule.
   */
  public?: boolean;
}

/** A subject with what is derived from its declaration and its table. */
export interface Subject extends Omit<SubjectDef, "key"> {
  // Filled once every subject is compiled (dependents look across subjects).
  key: string;
  /** Every field the API shows of the subject. */
  fieldNames: readonly string[];
  /** The fields a rule's `fields:` may name: all but the views of another field. */
  policyFields: readonly string[];
  requiredFields: readonly string[];
  conditionFields: Readonly<Record<string, ConditionField>>;
  columns: Readonly<Record<string, PgColumn>>;
  /** Loaded columns: every column but the hidden ones. */
  selected: Readonly<Record<string, PgColumn>>;
  /** Field -> its data categories, for the fields that are personal data. */
  personalFields: Readonly<Record<string, readonly string[]>>;
  /** `""` for the person itself, `contact.` for rows linked to one, undefined otherwise. */
  personPath?: string;
  /** Where the consent gate finds the consented purposes: `""` (own column), `contact.`, or undefined. */
  consentPath?: string;
  /** For rows linked to a person: the relation's name, the person's subject and the linking column. */
  personLink?: PersonLink;
  /**
   * Rows of other subjects that deleting one of this subject's rows changes, read from the
   * foreign keys: `delete` where they cascade, `update` where the link is set to null.
   */
  dependents: Dependent[];
}

/** How a row reaches its person: `contact`, subject `Contact`, through the column `contactId`. */
export interface PersonLink {
  relation: string;
  subject: string;
  foreignKey: PgColumn;
  key: string;
}

/** Rows a delete changes through a foreign key, and the action that change amounts to. */
export interface Dependent {
  subject: string;
  column: PgColumn;
  action: "delete" | "update";
}

export interface Registry {
  readonly names: readonly string[];
  has(name: string): boolean;
  get(name: string): Subject;
}

const TYPES: Record<string, ConditionType> = {
  PgUUID: "uuid",
  PgText: "text",
  PgBoolean: "boolean",
  PgTimestamp: "timestamp",
  PgTimestampString: "timestamp",
  PgArray: "text[]",
  PgBigSerial53: "text",
};

/** A condition field's type and nullability, read from the drizzle column. */
function conditionField(subject: string, name: string, column: PgColumn | undefined): ConditionField {
  const type = column ? TYPES[column.columnType] : undefined;
  if (!column || !type) throw new Error(`subject ${subject}: condition field ${name} has no column of a supported type`);
  return { type, nullable: !column.notNull, ...(type === "text[]" ? { array: true } : {}) };
}

function compile(def: SubjectDef): Subject {
  const columns = getTableColumns(def.table) as Record<string, PgColumn>;
  const hidden = new Set(def.hiddenColumns ?? []);
  const key = def.key ?? "id";
  for (const name of [def.tenant, key, ...hidden]) {
    if (!columns[name]) throw new Error(`subject ${def.name}: ${name} is not a column of its table`);
  }
  for (const [name, field] of Object.entries(def.fields)) {
    if (field.as !== undefined && def.fields[field.as]?.as !== undefined) throw new Error(`subject ${def.name}: ${name} must be a view of a policy field`);
    if (field.as !== undefined && !def.fields[field.as]) throw new Error(`subject ${def.name}: ${name} is a view of unknown field ${field.as}`);
  }
  for (const sortField of Object.values(def.sortable ?? {})) {
    if (!columns[sortField] || !def.fields[sortField]) throw new Error(`subject ${def.name}: sort field ${sortField} must be a column and a field`);
  }
  if (def.ownConsent && (def.person || !columns.consentedPurposes || !def.conditions.includes("consentedPurposes"))) {
    throw new Error(`subject ${def.name}: ownConsent needs a consentedPurposes condition column and no person link`);
  }
  const fieldNames = Object.keys(def.fields);
  const personPath = def.person === undefined ? undefined : "self" in def.person ? "" : `${def.person.relation}.`;
  return {
    ...def,
    key,
    fieldNames,
    policyFields: fieldNames.filter((f) => def.fields[f].as === undefined),
    requiredFields: fieldNames.filter((f) => def.fields[f].required),
    conditionFields: Object.fromEntries(def.conditions.map((c) => [c, conditionField(def.name, c, columns[c])])),
    columns,
    selected: Object.fromEntries(Object.entries(columns).filter(([name]) => !hidden.has(name))),
    personalFields: Object.fromEntries(fieldNames.flatMap((f) => (def.fields[f].category ? [[f, [def.fields[f].category!].flat()]] : []))),
    personPath,
    consentPath: def.ownConsent ? "" : personPath,
    personLink: def.person && "relation" in def.person ? personLinkOf(def, def.person.relation, columns) : undefined,
    dependents: [],
  };
}

function personLinkOf(def: SubjectDef, relation: string, columns: Record<string, PgColumn>): PersonLink {
  const declared = def.relations?.[relation];
  if (!declared) throw new Error(`subject ${def.name}: person relation ${relation} is not declared`);
  const key = Object.entries(columns).find(([, column]) => column === declared.foreignKey)?.[0];
  if (!key) throw new Error(`subject ${def.name}: relation ${relation} uses a column of another table`);
  return { relation, subject: declared.subject, foreignKey: declared.foreignKey, key };
}

/**
 * The column a foreign key links by: its only column, or, for a key between tenant tables
 * (`(workspace_id, x_id)`, src/db/schema/columns.ts tenantFk), the one that is not workspace_id.
 */
function linkColumn(columns: PgColumn[]): PgColumn | undefined {
  if (columns.length === 1) return columns[0];
  const own = columns.filter((c) => c.name !== "workspace_id");
  return own.length === 1 && own.length === columns.length - 1 ? own[0] : undefined;
}

/** What deleting a row of `target` does to rows of the other subjects, from their foreign keys. */
function dependentsOf(target: Subject, all: Subject[]): Dependent[] {
  return all.flatMap((other) =>
    getTableConfig(other.table)
      .foreignKeys.map((fk) => ({ fk, ref: fk.reference() }))
      .filter(({ ref }) => ref.foreignTable === target.table)
      .flatMap(({ fk, ref }): Dependent[] => {
        const column = linkColumn(ref.columns);
        if (!column) throw new Error(`subject ${other.name}: foreign key ${fk.getName()} links by more than one column besides workspace_id`);
        if (fk.onDelete === "cascade") return [{ subject: other.name, column, action: "delete" }];
        if (fk.onDelete === "set null") return [{ subject: other.name, column, action: "update" }];
        return [];
      }),
  );
}

/** Compiles the declarations and checks that their cross references hold. */
export function createRegistry(defs: readonly SubjectDef[]): Registry {
  const subjects = new Map(defs.map((def) => [def.name, compile(def)]));
  for (const subject of subjects.values()) subject.dependents = dependentsOf(subject, [...subjects.values()]);
  for (const subject of subjects.values()) {
    for (const [name, relation] of Object.entries(subject.relations ?? {})) {
      if (!subjects.has(relation.subject)) throw new Error(`subject ${subject.name}: relation ${name} names unknown subject ${relation.subject}`);
    }
  }
  return {
    names: [...subjects.keys()],
    has: (name) => subjects.has(name),
    get(name) {
      const found = subjects.get(name);
      if (!found) throw new Error(`unknown subject ${name}`);
      return found;
    },
  };
}
