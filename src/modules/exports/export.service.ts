import { randomUUID } from "node:crypto";
import type { Principal } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { PolicySet } from "../../authz/policy-loader.js";
import type { Db } from "../../db/client.js";
import { badInput, DomainError, forbidden, unauthenticated } from "../../errors.js";
import { isUuid } from "../common/crud.service.js";
import type { CursorCodec } from "../common/cursor.js";
import { contactForRights } from "../common/rights.js";
import { Scope, type ScopeSettings } from "../common/scope.js";
import type { ContactRow } from "../contacts/contact.type.js";
import { pendingNotices } from "../policy-versions/policy-version.repository.js";
import { checkRequestAnswer, linkRequestAnswer } from "../privacy-requests/request-answers.js";
import { contactSource, information, type SubjectKind, userSource } from "./export.information.js";
import {
  allRows,
  consentSources,
  contactBreaches,
  contactCompany,
  contactConsents,
  contactDeals,
  contactInteractions,
  contactPrivacyHistory,
  contactRequests,
  contactRow,
  type PageReader,
  principalOf,
  userAcknowledgements,
  userBreaches,
  userConsents,
  userCreatedAt,
  userProfile,
  userRequests,
  userSessions,
  userUsage,
  workspaceName,
} from "./export.repository.js";
import { type ExportFormat, MEDIA_TYPES, render, type RenderStats, type Section } from "./export.render.js";
import { DOWNLOAD_TTL_MINUTES, type ExportLinks, type ExportTicket } from "./export.token.js";

/**
 * Access (Art. 15) and portability (Art. 20) exports: every piece of personal data about one
 * person across the tables, with the Art. 15 information from policies/. A small export comes
 * back in `content`; a larger one gets a sealed download link valid DOWNLOAD_TTL_MINUTES, whose
 * route streams it from the database page by page. Every export and download is in the
 * decision log with its counts and size, never its content.
 */

/** Exports up to this size (UTF-8 bytes) are returned inline; larger ones as a download link. */
export const INLINE_LIMIT_BYTES = 256 * 1024;

export interface DataExportResult {
  id: string;
  format: ExportFormat;
  sizeBytes: number;
  content: string | null;
  downloadUrl: string | null;
  expiresAt: Date | null;
}

const FORMATS: readonly ExportFormat[] = ["json", "csv"];

function readerSection(db: Db, name: string, reader: PageReader, single = false): Section {
  return { name, columns: reader.columns, single, rows: { [Symbol.asyncIterator]: () => allRows(db, reader)[Symbol.asyncIterator]() } };
}

function memorySection(name: string, rows: Array<Record<string, unknown>>): Section {
  return { name, columns: rows.length > 0 ? Object.keys(rows[0]) : [], rows };
}

interface Plan {
  head: Record<string, unknown>;
  sections: Section[];
}

/** A contact's export: the Art. 15 information first, then their data table by table. */
async function contactPlan(db: Db, policies: PolicySet, exportId: string, format: ExportFormat, contact: ContactRow): Promise<Plan> {
  const ws = contact.workspaceId;
  const workspace = await workspaceName(db, ws);
  const info = information(policies, "contact", { consented: contact.consentedPurposes ?? [], objected: contact.objectedPurposes ?? [] });
  const sources = await consentSources(db, ws, contact.id);
  return {
    head: {
      id: exportId,
      exportedAt: new Date(),
      format,
      subject: "contact",
      subjectId: contact.id,
      controller: workspace ?? null,
      processor: "Alpha CRM",
    },
    sections: [
      memorySection("purposes", info.purposes),
      memorySection("recipients", info.recipients),
      memorySection("retention", info.retention),
      memorySection("source", contactSource(workspace, contact.createdAt, sources)),
      memorySection("rights", info.rights),
      readerSection(db, "contact", contactRow(ws, contact.id), true),
      readerSection(db, "company", contactCompany(ws, contact.id), true),
      readerSection(db, "deals", contactDeals(ws, contact.id)),
      readerSection(db, "interactions", contactInteractions(ws, contact.id)),
      readerSection(db, "consentEvents", contactConsents(ws, contact.id)),
      readerSection(db, "restrictionsAndObjections", contactPrivacyHistory(ws, contact.id)),
      readerSection(db, "privacyRequests", contactRequests(ws, contact.id)),
      readerSection(db, "breachNotices", contactBreaches(ws, contact.id)),
    ],
  };
}

