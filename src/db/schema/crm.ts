import { sql, type SQL } from "drizzle-orm";
import { boolean, check, index, numeric, pgTable, text, timestamp, uuid, type AnyPgColumn, type PgColumn } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, tenantFk, tenantKey, updatedAt } from "./columns.js";
import { users, workspaces } from "./workspace.js";

export const DEAL_STAGES = ["lead", "qualified", "proposal", "negotiation", "won", "lost"] as const;
export const INTERACTION_KINDS = ["call", "email", "meeting", "note", "sms"] as const;

const workspaceRef = () =>
  uuid("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" });
const ownerRef = () => uuid("owner_id");
// The owner link: `on delete set null (owner_id)` in drizzle/0020_tenant_keys.sql, like every
// tenant foreign key below that sets null (drizzle cannot name the column to clear).
const ownerFk = (table: string, t: { workspaceId: PgColumn; ownerId: PgColumn }) =>
  tenantFk(`${table}_owner_fk`, t.workspaceId, t.ownerId, users).onDelete("set null");

export const companies = pgTable(
  "companies",
  {
    id: id(),
    workspaceId: workspaceRef(),
    ownerId: ownerRef(),
    name: text("name").notNull(),
    domain: text("domain"),
    industry: text("industry"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    tenantKey(t),
    ownerFk("companies", t),
    index("companies_ws_created_idx").on(t.workspaceId, t.createdAt, t.id),
    index("companies_ws_updated_idx").on(t.workspaceId, t.updatedAt, t.id),
    index("companies_ws_name_idx").on(t.workspaceId, t.name, t.id),
  ],
);

/**
 * Every searched value of a contact in one text (names, then email): a row whose first name,
 * last name, full name or email contains a term has this text contain it too, so the search
 * can ask the trigram index for this text first and then decide each field's gate.
 */
export function contactSearchText(t: { firstName: AnyPgColumn; lastName: AnyPgColumn; email: AnyPgColumn }): SQL {
  return sql`${t.firstName} || ' ' || ${t.lastName} || ' ' || coalesce(${t.email}, '')`;
}

export const contacts = pgTable(
  "contacts",
  {
    id: id(),
    workspaceId: workspaceRef(),
    // Deleting a company keeps its people; they just lose the link.
    companyId: uuid("company_id"),
    ownerId: ownerRef(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    email: text("email"),
    phone: text("phone"),
    position: text("position"),
    // Privacy state, denormalised from the ledgers in the same transaction so that every
    // purpose guard is one indexed array/flag condition in the list query.
    consentedPurposes: text("consented_purposes").array().notNull().default(sql`'{}'::text[]`),
    objectedPurposes: text("objected_purposes").array().notNull().default(sql`'{}'::text[]`),
    processingRestricted: boolean("processing_restricted").notNull().default(false),
    erasedAt: timestamp("erased_at", { withTimezone: true, precision: 3 }),
    // Every address this record held before its current one, lower-cased, appended by the
    // UPDATE that changes the email. A person's objections and restriction follow every address
    // a record of them ever had (standingObjections), so moving the record off an address does
    // not free it for a copy without them. Personal data: erasure empties it, the export lists it.
    formerEmails: text("former_emails").array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    tenantKey(t),
    tenantFk("contacts_company_fk", t.workspaceId, t.companyId, companies).onDelete("set null"),
    ownerFk("contacts", t),
    index("contacts_ws_created_idx").on(t.workspaceId, t.createdAt, t.id),
    index("contacts_ws_updated_idx").on(t.workspaceId, t.updatedAt, t.id),
    index("contacts_ws_last_name_idx").on(t.workspaceId, t.lastName, t.id),
    index("contacts_ws_email_idx").on(t.workspaceId, sql`lower(${t.email})`),
    index("contacts_company_idx").on(t.companyId),
    index("contacts_consented_gin").using("gin", t.consentedPurposes),
    index("contacts_objected_gin").using("gin", t.objectedPurposes),
    index("contacts_former_emails_gin").using("gin", t.formerEmails),
    // What the purpose gates filter on (#12). Every purpose but legal_compliance sees only the
    // people neither erased nor restricted: their lists and totalCount read this index alone.
    index("contacts_ws_visible_created_idx").on(t.workspaceId, t.createdAt, t.id).where(sql`${t.erasedAt} is null and not ${t.processingRestricted}`),
    // The few restricted or erased people: the gates on deals and interactions look their
    // person up here (`not exists (... processing_restricted)`) instead of reading contacts.
    index("contacts_restricted_idx").on(t.id).where(sql`${t.processingRestricted}`),
    index("contacts_erased_idx").on(t.id).where(sql`${t.erasedAt} is not null`),
    // Search ("contains", any case) at a million people: one trigram index over the searched
    // text (contactSearchText), a necessary condition checked before the per-field gates.
    index("contacts_search_trgm").using("gin", sql`(${contactSearchText(t)}) gin_trgm_ops`),
  ],
);

export const deals = pgTable(
  "deals",
  {
    id: id(),
    workspaceId: workspaceRef(),
    // A deal is business data: it outlives the person and only loses the link.
    contactId: uuid("contact_id"),
    companyId: uuid("company_id"),
    ownerId: ownerRef(),
    title: text("title").notNull(),
    stage: text("stage").notNull().default("lead"),
    amount: numeric("amount", { precision: 14, scale: 2, mode: "number" }),
    currency: text("currency").notNull().default("EUR"),
    closedAt: timestamp("closed_at", { withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    tenantKey(t),
    tenantFk("deals_contact_fk", t.workspaceId, t.contactId, contacts).onDelete("set null"),
    tenantFk("deals_company_fk", t.workspaceId, t.companyId, companies).onDelete("set null"),
    ownerFk("deals", t),
    check("deals_stage_check", oneOf("stage", DEAL_STAGES)),
    index("deals_ws_created_idx").on(t.workspaceId, t.createdAt, t.id),
    index("deals_ws_updated_idx").on(t.workspaceId, t.updatedAt, t.id),
    index("deals_ws_title_idx").on(t.workspaceId, t.title, t.id),
    index("deals_contact_idx").on(t.contactId, t.createdAt),
    index("deals_company_idx").on(t.companyId, t.createdAt),
  ],
);

export const interactions = pgTable(
  "interactions",
  {
    id: id(),
    workspaceId: workspaceRef(),
    // Communication history is the person's data: it goes with the contact.
    contactId: uuid("contact_id").notNull(),
    dealId: uuid("deal_id"),
    ownerId: ownerRef(),
    kind: text("kind").notNull(),
    // The purpose under which the interaction was recorded (an SMS under marketing_sms...).
    purpose: text("purpose").notNull(),
    subject: text("subject"),
    body: text("body"),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    tenantKey(t),
    tenantFk("interactions_contact_fk", t.workspaceId, t.contactId, contacts).onDelete("cascade"),
    tenantFk("interactions_deal_fk", t.workspaceId, t.dealId, deals).onDelete("set null"),
    ownerFk("interactions", t),
    check("interactions_kind_check", oneOf("kind", INTERACTION_KINDS)),
    index("interactions_ws_created_idx").on(t.workspaceId, t.createdAt, t.id),
    index("interactions_ws_updated_idx").on(t.workspaceId, t.updatedAt, t.id),
    index("interactions_ws_occurred_idx").on(t.workspaceId, t.occurredAt, t.id),
    index("interactions_contact_idx").on(t.contactId, t.occurredAt),
    index("interactions_deal_idx").on(t.dealId),
  ],
);
