import { randomBytes } from "node:crypto";
import type { PolicySet } from "../../authz/policy-loader.js";
import type { Db } from "../../db/client.js";
import { badInput } from "../../errors.js";
import { isUuid } from "../common/crud.service.js";
import { CursorCodec } from "../common/cursor.js";
import { systemScope } from "../common/scope.js";
import { memberByEmail, workspaceById, workspaceByName } from "./people.repository.js";
import { peopleService, RESET_TTL_MS } from "./people.service.js";

export interface IssuedReset {
  workspaceId: string;
  userId: string;
  /** Shown once; only its SHA-256 is stored. */
  token: string;
  expiresAt: Date;
}

/**
 * `npm run user:reset-password`: a one-time reset token for a member of a workspace, issued
 * by the workspace's system principal under system.users.password_reset (a locked-out only
 * owner has nobody else to issue one). The same path as an owner's issuePasswordReset:
 * replaces older tokens, audited with the tool as its source.
 */
export async function issueResetFromCommandLine(db: Db, policies: PolicySet, input: { workspace: string; email: string }): Promise<IssuedReset> {
  const wanted = input.workspace.trim();
  const workspace = isUuid(wanted) ? await workspaceById(db, wanted.toLowerCase()) : await oneByName(db, wanted);
  if (!workspace) throw badInput("--workspace", `no workspace has the name or id "${wanted.slice(0, 200)}"`);
  const member = await memberByEmail(db, workspace.id, input.email.trim());
  if (!member) throw badInput("--email", `no user of workspace "${workspace.name}" has this email`);
  const scope = systemScope(
    { db, policies, cursors: new CursorCodec(randomBytes(32).toString("hex")), settings: { sessionTtlHours: 1 } },
    workspace.id,
    "legal_compliance",
  );
  const expiresAt = new Date(Date.now() + RESET_TTL_MS);
  const token = await peopleService.issueReset(scope, member.id, { source: "npm run user:reset-password" });
  return { workspaceId: workspace.id, userId: member.id, token, expiresAt };
}

async function oneByName(db: Db, name: string) {
  const found = await workspaceByName(db, name);
  if (found.length > 1) throw badInput("--workspace", `${found.length} workspaces are named "${name}": pass its id (${found.map((w) => w.id).join(", ")})`);
  return found[0];
}
