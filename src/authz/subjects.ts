// The vocabulary of policies: actions, subjects, the fields a rule may grant or mask, and the
// fields a condition may test. Anything else in a policy file is a load error.

export const CRUD_ACTIONS = ["read", "create", "update", "delete"] as const;
// Granting and withdrawing consent are separate permissions: withdrawal must stay as easy as
// granting (Art. 7(3)), yet only some roles may record a consent, and only with proof.
export const PRIVACY_ACTIONS = ["grant_consent", "withdraw_consent", "restrict", "object", "export", "erase"] as const;
export const ACTIONS = [...CRUD_ACTIONS, ...PRIVACY_ACTIONS] as const;
export type Action = (typeof ACTIONS)[number];

/** Names a policy rule may use for several actions; the loader expands them. */
export const ACTION_ALIASES = {
  // The contract's name from before the split.
  manage_consent: ["grant_consent", "withdraw_consent"],
} as const satisfies Record<string, readonly Action[]>;
export type ActionAlias = keyof typeof ACTION_ALIASES;

export interface SubjectSpec {
  /** Fields a rule's `fields:` may name: what GraphQL shows of the subject. */
  fields: readonly string[];
  /** Non-null in GraphQL: a rule that lists fields must keep them, a deny may not mask them. */
  requiredFields: readonly string[];
  /** Fields a rule's `conditions:` may test, with whether they can be null. */
  conditionFields: Readonly<Record<string, ConditionField>>;
  /** Field that carries the tenant; the engine adds `tenantField = workspace` to every allow rule. */
  tenantField: "workspaceId" | "id";
  /** Related subjects whose fields conditions may reach (`contact.processingRestricted`). */
  relations?: Readonly<Record<string, string>>;
  /** Category of personal data the whole subject is (purposes.yaml dataCategories). */
  dataCategory?: string;
  /** The privacy actions that make sense for this subject. */
  privacyActions?: readonly Action[];
}

/** What a condition may compare a field with; the loader checks every operand against it. */
export type ConditionType = "uuid" | "text" | "boolean" | "timestamp" | "text[]";
export interface ConditionField {
  type: ConditionType;
  nullable: boolean;
  array?: boolean;
}

const uuid = { type: "uuid", nullable: false } as const;
const uuidOrNull = { type: "uuid", nullable: true } as const;
const text = { type: "text", nullable: false } as const;
const bool = { type: "boolean", nullable: false } as const;
const timestampOrNull = { type: "timestamp", nullable: true } as const;
const textArray = { type: "text[]", nullable: false, array: true } as const;

const CONTACT_CONDITIONS = {
  id: uuid,
  workspaceId: uuid,
  companyId: uuidOrNull,
  ownerId: uuidOrNull,
  consentedPurposes: textArray,
  objectedPurposes: textArray,
  processingRestricted: bool,
  erasedAt: timestampOrNull,
} as const;

/**
 * The person's privacy state: the only Contact fields a Deal or Interaction condition may
 * reach through `contact.`, because they are what rows carry for `can()` (entity-store.ts).
 */
export const PERSON_STATE_FIELDS = ["consentedPurposes", "objectedPurposes", "processingRestricted", "erasedAt"] as const;

