import { actorId } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { badInput, notFound } from "../../errors.js";
import { ensureAllowed, whereCan } from "../common/access.js";
import { CrudService, isUuid } from "../common/crud.service.js";
import { OrderDirection, type PageRequest } from "../common/paging.js";
import type { Scope } from "../common/scope.js";
import { contactService } from "../contacts/contact.service.js";
import { countAnswers, insertRequest, lockRequest, memberExists, requestFilter, updateRequest, workspaceTimeZone } from "./privacy-request.repository.js";
import type { PrivacyRequestRow, RequestLaw, RequestOrderField, RequestStatus, RequestType, VerificationMethodValue } from "./privacy-request.type.js";
import { ANSWERED_BY_DECISION } from "./request-answers.js";
import { dueAtFor, extendedUntilFor, GDPR_MAX_EXTENSION_MONTHS, isOverdue } from "./request-clock.js";

const crud = new CrudService<PrivacyRequestRow>("PrivacyRequest");

/** The CCPA grants these (know, delete, correct); the rest are GDPR rights. */
const CCPA_TYPES: readonly RequestType[] = ["access", "portability", "erasure", "rectification"];
/** Nothing before the GDPR applied (25 May 2018) is a request this system answers. */
const EARLIEST_RECEIPT = new Date("2018-05-25T00:00:00Z");
/** Clocks of clients and server disagree a little; a receipt a minute ahead is "now". */
const CLOCK_SKEW_MS = 60_000;
const DAY_MS = 86_400_000;

export interface VerificationInput {
  method: VerificationMethodValue;
  note?: string | null;
}

export interface SubmitInput {
  type: RequestType;
  contactId?: string | null;
  userId?: string | null;
  law?: RequestLaw | null;
  receivedAt?: Date | null;
  details?: string | null;
  verification?: VerificationInput | null;
}

export interface ListFilter {
  types?: RequestType[] | null;
  statuses?: RequestStatus[] | null;
  overdue?: boolean | null;
  open?: boolean | null;
  dueBefore?: Date | null;
  dueWithinDays?: number | null;
  contactId?: string | null;
  userId?: string | null;
}

function text(field: string, value: string, min: number, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) throw badInput(field, `must be ${min} to ${max} characters`);
  return trimmed;
}

function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value == null || value.trim() === "") return null;
  return text(field, value, 1, max);
}

/** The verification columns, checked: OTHER must say what was done. */
function verificationColumns(ctx: Scope, field: string, v: VerificationInput) {
  const note = optionalText(`${field}.note`, v.note, 500);
  if (v.method === "other" && (note === null || note.length < 3)) throw badInput(`${field}.note`, "say how the identity was verified (3 to 500 characters)");
  return { verificationMethod: v.method, verificationNote: note, verifiedAt: new Date(), verifiedById: actorId(ctx.principal) };
}

function receivedAtOf(value: Date | null | undefined): Date {
  const now = Date.now();
  if (value == null) return new Date(now);
  if (value.getTime() > now + CLOCK_SKEW_MS) throw badInput("input.receivedAt", "cannot be in the future");
  if (value < EARLIEST_RECEIPT) throw badInput("input.receivedAt", "cannot be before 25 May 2018");
  return value;
}

