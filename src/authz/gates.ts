import type { MongoQuery } from "@casl/ability";
import type { AppRawRule } from "./ability.js";
import type { Conditions, PolicySet, Purpose } from "./policy-loader.js";
import type { Registry, Subject } from "./registry.js";
import type { ConditionField } from "./subjects.js";

export const LEGAL_COMPLIANCE = "legal_compliance";

/**
 * A person's privacy state: the Contact columns every gate tests, and the only fields a
 * condition may reach through a relation (`contact.processingRestricted`), because they are
 * what loaded rows carry for `can()`.
 */
export const PERSON_STATE = {
  consentedPurposes: { type: "text[]", nullable: false, array: true },
  objectedPurposes: { type: "text[]", nullable: false, array: true },
  processingRestricted: { type: "boolean", nullable: false },
  erasedAt: { type: "timestamp", nullable: true },
} as const satisfies Record<string, ConditionField>;
export const PERSON_STATE_FIELDS = Object.keys(PERSON_STATE) as Array<keyof typeof PERSON_STATE>;

export interface PersonState {
  consentedPurposes: string[];
  objectedPurposes: string[];
  processingRestricted: boolean;
  erasedAt: Date | null;
}

/** The gates, by kind (the order of GATES below). */
export type GateKind =
  | "data_subjects"
  | "data_category"
  | "writes"
  | "record_purpose"
  | "interaction_kind"
  | "consent"
  | "objection"
  | "restriction"
  | "erasure"
  | "tombstone";

/** The links of an explained decision: the request's purpose, the role rule, the tenant, then the gates. */
export type CheckKind = "purpose" | "token_purposes" | "role_rule" | "token_scope" | "tenant" | GateKind;
export type CheckOutcome = "pass" | "deny" | "n/a";

/** One link of the chain behind a decision, in words (explainAccess). */
export interface GateCheck {
  check: CheckKind;
  outcome: CheckOutcome;
  detail: string;
}

/** What one gate denies: actions on a subject, optionally some fields, where a condition holds. */
interface GateDeny {
  subject: string;
  actions?: string[];
  fields?: string[];
  conditions?: Conditions;
}

/**
 * A purpose gate, declared once: when it applies to a purpose, what it denies, and how it
 * explains itself for one record. Abilities, explainAccess, `policy:explain` and the table
 * in policies/README.md are all produced from this list.
 */
export interface Gate {
  kind: GateKind;
  /** When the purpose... (README wording). */
  when: string;
  /** What it denies (README wording). */
  denies: string;
  applies(purpose: Purpose): boolean;
  reason(purpose: Purpose, registry: Registry): string;
  /** What it denies under `purpose`; `all` is every purpose of purposes.yaml. */
  rules(purpose: Purpose, registry: Registry, all: readonly Purpose[]): GateDeny[];
  /** The check for one record of `subject` (person: its linked person's state, if any). */
  explain(purpose: Purpose, subject: Subject, record: Record<string, unknown> | undefined, person: PersonState | undefined): GateCheck | undefined;
}

const WRITES = ["create", "update", "delete"];
const outcome = (denied: boolean): CheckOutcome => (denied ? "deny" : "pass");

function personSubjects(registry: Registry): Subject[] {
  return registry.names.map((n) => registry.get(n)).filter((s) => s.personPath !== undefined);
}

