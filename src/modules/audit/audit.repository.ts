import { and, count, desc, lt, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { auditLog } from "../../db/schema/index.js";
import { badInput } from "../../errors.js";
import type { PageResult } from "../common/paging.js";
import type { AuditRow } from "./audit.type.js";

const encode = (seq: number) => Buffer.from(`audit:${seq}`).toString("base64url");

function decode(cursor: string): number {
  const match = /^audit:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw badInput("after", "is not a cursor this API issued");
  return Number(match[1]);
}

/** Newest first, keyset on the sequence number. */
export async function auditPage(db: Db, where: SQL, first: number, after?: string): Promise<PageResult<AuditRow>> {
  const keyset = after ? lt(auditLog.seq, decode(after)) : undefined;
  const rows = await db.select().from(auditLog).where(and(where, keyset)).orderBy(desc(auditLog.seq)).limit(first + 1);
  return {
    rows: rows.slice(0, first).map((r) => ({ ...r, id: String(r.seq) })),
    hasNextPage: rows.length > first,
    cursorOf: (row) => encode(row.seq),
    count: async () => Number((await db.select({ n: count() }).from(auditLog).where(where))[0].n),
  };
}
