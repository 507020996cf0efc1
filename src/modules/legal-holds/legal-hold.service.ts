import { and, eq, isNotNull, isNull, type SQL } from "drizzle-orm";
import { actorId } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { legalHolds } from "../../db/schema/index.js";
import { badInput, notFound } from "../../errors.js";
import { ensureAllowed, whereCan } from "../common/access.js";
import { CrudService, isUuid } from "../common/crud.service.js";
import type { OrderInput } from "../common/entity-store.js";
import { OrderDirection, type PageRequest } from "../common/paging.js";
import type { Scope } from "../common/scope.js";
import { contactService } from "../contacts/contact.service.js";
import { insertHold, releaseHold } from "./legal-hold.repository.js";
import type { LegalHoldRow } from "./legal-hold.type.js";

const crud = new CrudService<LegalHoldRow>("LegalHold");
const NEWEST_FIRST: OrderInput = { field: "PLACED_AT", direction: OrderDirection.DESC };

function reasonText(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 5 || trimmed.length > 2000) throw badInput(field, "must be 5 to 2000 characters");
  return trimmed;
}

export interface HoldFilter {
  active?: boolean | null;
  contactId?: string | null;
}

function filterSql(filter: HoldFilter | undefined): SQL | undefined {
  if (!filter) return undefined;
  if (filter.contactId != null && !isUuid(filter.contactId)) throw badInput("filter.contactId", "is not an id");
  return and(
    filter.active === true ? isNull(legalHolds.releasedAt) : filter.active === false ? isNotNull(legalHolds.releasedAt) : undefined,
    filter.contactId != null ? eq(legalHolds.contactId, filter.contactId.toLowerCase()) : undefined,
  );
}

export const legalHoldService = {
  list: (ctx: Scope, page: PageRequest, filter?: HoldFilter) => crud.list(ctx, page, filterSql(filter), NEWEST_FIRST),

  get: (ctx: Scope, id: string) => crud.get(ctx, id),

  /**
   * Holds one contact (found under legal_compliance, like every privacy operation, so a
   * restricted person can be held) or, without a contact, the whole workspace. A second hold
   * on the same target is allowed: each has its own reason and is released on its own.
   */
  async place(ctx: Scope, input: { contactId?: string | null; reason: string }): Promise<LegalHoldRow> {
    const principal = ctx.principal!;
    const reason = reasonText("reason", input.reason);
    const contactId = input.contactId == null ? null : (await contactService.getWith(ctx, input.contactId, ctx.rightsAbility, "contactId")).id;
    const target: object = { workspaceId: principal.workspaceId, contactId };
    await ensureAllowed(ctx, "create", "LegalHold", target);
    const hold = await ctx.db.transaction(async (tx: Db) => {
      const row = await insertHold(tx, { workspaceId: principal.workspaceId, contactId, reason, placedById: actorId(principal) });
      await recordDecision(tx, ctx.policies, principal, {
        action: "place_legal_hold",
        subject: "LegalHold",
        subjectId: row.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { contactId, scope: contactId ? "contact" : "workspace" },
      });
      return row;
    });
    return crud.written(ctx, hold.id);
  },

  /** Releases a hold; retention and erasure resume for what it held (unless another hold still covers it). */
  async release(ctx: Scope, id: string, reason: string | null | undefined): Promise<LegalHoldRow> {
    const principal = ctx.principal!;
    const why = reason == null ? null : reasonText("reason", reason);
    const current = await crud.get(ctx, id);
    await ensureAllowed(ctx, "update", "LegalHold", current);
    if (current.releasedAt) throw badInput("id", "this legal hold is already released");
    const released = await ctx.db.transaction(async (tx: Db) => {
      if (!(await releaseHold(tx, whereCan(ctx, "update", "LegalHold"), id, actorId(principal), why))) return false;
      await recordDecision(tx, ctx.policies, principal, {
        action: "release_legal_hold",
        subject: "LegalHold",
        subjectId: id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        // The reason is on the hold (an erasure redacts the person in it), never in the decision log.
        detail: { contactId: current.contactId },
      });
      return true;
    });
    if (!released) throw notFound("LegalHold", id);
    return crud.get(ctx, id);
  },
};