/** A gate on the linked person's state, for every subject that links to a person. */
function personGate(spec: {
  kind: GateKind;
  when: string;
  denies: string;
  applies(p: Purpose): boolean;
  reason(p: Purpose): string;
  condition(p: Purpose, path: string): Conditions;
  holds(p: Purpose, person: PersonState): boolean;
  detail(p: Purpose, person: PersonState, denied: boolean): string;
  only?: (s: Subject) => boolean;
}): Gate {
  const covered = (s: Subject) => s.personPath !== undefined && (spec.only?.(s) ?? true);
  return {
    kind: spec.kind,
    when: spec.when,
    denies: spec.denies,
    applies: spec.applies,
    reason: spec.reason,
    rules: (purpose, registry) =>
      personSubjects(registry)
        .filter(covered)
        .map((s) => ({ subject: s.name, conditions: spec.condition(purpose, s.personPath!) })),
    explain(purpose, subject, _record, person) {
      if (!covered(subject)) return undefined;
      if (!person) return { check: spec.kind, outcome: "n/a", detail: "No person is linked to this record." };
      const denied = spec.holds(purpose, person);
      return { check: spec.kind, outcome: outcome(denied), detail: spec.detail(purpose, person, denied) };
    },
  };
}

const categoriesOf = (p: Purpose) => p.dataCategories.join(", ");

