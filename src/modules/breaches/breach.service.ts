import { actorId } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import { badInput, notFound } from "../../errors.js";
import { ensureAllowed, whereCan } from "../common/access.js";
import { cursorScope, isUuid } from "../common/crud.service.js";
import { EARLIEST_EVENT } from "../common/instants.js";
import { type PageArguments, pageRequest } from "../common/paging.js";
import type { Scope } from "../common/scope.js";
import { breachById, breachPage, detectedInFuture, foreignIds, insertBreach, markNotified, noticesFor } from "./breach.repository.js";
import { type BreachSeverity, type BreachTarget, type BreachView, breachView, DEFAULT_AUTHORITY, MAX_AFFECTED_IDS, requiredTargets } from "./breach.rules.js";

export interface ReportBreach {
  description: string;
  detectedAt: Date;
  severity: BreachSeverity;
  affectedContactIds?: readonly string[] | null;
  affectedUserIds?: readonly string[] | null;
  effects: string;
  remedialAction: string;
  authority?: string | null;
}

/** The role that speaks for the customer, the controller of its contacts (Art. 33(2) notices go to it). */
const CONTROLLER_ROLE = "owner";

/** Distinct, well-formed ids; the first bad one is named. */
function idList(ids: readonly string[] | null | undefined, field: string): string[] {
  const list = [...new Set(ids ?? [])];
  if (list.length > MAX_AFFECTED_IDS) throw badInput(field, `at most ${MAX_AFFECTED_IDS} ids; report a larger breach in several records`);
  const bad = list.find((id) => !isUuid(id));
  if (bad !== undefined) throw badInput(field, `"${bad}" is not an id`);
  return list;
}

function text(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === "") throw badInput(field, "must not be empty");
  return trimmed;
}

async function loadVisible(ctx: Scope, id: string, field = "id"): Promise<BreachView> {
  const found = await breachById(ctx.db, id, whereCan(ctx, "read", "Breach"));
  if (!found) throw notFound("Breach", id, field);
  return breachView(found);
}

export const breachService = {
  list: async (ctx: Scope, args: PageArguments) => {
    const page = await breachPage(ctx.db, whereCan(ctx, "read", "Breach"), pageRequest(args), cursorScope(ctx));
    return { ...page, rows: page.rows.map(breachView), cursorOf: (row: BreachView) => page.cursorOf(row) };
  },

  /**
   * Documents a breach (Art. 33(5)) with who it affected. Every affected id must be a row of
   * the caller's workspace: an unknown id and another tenant's get the same BAD_USER_INPUT, so
   * the answer never tells whether an id exists elsewhere.
   */
  async report(ctx: Scope, input: ReportBreach): Promise<BreachView> {
    const principal = ctx.principal!;
    const values = {
      workspaceId: principal.workspaceId,
      detectedAt: input.detectedAt,
      severity: input.severity,
      description: text(input.description, "input.description"),
      effects: text(input.effects, "input.effects"),
      remedialAction: text(input.remedialAction, "input.remedialAction"),
      authority: input.authority === undefined || input.authority === null ? DEFAULT_AUTHORITY : text(input.authority, "input.authority"),
      reportedBy: actorId(principal),
    };
    // Not in the future is checked below, against the database clock.
    if (Number.isNaN(input.detectedAt.getTime())) throw badInput("input.detectedAt", "is not a date");
    if (input.detectedAt < EARLIEST_EVENT) throw badInput("input.detectedAt", "must not be before 1900-01-01T00:00:00Z");
    const contactIds = idList(input.affectedContactIds, "input.affectedContactIds");
    const userIds = idList(input.affectedUserIds, "input.affectedUserIds");
    await ensureAllowed(ctx, "create", "Breach", values);
    const id = await ctx.db.transaction(async (tx) => {
      // Checked against the database clock, inside the transaction that writes.
      const future = await detectedInFuture(tx, input.detectedAt);
      if (future) throw badInput("input.detectedAt", "must not be in the future");
      if ((await foreignIds(tx, "contacts", principal.workspaceId, contactIds)).length > 0) {
        throw badInput("input.affectedContactIds", "every id must be a contact of your workspace");
      }
      if ((await foreignIds(tx, "users", principal.workspaceId, userIds)).length > 0) {
        throw badInput("input.affectedUserIds", "every id must be a user of your workspace");
      }
      const breachId = await insertBreach(tx, values, contactIds, userIds);
      await recordDecision(tx, ctx.policies, principal, {
        action: "create",
        subject: "Breach",
        subjectId: breachId,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { severity: values.severity, affectedContacts: contactIds.length, affectedUsers: userIds.length },
      });
      return breachId;
    });
    return loadVisible(ctx, id);
  },

  /**
   * Records that `target` was notified. A repeat is idempotent: the first time is kept (it is
   * the one the 72-hour deadline is measured against) and the breach is answered as it is.
   * A target the breach does not need (users when no account holder is affected, controllers
   * when no contact is) is BAD_USER_INPUT.
   */
  async recordNotification(ctx: Scope, id: string, target: BreachTarget): Promise<BreachView> {
    const breach = await loadVisible(ctx, id);
    await ensureAllowed(ctx, "update", "Breach", breach);
    if (!requiredTargets(breach).includes(target)) {
      throw badInput("target", target === "users" ? "no account holder is affected by this breach" : "no contact is affected by this breach");
    }
    await ctx.db.transaction(async (tx) => {
      const changed = await markNotified(tx, breach.id, target, whereCan(ctx, "update", "Breach"));
      await recordDecision(tx, ctx.policies, ctx.principal, {
        action: "update",
        subject: "Breach",
        subjectId: breach.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { notified: target, changed },
      });
    });
    return loadVisible(ctx, id);
  },

  /** Breach notices addressed to the signed-in user (see noticesFor); null on anyone else's profile. */
  async notices(ctx: Scope, user: { id: string; workspaceId: string; role: string }) {
    if (user.id !== ctx.principal?.userId) return null;
    return noticesFor(ctx.db, user, user.role === CONTROLLER_ROLE);
  },
};
