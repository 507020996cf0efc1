import { isIP } from "node:net";

/** What a grant may carry as proof: about the person, not the staff member who records it. */
export interface ConsentProof {
  noticeVersion?: string | null;
  subjectIp?: string | null;
  subjectUserAgent?: string | null;
  evidence?: string | null;
}
export type ProofField = keyof ConsentProof;

/**
 * The proof each grant source needs, so that the ledger can demonstrate the consent
 * (GDPR Art. 7(1)): the notice the person saw and a trace of the act itself. Declared once;
 * the validation and the GraphQL description of `grantConsent` are derived from it.
 * `evidence` says what the free-text evidence must hold for that source.
 */
export const CONSENT_PROOF = {
  form: { fields: ["noticeVersion", "subjectIp", "subjectUserAgent"] },
  signup_form: { fields: ["noticeVersion", "subjectIp", "subjectUserAgent"] },
  email_link: { fields: ["noticeVersion", "evidence"], evidence: "the message id" },
  verbal: { fields: ["noticeVersion", "evidence"], evidence: "who said what, when" },
  import: { fields: ["evidence"], evidence: "the source system and the original consent date" },
  api: { fields: ["noticeVersion", "evidence"], evidence: "the calling system's reference" },
} as const satisfies Record<string, { fields: readonly ProofField[]; evidence?: string }>;

export type GrantSource = keyof typeof CONSENT_PROOF;
export const GRANT_SOURCES = Object.keys(CONSENT_PROOF) as GrantSource[];
/** A withdrawal needs no proof beyond the ledger entry itself, and may also come from an unsubscribe link. */
export const WITHDRAW_SOURCES = [...GRANT_SOURCES, "unsubscribe_link"] as const;

/** `form: noticeVersion, subjectIp, subjectUserAgent; email_link: noticeVersion, evidence (the message id); ...` */
export function proofTable(): string {
  return Object.entries(CONSENT_PROOF)
    .map(([source, need]) => {
      const fields = need.fields.map((f) => (f === "evidence" && "evidence" in need ? `evidence (${need.evidence})` : f));
      return `${source}: ${fields.join(", ")}`;
    })
    .join("; ");
}

const blank = (value: string | null | undefined) => value === null || value === undefined || value.trim() === "";

/**
 * The proof with the notice in force filled in when the caller gave none, for the sources
 * where the person is shown a notice as they consent (those whose proof lists noticeVersion);
 * an import keeps what it brought, since the person consented elsewhere, earlier.
 */
export function withNoticeInForce(source: GrantSource, proof: ConsentProof, inForce: string | undefined): ConsentProof {
  const shown = (CONSENT_PROOF[source].fields as readonly ProofField[]).includes("noticeVersion");
  return shown && blank(proof.noticeVersion) && inForce !== undefined ? { ...proof, noticeVersion: inForce } : proof;
}

/**
 * The first problem with the proof for `source`, as [argument path, message], or undefined.
 * Every grant needs proof, so a re-grant after a withdrawal brings fresh proof by construction.
 */
export function proofProblem(source: GrantSource, proof: ConsentProof): [string, string] | undefined {
  const need = CONSENT_PROOF[source];
  for (const field of need.fields) {
    if (blank(proof[field])) {
      const what = field === "evidence" && "evidence" in need ? ` (${need.evidence})` : "";
      return [`proof.${field}`, `a consent given through ${source} needs ${field}${what}`];
    }
  }
  if (!blank(proof.subjectIp) && isIP(proof.subjectIp!.trim()) === 0) return ["proof.subjectIp", "must be an IPv4 or IPv6 address"];
  return undefined;
}
