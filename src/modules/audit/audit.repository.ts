import { and, asc, desc, eq, gt, lt, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { auditLog } from "../../db/schema/index.js";
import { badInput } from "../../errors.js";
import type { CursorScope } from "../common/cursor.js";
import { countWhere, openCursor } from "../common/entity-store.js";
import { rangeFilter } from "../common/filters.js";
import { isUuid } from "../common/crud.service.js";
import { cursorArgument, type PageRequest, type PageResult } from "../common/paging.js";
import type { AuditLogFilter } from "./audit.input.js";
import type { AuditRow } from "./audit.type.js";

/** The log's only order; its cursors carry the sequence number, sealed like every cursor. */
const ORDER = "AuditEntry:SEQ:DESC";

function cursorSeq(page: PageRequest, cursors: CursorScope): number | undefined {
  const cursor = openCursor(page, ORDER, cursors);
  if (!cursor) return undefined;
  const seq = Number(cursor.id);
  if (!Number.isSafeInteger(seq)) throw badInput(cursorArgument(page), "is not a cursor this API issued");
  return seq;
}

/** Newest first, keyset on the sequence number; a backward page reads oldest first and is put back. */
export async function auditPage(db: Db, where: SQL, page: PageRequest, cursors: CursorScope): Promise<PageResult<AuditRow>> {
  const seq = cursorSeq(page, cursors);
  const keyset = seq === undefined ? undefined : page.forward ? lt(auditLog.seq, seq) : gt(auditLog.seq, seq);
  const order = page.forward ? desc(auditLog.seq) : asc(auditLog.seq);
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(where, keyset))
    .orderBy(order)
    .limit(page.size + 1);
  const kept = rows.slice(0, page.size).map((r) => ({ ...r, id: String(r.seq) }));
  if (!page.forward) kept.reverse();
  const more = rows.length > page.size;
  return {
    rows: kept,
    hasNextPage: page.forward && more,
    hasPreviousPage: !page.forward && more,
    cursorOf: (row) => cursors.codec.encode({ order: ORDER, value: null, id: String(row.seq) }, cursors.workspaceId),
    count: () => countWhere(db, auditLog, where, cursors.countCap),
  };
}

/** The filter's conditions (all must hold); a malformed actor id is refused. */
export function auditFilter(filter: AuditLogFilter | undefined | null): SQL | undefined {
  if (!filter) return undefined;
  if (filter.actorId != null && !isUuid(filter.actorId)) throw badInput("filter.actorId", `"${filter.actorId}" is not an id`);
  if (filter.after && filter.before && filter.after >= filter.before) throw badInput("filter.before", "must be later than filter.after");
  return and(
    filter.actorId != null ? eq(auditLog.actorId, filter.actorId) : undefined,
    filter.action != null ? eq(auditLog.action, filter.action) : undefined,
    filter.subject != null ? eq(auditLog.subject, filter.subject) : undefined,
    filter.subjectId != null ? eq(auditLog.subjectId, filter.subjectId) : undefined,
    filter.outcome != null ? eq(auditLog.decision, filter.outcome) : undefined,
    ...rangeFilter(auditLog.createdAt, filter.after, filter.before),
  );
}