/** An account holder's export of their own data. */
async function userPlan(db: Db, policies: PolicySet, exportId: string, format: ExportFormat, principal: Principal): Promise<Plan> {
  const ws = principal.workspaceId;
  const user = await userCreatedAt(db, ws, principal.userId);
  const info = information(policies, "user", { consented: user?.consentedPurposes ?? [], objected: [] });
  const notices = user ? await pendingNotices(db, { id: principal.userId, workspaceId: ws, createdAt: user.createdAt }) : [];
  return {
    head: {
      id: exportId,
      exportedAt: new Date(),
      format,
      subject: "user",
      subjectId: principal.userId,
      controller: "Alpha CRM",
      workspace: (await workspaceName(db, ws)) ?? null,
    },
    sections: [
      memorySection("purposes", info.purposes),
      memorySection("recipients", info.recipients),
      memorySection("retention", info.retention),
      memorySection("source", userSource(user?.createdAt)),
      memorySection("rights", info.rights),
      readerSection(db, "profile", userProfile(ws, principal.userId), true),
      readerSection(db, "sessions", userSessions(ws, principal.userId)),
      readerSection(db, "usageEvents", userUsage(ws, principal.userId)),
      readerSection(db, "consentEvents", userConsents(ws, principal.userId)),
      readerSection(db, "policyAcknowledgements", userAcknowledgements(ws, principal.userId)),
      {
        name: "policyNotices",
        columns: ["version", "summary", "material", "publishedAt"],
        rows: notices.map((n) => ({ version: n.version, summary: n.summary, material: n.material, publishedAt: n.publishedAt })),
      },
      readerSection(db, "breachNotices", userBreaches(ws, principal.userId)),
      readerSection(db, "privacyRequests", userRequests(ws, principal.userId)),
    ],
  };
}

function formatArg(format: string): ExportFormat {
  if (!FORMATS.includes(format as ExportFormat)) throw badInput("format", "must be JSON or CSV");
  return format as ExportFormat;
}

/**
 * Renders the plan once: kept whole while it fits INLINE_LIMIT_BYTES, otherwise only counted
 * (the chunks are dropped) and a download link is issued, which renders it again as a stream.
 */
async function deliver(links: ExportLinks, plan: Plan, ticket: ExportTicket): Promise<{ result: DataExportResult; stats: RenderStats }> {
  const stats: RenderStats = { counts: {}, bytes: 0 };
  let kept: string[] | undefined = [];
  for await (const chunk of render(ticket.format, plan.head, plan.sections, stats)) {
    if (!kept) continue;
    kept.push(chunk);
    if (stats.bytes > INLINE_LIMIT_BYTES) kept = undefined;
  }
  const base = { id: ticket.exportId, format: ticket.format, sizeBytes: stats.bytes };
  if (kept) return { result: { ...base, content: kept.join(""), downloadUrl: null, expiresAt: null }, stats };
  return { result: { ...base, content: null, downloadUrl: links.url(ticket), expiresAt: ticket.expiresAt }, stats };
}

function ticketFor(principal: Principal, kind: SubjectKind, subjectId: string, format: ExportFormat, purpose: string): ExportTicket {
  return {
    exportId: randomUUID(),
    workspaceId: principal.workspaceId,
    kind,
    subjectId,
    format,
    principalId: principal.userId,
    purpose,
    expiresAt: new Date(Date.now() + DOWNLOAD_TTL_MINUTES * 60_000),
  };
}

/** What the decision log keeps of an export: ids, format, counts and size; never content. */
function logDetail(ticket: ExportTicket, result: DataExportResult, stats: RenderStats, requestId?: string | null) {
  return {
    exportId: ticket.exportId,
    format: ticket.format,
    sizeBytes: stats.bytes,
    counts: stats.counts,
    delivery: result.content === null ? "download_link" : "inline",
    ...(requestId ? { requestId } : {}),
  };
}

/** What the download route needs besides the token. */
export interface ExportDeps {
  db: Db;
  policies: PolicySet;
  cursors: CursorCodec;
  settings: ScopeSettings;
  links: ExportLinks;
}

/** A download the route may stream, or why not (an HTTP status and a message that reveals nothing). */
export type Download =
  | { ok: true; mediaType: string; filename: string; chunks: AsyncGenerator<string> }
  | { ok: false; status: 400 | 403 | 404 | 410; message: string };

const REFUSED = {
  invalid: { ok: false, status: 400, message: "This download link is not valid." },
  expired: { ok: false, status: 410, message: "This download link has expired; export again to get a new one." },
  gone: { ok: false, status: 404, message: "There is nothing to download at this link." },
  forbidden: { ok: false, status: 403, message: "You may no longer download this export." },
} as const satisfies Record<string, Download>;

