import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, tenantFk, tenantKey, updatedAt } from "./columns.js";
import { workspaces } from "./workspace.js";

export const PRIVACY_REQUEST_TYPES = ["access", "rectification", "erasure", "restriction", "portability", "objection", "withdraw_consent"] as const;
export const PRIVACY_REQUEST_STATUSES = ["received", "in_progress", "completed", "rejected"] as const;
/** Statuses in which the clock runs. */
export const OPEN_REQUEST_STATUSES = ["received", "in_progress"] as const;
export const PRIVACY_LAWS = ["gdpr", "ccpa"] as const;
export const VERIFICATION_METHODS = ["email_link", "account_signed_in", "id_document", "other"] as const;
export const REQUEST_ANSWER_KINDS = ["export", "erasure", "rectification", "restriction", "objection", "consent_withdrawal"] as const;

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

// A data subject's request (GDPR Art. 15-21, CCPA know/delete/correct) and its legal clock.
// About a contact of the workspace (the customer answers, Alpha is processor) or about a
// member of it (Alpha answers as controller): exactly one of contact_id / user_id. No foreign
// key to either: the request is the proof that a person was answered and must outlive their
// erasure (the erasure report keeps it with that reason).
export const privacyRequests = pgTable(
  "privacy_requests",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "restrict" }),
    contactId: uuid("contact_id"),
    userId: uuid("user_id"),
    type: text("type").notNull(),
    law: text("law").notNull().default("gdpr"),
    status: text("status").notNull().default("received"),
    // What the person asked, in their words (which fields are wrong, which data...).
    details: text("details"),
    verificationMethod: text("verification_method"),
    verificationNote: text("verification_note"),
    verifiedAt: at("verified_at"),
    verifiedById: uuid("verified_by"),
    receivedAt: at("received_at").notNull(),
    dueAt: at("due_at").notNull(),
    extendedUntil: at("extended_until"),
    extensionReason: text("extension_reason"),
    startedAt: at("started_at"),
    completedAt: at("completed_at"),
    rejectedAt: at("rejected_at"),
    rejectionReason: text("rejection_reason"),
    createdById: uuid("created_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    tenantKey(t),
    check("privacy_requests_subject_check", sql`(contact_id is null) <> (user_id is null)`),
    check("privacy_requests_type_check", oneOf("type", PRIVACY_REQUEST_TYPES)),
    check("privacy_requests_status_check", oneOf("status", PRIVACY_REQUEST_STATUSES)),
    check("privacy_requests_law_check", oneOf("law", PRIVACY_LAWS)),
    check("privacy_requests_verification_check", sql`verification_method is null or ${oneOf("verification_method", VERIFICATION_METHODS)}`),
    // Extended once, and always with the reason the person must be told (Art. 12(3)).
    check("privacy_requests_extension_check", sql`(extended_until is null) = (extension_reason is null)`),
    check("privacy_requests_rejection_check", sql`(status = 'rejected') = (rejection_reason is not null)`),
    index("privacy_requests_ws_idx").on(t.workspaceId, t.receivedAt, t.id),
    index("privacy_requests_due_idx").on(t.workspaceId, t.dueAt, t.id),
    index("privacy_requests_open_idx").on(t.workspaceId, sql`coalesce(extended_until, due_at)`).where(sql`status in ('received', 'in_progress')`),
    index("privacy_requests_contact_idx").on(t.workspaceId, t.contactId),
    index("privacy_requests_user_idx").on(t.workspaceId, t.userId),
  ],
);

// What answered a request: the export, the erasure report, the rectified record... (kind +
// an opaque reference the answering module chooses). Several per request.
export const privacyRequestAnswers = pgTable(
  "privacy_request_answers",
  {
    id: id(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "restrict" }),
    requestId: uuid("request_id").notNull(),
    kind: text("kind").notNull(),
    ref: text("ref").notNull(),
    linkedById: uuid("linked_by"),
    linkedAt: at("linked_at").notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    tenantFk("privacy_request_answers_request_fk", t.workspaceId, t.requestId, privacyRequests).onDelete("cascade"),
    check("privacy_request_answers_kind_check", oneOf("kind", REQUEST_ANSWER_KINDS)),
    uniqueIndex("privacy_request_answers_key").on(t.workspaceId, t.requestId, t.kind, t.ref),
  ],
);
