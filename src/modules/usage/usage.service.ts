import type { SQL } from "drizzle-orm";
import { and, eq } from "drizzle-orm";
import type { LoginClient } from "../../auth/sessions.js";
import { usageEvents, type UsageKind } from "../../db/schema/index.js";
import { badInput, rateLimited, unauthenticated } from "../../errors.js";
import { ensureAllowed, whereCan } from "../common/access.js";
import { cursorScope } from "../common/crud.service.js";
import { idFilter, rangeFilter } from "../common/filters.js";
import type { PageArguments } from "../common/paging.js";
import { pageRequest } from "../common/paging.js";
import type { Scope } from "../common/scope.js";
import { deviceOf } from "./usage.device.js";
import { insertUsageEvent, recentReports, usagePage, type NewUsageEvent } from "./usage.repository.js";

/** What the frontend may report; logins and actions are recorded by the API itself. */
export type ReportedKind = Extract<UsageKind, "page_view" | "feature">;
export const MAX_USAGE_NAME = 200;
/**
 * Reported events a user may add per minute (one a second, beyond any real frontend): the
 * request rate limit alone let aliases (MAX_ALIASES per request) write 15 rows per request.
 */
export const MAX_REPORTS_PER_MINUTE = 60;

// A page path without query string or fragment (those often carry search terms, emails,
// tokens); a feature id is a dotted name. Both bounded before any pattern runs.
const PAGE_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const FEATURE_ID = /^[A-Za-z][A-Za-z0-9_.:-]*$/;

export interface UsageReport {
  kind: ReportedKind;
  name: string;
}

export interface UsageFilter {
  kind?: UsageKind | null;
  userId?: string | null;
  occurredAfter?: Date | null;
  occurredBefore?: Date | null;
}

/** What an action event keeps: names the schema defines and the outcome, never argument values. */
export interface ActionDetail {
  operation: string | null;
  fields: string[];
  outcome: "ok" | "error";
  errors?: string[];
}

function reportDetail(report: UsageReport): Record<string, string> {
  const name = report.name;
  if (name.length === 0 || name.length > MAX_USAGE_NAME) throw badInput("input.name", `must be 1 to ${MAX_USAGE_NAME} characters`);
  if (report.kind === "page_view") {
    if (!PAGE_PATH.test(name)) throw badInput("input.name", 'must be a page path such as "/contacts", without query string or fragment');
    return { path: name };
  }
  if (!FEATURE_ID.test(name)) throw badInput("input.name", 'must be a feature id such as "contacts.export" (letters, digits, . _ : -)');
  return { feature: name };
}

function filterOf(filter: UsageFilter | undefined): SQL | undefined {
  if (!filter) return undefined;
  return and(
    filter.kind ? eq(usageEvents.kind, filter.kind) : undefined,
    idFilter(usageEvents.userId, filter.userId, "filter.userId"),
    ...rangeFilter(usageEvents.occurredAt, filter.occurredAfter, filter.occurredBefore),
  );
}

/** An event of the signed-in user, from where the request came. */
function ownEvent(ctx: Scope, kind: UsageKind, detail: unknown): NewUsageEvent {
  const principal = ctx.principal;
  if (principal?.kind !== "user") throw unauthenticated();
  return { workspaceId: principal.workspaceId, userId: principal.userId, sessionId: ctx.client.sessionId ?? null, kind, ...usageService.clientOf(ctx), detail };
}

export const usageService = {
  /** Device, address and country of the request, as the usage log keeps them. */
  clientOf(ctx: Scope): LoginClient {
    return { device: deviceOf(ctx.client.userAgent), ip: ctx.client.ip || null, location: ctx.client.location ?? null };
  },

  /** A page view or feature use the frontend reports, for the caller only. */
  async report(ctx: Scope, report: UsageReport): Promise<boolean> {
    const row = ownEvent(ctx, report.kind, reportDetail(report));
    await ensureAllowed(ctx, "create", "UsageEvent", row);
    if ((await recentReports(ctx.db, row.userId, 60)) >= MAX_REPORTS_PER_MINUTE) {
      throw rateLimited(`At most ${MAX_REPORTS_PER_MINUTE} page views and feature uses a minute are recorded per user; try again later.`, 60);
    }
    await insertUsageEvent(ctx.db, row);
    return true;
  },

  /**
   * A mutation the signed-in user ran (the API's own record, privacy policy 2.2 "actions
   * performed"): collected like a login, whatever the role may read or write.
   */
  recordAction: (ctx: Scope, detail: ActionDetail) => insertUsageEvent(ctx.db, ownEvent(ctx, "action", detail)),

  /** Usage events the ability lets the caller see (all of the workspace, or only their own), newest first. */
  list(ctx: Scope, args: PageArguments, filter?: UsageFilter) {
    const page = pageRequest(args);
    const where = and(whereCan(ctx, "read", "UsageEvent"), filterOf(filter))!;
    return usagePage(ctx.db, where, page, cursorScope(ctx));
  },
};