export const GATES: readonly Gate[] = [
  {
    kind: "data_subjects",
    when: "does not list a subject's `dataSubject` (`contacts`, `users`) in `dataSubjects`",
    denies: "every row of the subjects about those people (e.g. `billing` reaches no CRM contact; `sales_pipeline` no colleague's profile)",
    applies: () => true,
    reason: (p) => `Purpose ${p.id} does not process these people (its data subjects: ${p.dataSubjects.join(", ")}).`,
    rules: (p, registry) =>
      registry.names
        .map((n) => registry.get(n))
        .filter((s) => s.dataSubject && !p.dataSubjects.includes(s.dataSubject))
        .map((s) => ({ subject: s.name })),
    explain(p, subject) {
      if (!subject.dataSubject) return undefined;
      const denied = !p.dataSubjects.includes(subject.dataSubject);
      return { check: "data_subjects", outcome: outcome(denied), detail: `${p.id} ${denied ? "does not process" : "processes"} ${subject.dataSubject}.` };
    },
  },
  {
    kind: "data_category",
    when: "lacks a data category in `dataCategories`",
    denies:
      "the subjects of that category (`Deal`: business_records, `Interaction`: communication_history, `AuditEntry`: audit, `Breach`: breach_records, `UsageEvent`: usage) and the fields tagged with it in the subject registry (`<feature>.subject.ts`)",
    applies: () => true,
    reason: (p) => `Purpose ${p.id} does not cover this category of data (its data categories: ${categoriesOf(p)}).`,
    rules(p, registry) {
      const outside = (category: string | undefined) => category !== undefined && !p.dataCategories.includes(category);
      return registry.names.flatMap((n) => {
        const s = registry.get(n);
        if (outside(s.category)) return [{ subject: s.name }];
        const fields = Object.entries(s.personalFields)
          .filter(([, categories]) => categories.some(outside))
          .map(([f]) => f);
        return fields.length > 0 ? [{ subject: s.name, fields }] : [];
      });
    },
    explain(p, subject) {
      if (!subject.category) return undefined;
      const denied = !p.dataCategories.includes(subject.category);
      return { check: "data_category", outcome: outcome(denied), detail: `${p.id} ${denied ? "does not cover" : "covers"} ${subject.category}.` };
    },
  },
  {
    kind: "writes",
    when: "does not list in `writes` a subject that some purpose writes (the CRM records: Contact, Company, Deal, Interaction)",
    denies: "creating, changing and deleting that subject's records under this purpose (privacy operations are separate actions; ledgers are append-only)",
    applies: () => true,
    reason: (p) => `Purpose ${p.id} does not create or change these records (it writes: ${p.writes.length > 0 ? p.writes.join(", ") : "nothing"}).`,
    rules: (p, registry, all) =>
      registry.names.filter((n) => all.some((q) => q.writes.includes(n)) && !p.writes.includes(n)).map((subject) => ({ subject, actions: WRITES })),
    explain: () => undefined,
  },
  {
    kind: "record_purpose",
    when: "always, for subjects whose records carry their purpose (`Interaction.purpose`)",
    denies:
      "writing a record that serves another purpose (an interaction is created, changed and deleted only under the purpose it was recorded for); under a `consent` purpose, reading one too: consent covers only what was collected for it",
    applies: () => true,
    reason: (p) => `This record serves another purpose than ${p.id}; act under its own purpose.`,
    rules: (p, registry) =>
      registry.names
        .map((n) => registry.get(n))
        .filter((s) => s.recordPurpose)
        .map((s) => ({
          subject: s.name,
          actions: p.lawfulBasis === "consent" ? [...WRITES, "read"] : WRITES,
          conditions: { [s.recordPurpose!]: { $ne: p.id } },
        })),
    explain(p, subject, record) {
      if (!subject.recordPurpose || !record) return undefined;
      const served = record[subject.recordPurpose];
      return {
        check: "record_purpose",
        outcome: "pass",
        detail: `The record serves ${String(served)}${served === p.id ? "" : `; writing it needs that purpose`}.`,
      };
    },
  },
  {
    kind: "interaction_kind",
    when: "lists `interactionKinds`",
    denies: "recording or changing an interaction of another kind (marketing_email records emails; legal_compliance only notes)",
    applies: (p) => p.interactionKinds !== undefined,
    reason: (p) => `Under ${p.id} only these interactions are recorded: ${(p.interactionKinds ?? []).join(", ")}.`,
    rules: (p, registry) =>
      registry.has("Interaction") ? [{ subject: "Interaction", actions: ["create", "update"], conditions: { kind: { $nin: p.interactionKinds ?? [] } } }] : [],
    explain: () => undefined,
  },
  {
    kind: "consent",
    when: "has `lawfulBasis: consent`",
    denies:
      "the person has no granted, unwithdrawn consent for it (`consentedPurposes` lacks it); a record with no person has no consent either; account holders (`User`) are gated by their own consent (`grantMyConsent`)",
    applies: (p) => p.lawfulBasis === "consent",
    reason: (p) => `Purpose ${p.id} rests on consent, and this person has no granted, unwithdrawn ${p.channel ? `${p.channel} ` : ""}consent for it.`,
    // Every subject about a person: CRM people and their records through the person link,
    // account holders through their own column (registry `ownConsent`).
    rules: (p, registry) =>
      registry.names
        .map((n) => registry.get(n))
        .filter((s) => s.consentPath !== undefined)
        .map((s) => ({ subject: s.name, conditions: { [`${s.consentPath}consentedPurposes`]: { $nin: [p.id] } } })),
    explain(p, subject, record, person) {
      if (subject.consentPath === undefined) return undefined;
      const state = (subject.personPath === undefined ? record : person) as Pick<PersonState, "consentedPurposes"> | undefined;
      if (!state) return { check: "consent", outcome: "n/a", detail: "No person is linked to this record." };
      const denied = !(state.consentedPurposes ?? []).includes(p.id);
      return {
        check: "consent",
        outcome: outcome(denied),
        detail: denied ? `No granted, unwithdrawn consent for ${p.id}.` : `Granted consent for ${p.id} is on record.`,
      };
    },
  },
  personGate({
    kind: "objection",
    when: "is `objectable: true`",
    denies: "the person objected to it (Art. 21; `objectedPurposes` holds it)",
    applies: (p) => p.objectable,
    reason: (p) => `This person objected to processing for ${p.id} (GDPR Art. 21).`,
    condition: (p, path) => ({ [`${path}objectedPurposes`]: { $all: [p.id] } }),
    holds: (p, person) => person.objectedPurposes.includes(p.id),
    detail: (p, _person, denied) => (denied ? `The person objected to ${p.id}.` : `No objection to ${p.id}.`),
  }),
  personGate({
    kind: "restriction",
    when: "has `allowedWhenRestricted: false`",
    denies: "the person's processing is restricted (Art. 18; `processingRestricted`)",
    applies: (p) => !p.allowedWhenRestricted,
    reason: () => `Processing of this person's data is restricted (GDPR Art. 18); only storage and ${LEGAL_COMPLIANCE} remain.`,
    condition: (_p, path) => ({ [`${path}processingRestricted`]: true }),
    holds: (_p, person) => person.processingRestricted,
    detail: (_p, _person, denied) => (denied ? "Processing is restricted." : "Processing is not restricted."),
  }),
  personGate({
    kind: "erasure",
    when: "has a basis other than `legal_obligation`",
    denies: "the contact was erased (`erasedAt` set); Contact only: erasure removes interactions and unlinks deals",
    applies: (p) => p.lawfulBasis !== "legal_obligation",
    reason: () => `This person was erased; only a tombstone remains, served under ${LEGAL_COMPLIANCE}.`,
    condition: () => ({ erasedAt: { $ne: null } }),
    holds: (_p, person) => person.erasedAt !== null,
    detail: (_p, _person, denied) => (denied ? "The person was erased." : "Not erased."),
    only: (s) => s.personPath === "",
  }),
  {
    kind: "tombstone",
    when: "has `lawfulBasis: legal_obligation`",
    denies: "fields, not rows: an erased person is listed, but none of the personal fields of the person or of its records (consent proof) can be read",
    applies: (p) => p.lawfulBasis === "legal_obligation",
    reason: () => "This person was erased; the record is a tombstone without personal data.",
    rules: (_p, registry) =>
      personSubjects(registry)
        .filter((s) => Object.keys(s.personalFields).length > 0)
        .map((s) => ({ subject: s.name, fields: Object.keys(s.personalFields), conditions: { [`${s.personPath}erasedAt`]: { $ne: null } } })),
    explain(_p, subject, _record, person) {
      if (subject.personPath === undefined || !person) return undefined;
      const erased = person.erasedAt !== null;
      return { check: "tombstone", outcome: "pass", detail: erased ? "A tombstone: its personal fields are not shown." : "Not erased." };
    },
  },
];

