import { and, arrayContains, eq, not, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { ledgerTime } from "../../db/schema/columns.js";
import { contactPrivacyEvents, contacts } from "../../db/schema/index.js";

export interface PrivacyEvent {
  workspaceId: string;
  contactId: string;
  kind: "restricted" | "subject_informed" | "restriction_lifted" | "objected" | "compelling_grounds";
  purpose?: string | null;
  reason?: string | null;
  recordedBy: string | null;
}

/**
 * Appends events in the order given, after updateState took the contact's row lock. The export
 * reads (created_at, id) with a random id, so each event is stamped by ledgerTime: a lift comes
 * after the notice that precedes it (Art. 18(3)), and the latest event agrees with the state.
 */
export function appendEvents(tx: Db, events: PrivacyEvent[]) {
  return tx.insert(contactPrivacyEvents).values(events.map((e, i) => ({ ...e, createdAt: ledgerTime(i) })));
}

type ContactChange = { processingRestricted: boolean } | { addObjection: string } | { removeObjection: string };

/**
 * Updates the denormalised privacy state on the contact row, in the caller's transaction,
 * only if the row is still in the state the change starts from (two concurrent restrictions
 * cannot both pass). Returns whether it changed.
 */
export async function updateState(tx: Db, workspaceId: string, contactId: string, change: ContactChange): Promise<boolean> {
  let set: Record<string, unknown>;
  let from: SQL;
  if ("processingRestricted" in change) {
    set = { processingRestricted: change.processingRestricted };
    from = eq(contacts.processingRestricted, !change.processingRestricted);
  } else if ("addObjection" in change) {
    set = { objectedPurposes: sql`array_append(${contacts.objectedPurposes}, ${change.addObjection}::text)` };
    from = not(arrayContains(contacts.objectedPurposes, [change.addObjection]));
  } else {
    set = { objectedPurposes: sql`array_remove(${contacts.objectedPurposes}, ${change.removeObjection}::text)` };
    from = arrayContains(contacts.objectedPurposes, [change.removeObjection]);
  }
  const changed = await tx
    .update(contacts)
    .set({ ...set, updatedAt: new Date() } as never)
    .where(and(eq(contacts.id, contactId), eq(contacts.workspaceId, workspaceId), from))
    .returning({ id: contacts.id });
  return changed.length > 0;
}
