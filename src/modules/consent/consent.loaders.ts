import DataLoader from "dataloader";
import { groupBy } from "../common/entity-store.js";
import type { Scope } from "../common/scope.js";
import { latestConsentEvents, type LatestConsent } from "./consent.repository.js";

export type { LatestConsent };

/** The latest ledger event per purpose for a batch of contacts, in one statement. */
export const latestConsents = (ctx: Scope) =>
  ctx.loader(
    "ConsentEvent:latestByContact",
    () =>
      new DataLoader<string, LatestConsent[]>(async (contactIds) =>
        groupBy(await latestConsentEvents(ctx.db, ctx.principal!.workspaceId, contactIds), contactIds, (r) => r.contactId),
      ),
  );
