import { sql } from "drizzle-orm";
import { bigserial, check, index, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, tenantKey } from "./columns.js";
import { workspaces } from "./workspace.js";

export const CONSENT_SOURCES = ["form", "signup_form", "import", "api", "verbal", "email_link", "unsubscribe_link"] as const;
export const CONSENT_STATES = ["granted", "withdrawn"] as const;
export const CONSENT_CHANNELS = ["email", "sms"] as const;
export const PRIVACY_EVENT_KINDS = ["restricted", "subject_informed", "restriction_lifted", "objected", "compelling_grounds"] as const;

// Append-only proof of consent (Art. 7(1)). A trigger (drizzle/0001_*.sql) rejects UPDATE,
// DELETE and TRUNCATE unless a transaction sets `alpha.ledger_maintenance` (erasure and
// retention only). No foreign key points at the contact: no cascade may rewrite the proof.
export const consentEvents = pgTable(
  "consent_events",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "restrict" }),
    contactId: uuid("contact_id"),
    // Alpha CRM's own marketing to its account holders, where Alpha is the controller.
    subjectUserId: uuid("subject_user_id"),
    purpose: text("purpose").notNull(),
    channel: text("channel").notNull(),
    state: text("state").notNull(),
    source: text("source").notNull(),
    noticeVersion: text("notice_version"),
    subjectIp: text("subject_ip"),
    subjectUserAgent: text("subject_user_agent"),
    evidence: text("evidence"),
    recordedBy: uuid("recorded_by"),
    createdAt: createdAt(),
  },
  (t) => [
    tenantKey(t),
    check("consent_events_subject_check", sql`(contact_id is null) <> (subject_user_id is null)`),
    check("consent_events_state_check", oneOf("state", CONSENT_STATES)),
    check("consent_events_source_check", oneOf("source", CONSENT_SOURCES)),
    check("consent_events_channel_check", oneOf("channel", CONSENT_CHANNELS)),
    index("consent_events_contact_idx").on(t.contactId, t.purpose, t.createdAt),
    index("consent_events_user_idx").on(t.subjectUserId, t.purpose, t.createdAt),
  ],
);

// History of restriction (Art. 18) and objection (Art. 21) decisions; append-only like the
// consent ledger, and for the same reason.
export const contactPrivacyEvents = pgTable(
  "contact_privacy_events",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "restrict" }),
    contactId: uuid("contact_id").notNull(),
    kind: text("kind").notNull(),
    purpose: text("purpose"),
    reason: text("reason"),
    recordedBy: uuid("recorded_by"),
    createdAt: createdAt(),
  },
  (t) => [
    tenantKey(t),
    check("contact_privacy_events_kind_check", oneOf("kind", PRIVACY_EVENT_KINDS)),
    index("contact_privacy_events_contact_idx").on(t.contactId, t.createdAt),
  ],
);

// Decision log: denials and privacy actions (who, what, purpose, rule, when).
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigserial("seq", { mode: "number" }).notNull(),
    // The platform's own entries (no workspace) carry PLATFORM_WORKSPACE_ID, so the column can
    // be Citus's distribution column; their hash is computed as if it were null (audit-chain.ts).
    workspaceId: uuid("workspace_id").notNull(),
    actorId: uuid("actor_id"),
    actorRole: text("actor_role"),
    action: text("action").notNull(),
    subject: text("subject").notNull(),
    subjectId: text("subject_id"),
    purpose: text("purpose"),
    decision: text("decision").notNull(),
    rule: text("rule"),
    reason: text("reason"),
    detail: jsonb("detail"),
    /** The digest of the policy in force (policy_versions_loaded); null on entries from before it was recorded. */
    policyDigest: text("policy_digest"),
    createdAt: createdAt(),
    /** The hash of the previous entry of the same chain (per workspace; null for the first, or after a checkpoint's anchor). */
    prevHash: text("prev_hash"),
    /** sha256 over this entry's columns and prevHash (src/modules/audit/audit-chain.ts); null on entries older than the chain. */
    hash: text("hash"),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.seq] }),
    check("audit_log_decision_check", oneOf("decision", ["allow", "deny"])),
    index("audit_log_ws_idx").on(t.workspaceId, t.seq),
  ],
);
