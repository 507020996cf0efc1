import DataLoader from "dataloader";
import { and, desc, eq, inArray } from "drizzle-orm";
import { consentEvents } from "../../db/schema/index.js";
import type { Scope } from "../common/scope.js";
import { groupBy } from "../common/entity-store.js";

export interface LatestConsent {
  contactId: string | null;
  purpose: string;
  state: string;
  createdAt: Date;
}

/** The latest ledger event per purpose for a batch of contacts, in one statement. */
export const latestConsents = (ctx: Scope) =>
  ctx.loader("ConsentEvent:latestByContact", () =>
    new DataLoader<string, LatestConsent[]>(async (contactIds) => {
      const rows = await ctx.db
        .selectDistinctOn([consentEvents.contactId, consentEvents.purpose], {
          contactId: consentEvents.contactId,
          purpose: consentEvents.purpose,
          state: consentEvents.state,
          createdAt: consentEvents.createdAt,
        })
        .from(consentEvents)
        .where(and(eq(consentEvents.workspaceId, ctx.principal!.workspaceId), inArray(consentEvents.contactId, [...contactIds])))
        .orderBy(consentEvents.contactId, consentEvents.purpose, desc(consentEvents.createdAt), desc(consentEvents.id));
      return groupBy(rows, contactIds, (r) => r.contactId);
    }),
  );