/**
 * The purpose's gates as CASL `cannot` rules, for every role, owner included. They come after
 * every role rule, so they win whatever a role file says.
 */
export function purposeGates(policies: PolicySet, purpose: Purpose): AppRawRule[] {
  const { registry } = policies;
  const all = [...policies.purposes.values()];
  return GATES.filter((g) => g.applies(purpose)).flatMap((gate) => {
    const id = `gate.${gate.kind}.${purpose.id}`;
    const reason = gate.reason(purpose, registry);
    return gate.rules(purpose, registry, all).map((deny) => ({
      action: deny.actions ?? "manage",
      subject: deny.subject,
      ...(deny.fields ? { fields: deny.fields } : {}),
      ...(deny.conditions ? { conditions: deny.conditions as MongoQuery } : {}),
      inverted: true,
      reason,
      meta: { id, reason, kind: "gate" as const },
    }));
  });
}

/** Each gate's verdict on one record, in words, for explainAccess. */
export function explainGates(purpose: Purpose, subject: Subject, record: Record<string, unknown> | undefined, person: PersonState | undefined): GateCheck[] {
  return GATES.filter((g) => g.applies(purpose)).flatMap((g) => {
    const check = g.explain(purpose, subject, record, person);
    return check ? [check] : [];
  });
}

/** The README table of gates (policies/README.md, between the gates markers). */
export function gatesTable(): string {
  const rows = GATES.map((g) => `| \`gate.${g.kind}.<p>\` | ${g.when} | ${g.denies} |`);
  return ["| gate | when the purpose... | denies |", "|---|---|---|", ...rows].join("\n");
}

const BEGIN = "<!-- gates:begin -->";
const END = "<!-- gates:end -->";

/** The text with the generated gate table between its markers. */
export function withGatesTable(text: string): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the gate table markers ${BEGIN} ... ${END} are missing`);
  return `${text.slice(0, start + BEGIN.length)}\n${gatesTable()}\n${text.slice(end)}`;
}