export const exportService = {
  /**
   * Exports one contact's data (privacy action `export`, the contact found under
   * legal_compliance). With `requestId`, the export answers that ACCESS or PORTABILITY request
   * (linked in the same transaction as its decision-log entry).
   */
  async exportContact(ctx: Scope, links: ExportLinks, contactId: string, format: string, requestId?: string | null): Promise<DataExportResult> {
    const fmt = formatArg(format);
    const principal = ctx.principal;
    if (principal?.kind !== "user")
      throw forbidden({ rule: "exports.users_only", reason: "Exports are made by a signed-in user, who is accountable for them." });
    if (requestId != null) {
      if (!isUuid(requestId)) throw badInput("requestId", `"${requestId}" is not an id`);
      if (isUuid(contactId)) await checkRequestAnswer(ctx, requestId, { kind: "export", ref: "check", about: { contactId: contactId.toLowerCase() } });
    }
    const contact = await contactForRights(ctx, contactId, "export");
    const ticket = ticketFor(principal, "contact", contact.id, fmt, ctx.purpose?.id ?? "legal_compliance");
    const { result, stats } = await deliver(links, await contactPlan(ctx.db, ctx.policies, ticket.exportId, fmt, contact), ticket);
    await ctx.db.transaction(async (tx) => {
      await recordDecision(tx, ctx.policies, principal, {
        action: "export",
        subject: "Contact",
        subjectId: contact.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: logDetail(ticket, result, stats, requestId),
      });
      if (requestId != null) await linkRequestAnswer(tx, ctx, requestId, { kind: "export", ref: ticket.exportId, about: { contactId: contact.id } });
    });
    return result;
  },

  /** A signed-in user's own account data (they are the person: no other permission needed). */
  async exportMine(ctx: Scope, links: ExportLinks, format: string): Promise<DataExportResult> {
    const fmt = formatArg(format);
    const principal = ctx.principal;
    if (!principal) throw unauthenticated();
    if (principal.kind !== "user" || !principal.userId)
      throw forbidden({ rule: "self.export", reason: "Only a signed-in user exports their own account data." });
    const ticket = ticketFor(principal, "user", principal.userId, fmt, ctx.purpose?.id ?? "service_provision");
    const { result, stats } = await deliver(links, await userPlan(ctx.db, ctx.policies, ticket.exportId, fmt, principal), ticket);
    await recordDecision(ctx.db, ctx.policies, principal, {
      action: "export",
      subject: "User",
      subjectId: principal.userId,
      purpose: ctx.purpose?.id,
      decision: "allow",
      rule: "self.export",
      detail: logDetail(ticket, result, stats),
    });
    return result;
  },

  /**
   * A download link, checked again as its user is now: the link is sealed and unexpired, the
   * user still belongs to the workspace, and (for a contact) still holds `export` on the
   * contact. The export is rendered again from the database as a stream of chunks.
   */
  async download(deps: ExportDeps, token: string, client: { ip: string }): Promise<Download> {
    const opened = deps.links.open(token);
    if (!opened.ok) return REFUSED[opened.reason];
    const t = opened.ticket;
    const principal = await principalOf(deps.db, t.workspaceId, t.principalId);
    if (!principal) return REFUSED.forbidden;
    const scope = new Scope(deps.db, deps.policies, deps.settings, client, principal, deps.policies.purposes.get(t.purpose), deps.cursors);
    let plan: Plan;
    if (t.kind === "contact") {
      let contact: ContactRow;
      try {
        contact = await contactForRights(scope, t.subjectId, "export");
      } catch (error) {
        if (error instanceof DomainError) return error.code === "forbidden" ? REFUSED.forbidden : REFUSED.gone;
        throw error;
      }
      plan = await contactPlan(deps.db, deps.policies, t.exportId, t.format, contact);
    } else {
      if (t.subjectId !== principal.userId) return REFUSED.forbidden;
      plan = await userPlan(deps.db, deps.policies, t.exportId, t.format, principal);
    }
    const stats: RenderStats = { counts: {}, bytes: 0 };
    const policies = deps.policies;
    const db = deps.db;
    async function* logged(): AsyncGenerator<string> {
      yield* render(t.format, plan.head, plan.sections, stats);
      await recordDecision(db, policies, principal, {
        action: "download_export",
        subject: t.kind === "contact" ? "Contact" : "User",
        subjectId: t.subjectId,
        purpose: t.purpose,
        decision: "allow",
        detail: { exportId: t.exportId, format: t.format, sizeBytes: stats.bytes, counts: stats.counts },
      });
    }
    const stamp = new Date().toISOString().slice(0, 10);
    return { ok: true, mediaType: MEDIA_TYPES[t.format], filename: `alpha-crm-export-${t.kind}-${stamp}.${t.format}`, chunks: logged() };
  },
};