function listFilter(filter: ListFilter | null | undefined) {
  if (!filter) return undefined;
  for (const field of ["contactId", "userId"] as const) {
    const id = filter[field];
    if (id != null && !isUuid(id)) throw badInput(`filter.${field}`, `"${id}" is not an id`);
  }
  const days = filter.dueWithinDays;
  if (days != null && (!Number.isInteger(days) || days < 1 || days > 366)) throw badInput("filter.dueWithinDays", "must be 1 to 366");
  const soon = days != null ? new Date(Date.now() + days * DAY_MS) : undefined;
  const dueBefore = [filter.dueBefore ?? undefined, soon].filter((d): d is Date => d !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
  return requestFilter({
    types: filter.types ?? undefined,
    statuses: filter.statuses ?? undefined,
    overdue: filter.overdue ?? undefined,
    open: days != null ? true : (filter.open ?? undefined),
    dueBefore,
    contactId: filter.contactId?.toLowerCase(),
    userId: filter.userId?.toLowerCase(),
  });
}

/** The person a request is about: a contact found under legal_compliance, or a member of the workspace. */
async function subjectOf(ctx: Scope, input: SubmitInput): Promise<{ contactId: string | null; userId: string | null }> {
  const hasContact = input.contactId != null;
  const hasUser = input.userId != null;
  if (hasContact === hasUser) throw badInput("input.contactId", "give either contactId or userId: the request is about one person");
  if (hasContact) {
    const contact = await contactService.getWith(ctx, input.contactId!, ctx.rightsAbility, "input.contactId");
    return { contactId: contact.id, userId: null };
  }
  const userId = input.userId!.toLowerCase();
  if (!isUuid(userId) || !(await memberExists(ctx.db, ctx.principal!.workspaceId, userId))) throw notFound("User", input.userId!, "input.userId");
  return { contactId: null, userId };
}

type Step = (row: PrivacyRequestRow, tx: Db) => Promise<{ changes: Partial<PrivacyRequestRow>; detail: Record<string, unknown> }>;

const OPEN = new Set<string>(["received", "in_progress"]);
function ensureOpen(row: PrivacyRequestRow, verb: string): void {
  if (!OPEN.has(row.status)) throw badInput("id", `the request is ${row.status.toUpperCase()}; only an open request can be ${verb}`);
}

/**
 * One step of a request's life: checked against the role (`update`), applied under a row lock
 * so two steps never interleave, and logged in the decision log in the same transaction.
 */
async function step(ctx: Scope, id: string, action: string, apply: Step): Promise<PrivacyRequestRow> {
  const principal = ctx.principal!;
  const current = await crud.get(ctx, id, "id");
  await ensureAllowed(ctx, "update", "PrivacyRequest", current);
  await ctx.db.transaction(async (tx: Db) => {
    const row = await lockRequest(tx, current.id, whereCan(ctx, "update", "PrivacyRequest"));
    if (!row) throw notFound("PrivacyRequest", id, "id");
    const { changes, detail } = await apply(row, tx);
    await updateRequest(tx, row, changes);
    await recordDecision(tx, ctx.policies, principal, {
      action,
      subject: "PrivacyRequest",
      subjectId: row.id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { type: row.type, law: row.law, contactId: row.contactId, userId: row.userId, ...detail },
    });
  });
  return crud.get(ctx, id);
}

export const privacyRequestService = {
  list(ctx: Scope, page: PageRequest, filter?: ListFilter | null, order?: { field: RequestOrderField; direction: OrderDirection } | null) {
    const sort = order ? { field: order.field.toUpperCase(), direction: order.direction } : { field: "RECEIVED_AT", direction: OrderDirection.DESC };
    return crud.list(ctx, page, listFilter(filter), sort);
  },

  get: (ctx: Scope, id: string) => crud.get(ctx, id),

  /**
   * Records a request. Its deadline is counted from receipt in the workspace's time zone; a
   * request that came by post may be back-dated, never dated in the future.
   */
  async submit(ctx: Scope, input: SubmitInput): Promise<PrivacyRequestRow> {
    const principal = ctx.principal!;
    const law = input.law ?? "gdpr";
    if (law === "ccpa" && !CCPA_TYPES.includes(input.type))
      throw badInput("input.type", "the CCPA grants the rights to know, delete and correct only (ACCESS, PORTABILITY, ERASURE, RECTIFICATION)");
    const receivedAt = receivedAtOf(input.receivedAt);
    const details = optionalText("input.details", input.details, 2000);
    const verification = input.verification ? verificationColumns(ctx, "input.verification", input.verification) : {};
    const person = await subjectOf(ctx, input);
    const row = { workspaceId: principal.workspaceId, ...person, type: input.type, law, status: "received" };
    await ensureAllowed(ctx, "create", "PrivacyRequest", row);
    const zone = (await workspaceTimeZone(ctx.db, principal.workspaceId)) ?? "UTC";
    const dueAt = dueAtFor(law, receivedAt, zone);
    const created = await ctx.db.transaction(async (tx: Db) => {
      const inserted = await insertRequest(tx, { ...row, details, receivedAt, dueAt, ...verification, createdById: actorId(principal) });
      await recordDecision(tx, ctx.policies, principal, {
        action: "submit_privacy_request",
        subject: "PrivacyRequest",
        subjectId: inserted.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: {
          type: input.type,
          law,
          ...person,
          receivedAt: receivedAt.toISOString(),
          dueAt: dueAt.toISOString(),
          timeZone: zone,
          verified: "verifiedAt" in verification,
        },
      });
      return inserted;
    });
    return crud.get(ctx, created.id);
  },

  /** Starts work on a request; the requester's identity must be verified first (Art. 12(6)), now or before. */
  start: (ctx: Scope, id: string, verification?: VerificationInput | null) =>
    step(ctx, id, "start_privacy_request", async (row) => {
      if (row.status !== "received") throw badInput("id", `the request is ${row.status.toUpperCase()}; only a RECEIVED request can be started`);
      const verified = verification ? verificationColumns(ctx, "verification", verification) : {};
      if (!row.verifiedAt && !verification) throw badInput("verification", "verify the requester's identity before acting on the request (GDPR Art. 12(6))");
      return {
        changes: { status: "in_progress", startedAt: new Date(), ...verified },
        detail: { verification: verification?.method ?? row.verificationMethod },
      };
    }),

  /**
   * Extends the deadline once (Art. 12(3): by up to two further months, counted from receipt;
   * CCPA: by 45 days), before the first deadline passes, with the reason the person is told.
   */
  extend: (ctx: Scope, id: string, reason: string, months?: number | null) =>
    step(ctx, id, "extend_privacy_request", async (row, tx) => {
      ensureOpen(row, "extended");
      const why = text("reason", reason, 5, 2000);
      if (row.extendedUntil) throw badInput("id", "the request was already extended; the law allows one extension");
      if (Date.now() > row.dueAt.getTime()) throw badInput("id", "the deadline has passed; an extension must be decided and told before dueAt");
      if (row.law === "ccpa" && months != null) throw badInput("months", "a CCPA extension is 45 days; leave months out");
      const by = months ?? GDPR_MAX_EXTENSION_MONTHS;
      if (!Number.isInteger(by) || by < 1 || by > GDPR_MAX_EXTENSION_MONTHS) throw badInput("months", `must be 1 or ${GDPR_MAX_EXTENSION_MONTHS}`);
      const zone = (await workspaceTimeZone(tx, row.workspaceId)) ?? "UTC";
      const extendedUntil = extendedUntilFor(row.law as RequestLaw, row.receivedAt, by, zone);
      return {
        changes: { extendedUntil, extensionReason: why },
        detail: { months: row.law === "ccpa" ? null : by, extendedUntil: extendedUntil.toISOString() },
      };
    }),

  /**
   * Completes a request: verified, and answered by at least one linked action unless its type
   * is answered by a decision (ANSWERED_BY_DECISION). A late completion is allowed and logged as late.
   */
  complete: (ctx: Scope, id: string) =>
    step(ctx, id, "complete_privacy_request", async (row, tx) => {
      ensureOpen(row, "completed");
      if (!row.verifiedAt) throw badInput("id", "verify the requester's identity before completing the request (GDPR Art. 12(6))");
      const answers = await countAnswers(tx, row);
      if (answers === 0 && !ANSWERED_BY_DECISION.includes(row.type as RequestType)) {
        throw badInput("id", `a ${row.type.toUpperCase()} request is answered by an action (an export, an erasure, a correction): link it first`);
      }
      return { changes: { status: "completed", completedAt: new Date() }, detail: { answers, late: isOverdue(row) } };
    }),

  /** Refuses a request (manifestly unfounded or excessive, identity not verifiable...), with a reason written for the person. */
  reject: (ctx: Scope, id: string, reason: string) =>
    step(ctx, id, "reject_privacy_request", async (row) => {
      ensureOpen(row, "rejected");
      const why = text("reason", reason, 5, 2000);
      return { changes: { status: "rejected", rejectedAt: new Date(), rejectionReason: why }, detail: { late: isOverdue(row) } };
    }),
};
