import type { PolicySet, Purpose } from "../../authz/policy-loader.js";

/**
 * The information GDPR Art. 15(1)-(2) says a person gets with a copy of their data, taken from
 * policies/ (purposes.yaml, processors.yaml, retention.yaml) so that an export always states
 * what the code enforces: each purpose with its lawful basis, data categories and retention;
 * the recipients (processors) with their location and transfer safeguards; the retention
 * periods; where the data came from; and the person's rights. No database access here.
 */

/** Whose data an export holds: a contact of a customer's CRM, or an account holder. */
export type SubjectKind = "contact" | "user";

type Row = Record<string, unknown>;

/** The data subjects' names in purposes.yaml (`dataSubjects`). */
const DATA_SUBJECT: Record<SubjectKind, string> = { contact: "contacts", user: "users" };

/** Retention periods that apply to a person whatever the purposes (proof, sessions). */
const ALWAYS_RETAINED: Record<SubjectKind, readonly string[]> = {
  contact: ["legal_limitation_period"],
  user: ["legal_limitation_period", "expired_sessions", "usage_logs_12_months"],
};

/** The rights the privacy policy grants, with their articles (GDPR; the CCPA's in brackets). */
export const RIGHTS: ReadonlyArray<{ right: string; article: string; how: string }> = [
  { right: "access", article: "GDPR Art. 15 (CCPA right to know)", how: "Ask for a copy of your data and this information; this export is that copy." },
  { right: "rectification", article: "GDPR Art. 16 (CCPA right to correct)", how: "Ask for inaccurate or incomplete data to be corrected." },
  {
    right: "erasure",
    article: "GDPR Art. 17 (CCPA right to delete)",
    how: "Ask for your data to be erased; what the law requires to keep is kept and you are told why.",
  },
  { right: "restriction", article: "GDPR Art. 18", how: "Ask for the processing of your data to be restricted while a dispute is settled." },
  { right: "portability", article: "GDPR Art. 20", how: "Receive your data in a structured, machine-readable format (this export in JSON or CSV)." },
  { right: "objection", article: "GDPR Art. 21", how: "Object to processing based on legitimate interests, and at any time to direct marketing." },
  {
    right: "withdraw_consent",
    article: "GDPR Art. 7(3)",
    how: "Withdraw a consent at any time, as easily as it was given (every marketing message carries a one-click unsubscribe link).",
  },
  {
    right: "no_automated_decisions",
    article: "GDPR Art. 22",
    how: "No decision producing legal or similarly significant effects is taken about you by automated means alone.",
  },
  { right: "complaint", article: "GDPR Art. 77", how: "Lodge a complaint with a supervisory authority, in France the CNIL (www.cnil.fr)." },
];

export interface Information {
  purposes: Row[];
  recipients: Row[];
  retention: Row[];
  rights: Row[];
}

/** The purposes that process this kind of person's data (purposes.yaml `dataSubjects`). */
export function purposesFor(policies: PolicySet, kind: SubjectKind): Purpose[] {
  return [...policies.purposes.values()].filter((p) => p.dataSubjects.includes(DATA_SUBJECT[kind]));
}

/**
 * The Art. 15 information for one person. `consented`/`objected`: the person's current consents
 * and objections, so each purpose says whether it applies to them today.
 */
export function information(policies: PolicySet, kind: SubjectKind, state: { consented: readonly string[]; objected: readonly string[] }): Information {
  const purposes = purposesFor(policies, kind);
  const purposeRows = purposes.map((p) => {
    const retention = policies.retention.get(p.retention);
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      lawfulBasis: p.lawfulBasis,
      gdprRole: p.gdprRole,
      controller: p.gdprRole === "processor" ? "the customer who keeps this CRM (Alpha CRM processes on its behalf)" : "Alpha CRM",
      dataCategories: p.dataCategories,
      recipients: p.processors.map((id) => policies.processors.get(id)?.name ?? id),
      retention: retention ? `${retention.name} (${retention.period})` : p.retention,
      objectable: p.objectable,
      consent: p.lawfulBasis === "consent" ? (state.consented.includes(p.id) ? "granted" : "not_given") : "not_required",
      objected: state.objected.includes(p.id),
      policySection: p.policySection ?? null,
    };
  });
  const processorIds = new Set(purposes.flatMap((p) => p.processors));
  const recipients = [...policies.processors.values()]
    .filter((p) => processorIds.has(p.id))
    .map((p) => ({
      id: p.id,
      name: p.name,
      service: p.service,
      location: p.location,
      transferSafeguard: p.transferSafeguard,
      contract: p.contract ?? null,
      purposes: p.purposes.filter((id) => purposes.some((q) => q.id === id)),
    }));
  const retentionIds = new Set([...purposes.map((p) => p.retention), ...ALWAYS_RETAINED[kind]]);
  const retention = [...policies.retention.values()]
    .filter((r) => retentionIds.has(r.id))
    .map((r) => ({ id: r.id, name: r.name, description: r.description, period: r.period, trigger: r.trigger, policySection: r.policySection ?? null }));
  return { purposes: purposeRows, recipients, retention, rights: RIGHTS.map((r) => ({ ...r })) };
}

/** Where a contact's data came from (Art. 14(2)(f)): the customer, and the consents' sources. */
export function contactSource(workspace: string | undefined, createdAt: Date | undefined, consentSources: readonly string[]): Row[] {
  const rows: Row[] = [
    {
      data: "identity, contact details, professional details, deals, interactions",
      source: `Provided by the customer (the controller${workspace ? `, ${workspace}` : ""}) who keeps this CRM, or recorded by its staff`,
      since: createdAt ?? null,
    },
  ];
  for (const source of consentSources) rows.push({ data: "consent records", source: `Given by the person (${source})`, since: null });
  return rows;
}

/** Where an account holder's data came from. */
export function userSource(createdAt: Date | undefined): Row[] {
  return [
    { data: "profile (name, email, role)", source: "Provided by you or by the owner of your workspace when the account was created", since: createdAt ?? null },
    { data: "sessions and usage events", source: "Recorded by the service as you use it (privacy policy section 2.2)", since: null },
    { data: "marketing consents", source: "Given by you in the app", since: null },
  ];
}
