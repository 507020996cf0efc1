import { createMongoAbility, subject as asSubject, type MongoAbility, type MongoQuery, type RawRuleOf } from "@casl/ability";
import { contactsPii } from "../db/schema/crm.js";
import type { Conditions, PolicyRule, PolicySet, Purpose } from "./policy-loader.js";
import { SUBJECT_NAMES, SUBJECTS, type SubjectName, type SubjectSpec } from "./subjects.js";

export type AppAbility = MongoAbility<[string, string | Record<string, unknown>], MongoQuery>;

/** Who is asking. API tokens (later) narrow it with scopes. */
export interface Principal {
  kind: "user";
  userId: string;
  workspaceId: string;
  role: string;
  email: string;
  name: string;
}

/** What every compiled CASL rule carries back to explain and decision logs. */
export interface RuleMeta {
  id: string;
  reason: string;
  kind: "role" | "gate";
  source?: string;
}

type AppRawRule = RawRuleOf<AppAbility> & { meta: RuleMeta };

export const DEFAULT_DENY = "default.deny";
export const LEGAL_COMPLIANCE = "legal_compliance";

function interpolate(value: unknown, principal: Principal): unknown {
  if (value === "${user.id}") return principal.userId;
  if (value === "${user.workspaceId}") return principal.workspaceId;
  if (Array.isArray(value)) return value.map((v) => interpolate(v, principal));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, principal)]));
  }
  return value;
}

function tenantCondition(subject: SubjectName, principal: Principal): Conditions {
  return { [SUBJECTS[subject].tenantField]: principal.workspaceId };
}

function roleRules(rule: PolicyRule, principal: Principal): AppRawRule[] {
  const meta: RuleMeta = { id: rule.id, reason: rule.reason, kind: "role", source: rule.source };
  const subjects = rule.subject === "all" ? SUBJECT_NAMES : [rule.subject];
  return subjects.map((subject) => {
    const own = rule.conditions ? (interpolate(rule.conditions, principal) as Conditions) : {};
    // Tenant isolation is the engine's job, not the rule author's: every allow is scoped to
    // the principal's workspace. Deny rules stay unscoped, which can only deny more.
    const conditions = rule.effect === "allow" ? { ...own, ...tenantCondition(subject, principal) } : rule.conditions ? own : undefined;
    return {
      action: rule.actions,
      subject,
      ...(rule.fields ? { fields: rule.fields } : {}),
      ...(conditions ? { conditions: conditions as MongoQuery } : {}),
      inverted: rule.effect === "deny",
      reason: rule.reason,
      meta,
    };
  });
}

/** Subjects that are a person's data, and the path from them to the person. */
const PERSON_PATHS: Partial<Record<SubjectName, string>> = { Contact: "", Deal: "contact.", Interaction: "contact." };

/**
 * Purpose guards derived from purposes.yaml, for every role, owner included. They are
 * `cannot` rules placed after all role rules, so they win whatever a role file says.
 */
export function purposeGates(purpose: Purpose): AppRawRule[] {
  const gates: AppRawRule[] = [];
  const gate = (id: string, reason: string, condition: (prefix: string) => Conditions, subjects = Object.keys(PERSON_PATHS) as SubjectName[]) => {
    for (const subject of subjects) {
      gates.push({
        action: "manage",
        subject,
        conditions: condition(PERSON_PATHS[subject]!) as MongoQuery,
        inverted: true,
        reason,
        meta: { id, reason, kind: "gate" },
      });
    }
  };
  gates.push(...purposeLimitation(purpose));
  if (purpose.lawfulBasis === "consent") {
    gate(
      `gate.consent.${purpose.id}`,
      `Purpose ${purpose.id} rests on consent, and this person has no granted, unwithdrawn ${purpose.channel ?? ""} consent for it.`.replace("  ", " "),
      (p) => ({ [`${p}consentedPurposes`]: { $nin: [purpose.id] } }),
    );
  }
  if (purpose.objectable) {
    gate(
      `gate.objection.${purpose.id}`,
      `This person objected to processing for ${purpose.id} (GDPR Art. 21).`,
      (p) => ({ [`${p}objectedPurposes`]: { $all: [purpose.id] } }),
    );
  }
  if (!purpose.allowedWhenRestricted) {
    gate(
      `gate.restriction.${purpose.id}`,
      `Processing of this person's data is restricted (GDPR Art. 18); only storage and ${LEGAL_COMPLIANCE} remain.`,
      (p) => ({ [`${p}processingRestricted`]: true }),
    );
  }
  if (purpose.lawfulBasis !== "legal_obligation") {
    // Erasure removes interactions and unlinks deals, so only the contact row (a tombstone) remains.
    gate(
      `gate.erasure.${purpose.id}`,
      `This person was erased; only a tombstone remains, served under ${LEGAL_COMPLIANCE}.`,
      () => ({ erasedAt: { $ne: null } }),
      ["Contact"],
    );
  } else {
    // Where erased people are still listed (proof of erasure), they are tombstones: none of
    // their personal fields (as tagged in src/db/schema) can be read.
    const reason = "This person was erased; the record is a tombstone without personal data.";
    gates.push({
      action: "manage",
      subject: "Contact",
      fields: Object.keys(contactsPii),
      conditions: { erasedAt: { $ne: null } } as MongoQuery,
      inverted: true,
      reason,
      meta: { id: `gate.tombstone.${purpose.id}`, reason, kind: "gate" },
    });
  }
  return gates;
}

function denyAll(subject: SubjectName, id: string, reason: string, fields?: string[]): AppRawRule {
  return { action: "manage", subject, ...(fields ? { fields } : {}), inverted: true, reason, meta: { id, reason, kind: "gate" } };
}