export const SUBJECTS = {
  Contact: {
    fields: [
      "id", "firstName", "lastName", "email", "phone", "position", "company", "owner", "deals", "interactions",
      "consents", "processingRestricted", "objections", "erased", "createdAt", "updatedAt",
    ],
    requiredFields: ["id", "processingRestricted", "erased", "createdAt", "updatedAt"],
    conditionFields: CONTACT_CONDITIONS,
    tenantField: "workspaceId",
    privacyActions: PRIVACY_ACTIONS,
  },
  Company: {
    fields: ["id", "name", "domain", "industry", "owner", "contacts", "deals", "createdAt", "updatedAt"],
    requiredFields: ["id", "name", "createdAt", "updatedAt"],
    conditionFields: { id: uuid, workspaceId: uuid, ownerId: uuidOrNull },
    tenantField: "workspaceId",
  },
  Deal: {
    fields: ["id", "title", "stage", "amount", "currency", "closedAt", "contact", "company", "owner", "createdAt", "updatedAt"],
    requiredFields: ["id", "title", "stage", "currency", "createdAt", "updatedAt"],
    conditionFields: { id: uuid, workspaceId: uuid, ownerId: uuidOrNull, contactId: uuidOrNull, companyId: uuidOrNull, stage: text },
    tenantField: "workspaceId",
    relations: { contact: "Contact" },
    dataCategory: "business_records",
  },
  Interaction: {
    fields: ["id", "kind", "purpose", "subject", "body", "occurredAt", "contact", "deal", "owner", "createdAt", "updatedAt"],
    requiredFields: ["id", "kind", "purpose", "occurredAt", "createdAt", "updatedAt"],
    conditionFields: { id: uuid, workspaceId: uuid, ownerId: uuidOrNull, contactId: uuid, kind: text, purpose: text },
    tenantField: "workspaceId",
    relations: { contact: "Contact" },
    dataCategory: "communication_history",
  },
  ConsentEvent: {
    fields: ["id", "contactId", "purpose", "channel", "state", "source", "noticeVersion", "subjectIp", "subjectUserAgent", "evidence", "recordedBy", "createdAt"],
    requiredFields: ["id", "purpose", "channel", "state", "source", "createdAt"],
    conditionFields: { workspaceId: uuid, contactId: uuidOrNull, purpose: text },
    tenantField: "workspaceId",
  },
  PrivacyRequest: {
    fields: ["id", "type", "status", "contactId", "receivedAt", "dueAt", "extendedUntil", "completedAt"],
    requiredFields: ["id", "type", "status", "receivedAt", "dueAt"],
    conditionFields: { workspaceId: uuid },
    tenantField: "workspaceId",
  },
  ApiToken: {
    fields: ["id", "name", "scopes", "purposes", "expiresAt", "lastUsedAt", "revokedAt", "createdAt"],
    requiredFields: ["id", "name", "scopes", "createdAt"],
    conditionFields: { workspaceId: uuid, createdBy: uuid },
    tenantField: "workspaceId",
  },
  AuditEntry: {
    fields: ["id", "actorId", "actorRole", "action", "subject", "subjectId", "purpose", "decision", "rule", "reason", "detail", "createdAt"],
    requiredFields: ["id", "action", "subject", "decision", "createdAt"],
    conditionFields: { workspaceId: uuid, actorId: uuidOrNull },
    tenantField: "workspaceId",
  },
  UsageEvent: {
    fields: ["id", "kind", "userId", "occurredAt", "device", "ip", "location", "detail"],
    requiredFields: ["id", "kind", "occurredAt"],
    conditionFields: { workspaceId: uuid, userId: uuid },
    tenantField: "workspaceId",
  },
  Breach: {
    fields: ["id", "description", "severity", "detectedAt", "authorityDeadline", "usersDeadline", "authorityNotifiedAt", "usersNotifiedAt", "affectedCount", "status", "overdue"],
    requiredFields: ["id", "detectedAt", "authorityDeadline", "usersDeadline", "affectedCount", "status", "overdue"],
    conditionFields: { workspaceId: uuid },
    tenantField: "workspaceId",
  },
  PolicyVersion: {
    fields: ["id", "version", "summary", "material", "publishedAt"],
    requiredFields: ["id", "version", "material", "publishedAt"],
    conditionFields: { workspaceId: uuid },
    tenantField: "workspaceId",
  },
  User: {
    fields: ["id", "email", "name", "phone", "position", "role", "workspace", "lastLoginAt", "policyNotices", "createdAt"],
    requiredFields: ["id", "role", "workspace"],
    conditionFields: { id: uuid, workspaceId: uuid, role: text },
    tenantField: "workspaceId",
  },
  Workspace: {
    fields: ["id", "name", "plan", "subscriptionStatus", "cancelledAt", "createdAt"],
    requiredFields: ["id", "name", "createdAt"],
    conditionFields: { id: uuid },
    tenantField: "id",
  },
} as const satisfies Record<string, SubjectSpec>;

export type SubjectName = keyof typeof SUBJECTS;
export const SUBJECT_NAMES = Object.keys(SUBJECTS) as SubjectName[];

export function isSubject(name: string): name is SubjectName {
  return Object.hasOwn(SUBJECTS, name);
}

export function subjectSpec(name: SubjectName): SubjectSpec {
  return SUBJECTS[name];
}

/**
 * Operators a condition may use. Others (`$regex`, `$where`, and ordering such as `$lt`, whose
 * meaning would depend on collation and types) are load errors.
 */
export const CONDITION_OPERATORS = ["$eq", "$ne", "$in", "$nin", "$all"] as const;
