import { and, eq, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { workspaces } from "../../db/schema/index.js";

/** Sets the workspace's time zone if `where` (the ability's filter) holds; false otherwise. */
export async function updateTimeZone(db: Db, id: string, timeZone: string | null, where: SQL): Promise<boolean> {
  const rows = await db
    .update(workspaces)
    .set({ timeZone })
    .where(and(eq(workspaces.id, id), where))
    .returning({ id: workspaces.id });
  return rows.length > 0;
}