/**
 * Purpose limitation (Art. 5(1)(b)): a purpose reaches only the data subjects and the
 * categories of personal data purposes.yaml declares for it. Contact fields carry their
 * category where the table is declared (src/db/schema/crm.ts); deals and interactions are
 * each one category (subjects.ts).
 */
function purposeLimitation(purpose: Purpose): AppRawRule[] {
  const people = Object.keys(PERSON_PATHS) as SubjectName[];
  if (!purpose.dataSubjects.includes("contacts")) {
    const reason = `Purpose ${purpose.id} does not process the people in the CRM (its data subjects: ${purpose.dataSubjects.join(", ")}).`;
    return people.map((subject) => denyAll(subject, `gate.data_subjects.${purpose.id}`, reason));
  }
  const id = `gate.data_category.${purpose.id}`;
  const outside = (category: string) => !purpose.dataCategories.includes(category);
  const why = (what: string) => `Purpose ${purpose.id} does not cover ${what} (its data categories: ${purpose.dataCategories.join(", ")}).`;
  const rules: AppRawRule[] = [];
  const hiddenFields = Object.entries(contactsPii).filter(([, category]) => outside(category));
  if (hiddenFields.length > 0) {
    const categories = [...new Set(hiddenFields.map(([, c]) => c))].join(", ");
    rules.push(denyAll("Contact", id, why(categories), hiddenFields.map(([field]) => field)));
  }
  for (const subject of people) {
    const category = (SUBJECTS[subject] as SubjectSpec).dataCategory;
    if (category && outside(category)) rules.push(denyAll(subject, id, why(category)));
  }
  return rules;
}

/** Compiles a principal's role rules and the purpose's guards into one CASL ability. */
export function buildAbility(policies: PolicySet, principal: Principal, purposeId: string): AppAbility {
  const role = policies.roles.get(principal.role);
  const purpose = policies.purposes.get(purposeId);
  // Fail closed: an unknown role or purpose, or one the role may not use, grants nothing.
  if (!role || !purpose || !role.purposes.includes(purposeId)) return createMongoAbility<AppAbility>([]);
  const allows = role.rules.filter((r) => r.effect === "allow").flatMap((r) => roleRules(r, principal));
  const denies = role.rules.filter((r) => r.effect === "deny").flatMap((r) => roleRules(r, principal));
  // CASL gives the later rule priority: allows first, then denies, then gates.
  return createMongoAbility<AppAbility>([...allows, ...denies, ...purposeGates(purpose)]);
}

/**
 * The ability for privacy-rights operations: the role's own rules, found under
 * legal_compliance whatever the request's purpose (answering rights is a legal obligation).
 */
export function buildRightsAbility(policies: PolicySet, principal: Principal): AppAbility {
  const role = policies.roles.get(principal.role);
  const purpose = policies.purposes.get(LEGAL_COMPLIANCE);
  if (!role || !purpose) return createMongoAbility<AppAbility>([]);
  const rules = [...role.rules.filter((r) => r.effect === "allow"), ...role.rules.filter((r) => r.effect === "deny")];
  return createMongoAbility<AppAbility>([...rules.flatMap((r) => roleRules(r, principal)), ...purposeGates(purpose)]);
}

/** What a privacy-rights answer shows of a person the caller's purpose does not let it see. */
export const PRIVACY_VIEW_FIELDS = ["id", "processingRestricted", "consents", "objections", "erased", "createdAt", "updatedAt"];
export const PRIVACY_VIEW_RULE = "rights.privacy_view";

/**
 * A rights operation may act on a person its purpose hides (a restricted contact's consent can
 * still be withdrawn); its answer then shows the privacy state, not the person's details.
 */
export function buildPrivacyViewAbility(principal: Principal): AppAbility {
  const reason = "A privacy-rights answer shows only the person's privacy state: your purpose does not let you see their details.";
  const hidden = (SUBJECTS.Contact.fields as readonly string[]).filter((f) => !PRIVACY_VIEW_FIELDS.includes(f));
  const meta: RuleMeta = { id: PRIVACY_VIEW_RULE, reason, kind: "gate" };
  return createMongoAbility<AppAbility>([
    { action: "read", subject: "Contact", conditions: tenantCondition("Contact", principal) as MongoQuery, reason, meta },
    { action: "read", subject: "Contact", fields: hidden, inverted: true, reason, meta },
  ] as AppRawRule[]);
}

export interface Decision {
  allowed: boolean;
  rule: string;
  reason: string;
  kind?: RuleMeta["kind"];
}

export function typed(subjectName: SubjectName, row: object): Record<string, unknown> {
  return asSubject(subjectName, row as Record<string, unknown>);
}

/** CASL's own verdict, with the rule that decided it and why. */
export function decide(
  ability: AppAbility,
  action: string,
  subjectName: SubjectName,
  row?: object,
  field?: string,
  ctx?: { role: string; purpose: string },
): Decision {
  const target = row ? typed(subjectName, row) : subjectName;
  const rule = ability.relevantRuleFor(action, target, field);
  const meta = (rule?.origin as AppRawRule | undefined)?.meta;
  if (rule && meta && !rule.inverted) return { allowed: true, rule: meta.id, reason: meta.reason, kind: meta.kind };
  if (rule && meta) return { allowed: false, rule: meta.id, reason: meta.reason, kind: meta.kind };
  const what = `${action} ${subjectName}${field ? `.${field}` : ""}`;
  const who = ctx ? ` for role ${ctx.role} under purpose ${ctx.purpose}` : "";
  return { allowed: false, rule: DEFAULT_DENY, reason: `No policy rule allows ${what}${who}.` };
}
