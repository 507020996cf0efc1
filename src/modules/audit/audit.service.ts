import DataLoader from "dataloader";
import { and } from "drizzle-orm";
import { type ChainVerification, verifyAuditChain } from "../../authz/audit-chain.js";
import { whereCan } from "../common/access.js";
import { cursorScope } from "../common/crud.service.js";
import type { PageArguments } from "../common/paging.js";
import { pageRequest } from "../common/paging.js";
import type { Scope } from "../common/scope.js";
import type { AuditLogFilter } from "./audit.input.js";
import { auditFilter, auditPage } from "./audit.repository.js";

export const auditService = {
  /** The decision log of the caller's workspace as the ability lets it see it, newest first. */
  list: (ctx: Scope, args: PageArguments, filter?: AuditLogFilter | null) =>
    auditPage(ctx.db, and(whereCan(ctx, "read", "AuditEntry"), auditFilter(filter))!, pageRequest(args), cursorScope(ctx)),

  /**
   * Checks the caller's workspace's hash chain from its start (or latest checkpoint) to its newest
   * entry, once per request: the check reads the whole chain, and fifteen aliases of one cheap-looking
   * field were fifteen full reads.
   */
  async verify(ctx: Scope) {
    const once = ctx.loader(
      "AuditEntry:verify",
      () => new DataLoader<string | null, ChainVerification>((ids) => Promise.all(ids.map((id) => verifyAuditChain(ctx.db, id)))),
    );
    const result = await once.load(ctx.principal!.workspaceId);
    return {
      ok: result.ok,
      entries: result.entries,
      brokenAt: result.brokenAt === null ? null : String(result.brokenAt),
      checkedFrom: result.checkedFrom === null ? null : String(result.checkedFrom),
      reason: result.reason,
      lastHash: result.lastHash,
    };
  },
};
