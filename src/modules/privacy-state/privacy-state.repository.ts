import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { contactPrivacyEvents, contacts } from "../../db/schema/index.js";

export interface PrivacyEvent {
  workspaceId: string;
  contactId: string;
  kind: "restricted" | "subject_informed" | "restriction_lifted" | "objected" | "compelling_grounds";
  purpose?: string | null;
  reason?: string | null;
  recordedBy: string;
}

export function appendEvents(tx: Db, events: PrivacyEvent[]) {
  return tx.insert(contactPrivacyEvents).values(events);
}

type ContactChange = { processingRestricted: boolean } | { addObjection: string } | { removeObjection: string };

/** Updates the denormalised privacy state on the contact row, in the caller's transaction. */
export function updateState(tx: Db, workspaceId: string, contactId: string, change: ContactChange) {
  const set =
    "processingRestricted" in change
      ? { processingRestricted: change.processingRestricted }
      : "addObjection" in change
        ? { objectedPurposes: sql`array_append(array_remove(${contacts.objectedPurposes}, ${change.addObjection}::text), ${change.addObjection}::text)` }
        : { objectedPurposes: sql`array_remove(${contacts.objectedPurposes}, ${change.removeObjection}::text)` };
  return tx
    .update(contacts)
    .set({ ...set, updatedAt: new Date() } as never)
    .where(and(eq(contacts.id, contactId), eq(contacts.workspaceId, workspaceId)));
}
