// The vocabulary of policies: actions, operators and condition types. Subjects, their fields
// and condition fields are declared by the modules (`<feature>.subject.ts`, src/authz/registry.ts).
// Anything else in a policy file is a load error.

export const CRUD_ACTIONS = ["read", "create", "update", "delete"] as const;
// Granting and withdrawing consent are separate permissions: withdrawal must stay as easy as
// granting (Art. 7(3)), yet only some roles may record a consent, and only with proof.
export const PRIVACY_ACTIONS = ["grant_consent", "withdraw_consent", "restrict", "object", "export", "erase"] as const;
// Issuing the one-click unsubscribe link (RFC 8058) of a message sent under a consent purpose:
// the link is a credential that withdraws the person's consent, so who may make one is a rule.
export const LINK_ACTIONS = ["issue_unsubscribe_link"] as const;
// Correcting one's own personal data (Art. 16): a user's own profile, granted by the self rule
// self.rectify (src/authz/ability.ts) only, never by a role. Distinct from `update`, which also
// stands for role changes, deactivation and password resets of a member.
export const SELF_ACTIONS = ["rectify"] as const;
// Issuing a one-time password reset token takes over an account until it is used: a separate
// permission from editing a user, held by owners and by the system (npm run user:reset-password).
export const ACCOUNT_ACTIONS = ["issue_password_reset"] as const;
export const ACTIONS = [...CRUD_ACTIONS, ...PRIVACY_ACTIONS, ...LINK_ACTIONS, ...SELF_ACTIONS, ...ACCOUNT_ACTIONS] as const;
export type Action = (typeof ACTIONS)[number];

/** Names a policy rule may use for several actions; the loader expands them. */
export const ACTION_ALIASES = {
  // The contract's name from before the split.
  manage_consent: ["grant_consent", "withdraw_consent"],
} as const satisfies Record<string, readonly Action[]>;
export type ActionAlias = keyof typeof ACTION_ALIASES;

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
