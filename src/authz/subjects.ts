// The vocabulary of policies: actions, operators and condition types. Subjects, their fields
// and condition fields are declared by the modules (`<feature>.subject.ts`, src/authz/registry.ts).
// Anything else in a policy file is a load error.

export const CRUD_ACTIONS = ["read", "create", "update", "delete"] as const;
export const PRIVACY_ACTIONS = ["manage_consent", "restrict", "object", "export", "erase"] as const;
export const ACTIONS = [...CRUD_ACTIONS, ...PRIVACY_ACTIONS] as const;
export type Action = (typeof ACTIONS)[number];

/** What a condition may compare a field with; the loader checks every operand against it. */
export type ConditionType = "uuid" | "text" | "boolean" | "timestamp" | "text[]";
export interface ConditionField {
  type: ConditionType;
  nullable: boolean;
  array?: boolean;
}

/**
 * Operators a condition may use. Others (`$regex`, `$where`, and ordering such as `$lt`, whose
 * meaning would depend on collation and types) are load errors.
 */
export const CONDITION_OPERATORS = ["$eq", "$ne", "$in", "$nin", "$all"] as const;
