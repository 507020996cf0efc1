import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { badInput, notFound } from "../../errors.js";
import { ensureAllowed, whereCan } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { Scope } from "../common/scope.js";
import { canonicalTimeZone } from "../privacy-requests/request-clock.js";
import type { WorkspaceRow } from "./user.type.js";
import { updateTimeZone } from "./workspace.repository.js";

const crud = new CrudService<WorkspaceRow>("Workspace");

export const workspaceService = {
  /**
   * Sets (or clears, with null) the IANA time zone in which legal deadlines are counted. It
   * applies to deadlines computed from then on; those already set keep their instant.
   */
  async setTimeZone(ctx: Scope, timeZone: string | null): Promise<WorkspaceRow> {
    const principal = ctx.principal!;
    const zone = timeZone === null ? null : canonicalTimeZone(timeZone.trim());
    if (zone === undefined) throw badInput("timeZone", `"${timeZone}" is not an IANA time zone (e.g. Europe/Paris)`);
    const current = await crud.get(ctx, principal.workspaceId);
    await ensureAllowed(ctx, "update", "Workspace", current, ["timeZone"]);
    const done = await ctx.db.transaction(async (tx: Db) => {
      if (!(await updateTimeZone(tx, current.id, zone, whereCan(ctx, "update", "Workspace")))) return false;
      await recordDecision(tx, principal, {
        action: "set_time_zone",
        subject: "Workspace",
        subjectId: current.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { from: current.timeZone, to: zone },
      });
      return true;
    });
    if (!done) throw notFound("Workspace", current.id);
    return crud.get(ctx, current.id);
  },
};
