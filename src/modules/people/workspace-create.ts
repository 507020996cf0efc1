import { randomBytes } from "node:crypto";
import type { PolicySet } from "../../authz/policy-loader.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import { invitations, workspaces } from "../../db/schema/index.js";
import { badInput } from "../../errors.js";
import { ensureAllowed } from "../common/access.js";
import { CursorCodec } from "../common/cursor.js";
import { systemScope } from "../common/scope.js";
import { issueInvitation, type IssuedInvitation } from "./people.service.js";
import { userByEmail, workspaceByName } from "./people.repository.js";
import { and, eq, sql } from "drizzle-orm";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type WorkspaceCreated =
  | { outcome: "created"; workspaceId: string; invitation: IssuedInvitation }
  | { outcome: "reissued"; workspaceId: string; invitation: IssuedInvitation }
  | { outcome: "exists"; workspaceId: string };

/**
 * `npm run workspace:create`: a workspace and its owner's invitation, on any database
 * (production included: the first owner of a new install comes from here). The system
 * principal of the new workspace acts, under policies/roles/system.yaml. Again with the same
 * name and email: the workspace exists; a fresh token is issued (older ones withdrawn) only
 * while the owner has no account yet, i.e. has not accepted and signed in.
 */
export async function createWorkspace(db: Db, policies: PolicySet, input: { name: string; ownerEmail: string }): Promise<WorkspaceCreated> {
  const name = input.name.trim();
  const email = input.ownerEmail.trim();
  if (name.length < 1 || name.length > 200) throw badInput("--name", "must be 1 to 200 characters");
  if (!EMAIL.test(email) || email.length > 320) throw badInput("--owner-email", "is not an email address");
  return db.transaction(async (tx: Db) => {
    // One creation at a time per name, so two runs cannot make two workspaces.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`workspace:create:${name}`}))`);
    const existing = await workspaceByName(tx, name);
    const account = await userByEmail(tx, email);
    if (existing.length > 0) {
      const invited = await tx
        .select({ workspaceId: invitations.workspaceId })
        .from(invitations)
        .where(and(eq(sql`lower(${invitations.email})`, email.toLowerCase()), eq(invitations.role, "owner")));
      const ownsOne = existing.find((w) => (account ? account.workspaceId === w.id && account.role === "owner" : invited.some((i) => i.workspaceId === w.id)));
      if (!ownsOne) throw badInput("--owner-email", `a workspace named "${name}" exists and this email is not its owner`);
      if (account) return { outcome: "exists", workspaceId: ownsOne.id };
      const invitation = await ownerInvitation(tx, policies, ownsOne.id, email, "reissue_owner_invitation");
      return { outcome: "reissued", workspaceId: ownsOne.id, invitation };
    }
    if (account) throw badInput("--owner-email", "already has an Alpha CRM account in another workspace");
    const [workspace] = await tx.insert(workspaces).values({ name }).returning({ id: workspaces.id });
    const scope = systemScope(
      { db: tx, policies, cursors: new CursorCodec(randomBytes(32).toString("hex")), settings: { sessionTtlHours: 1 } },
      workspace.id,
      "legal_compliance",
    );
    await ensureAllowed(scope, "create", "Workspace", { id: workspace.id } as object);
    await recordDecision(tx, policies, scope.principal, {
      action: "create_workspace",
      subject: "Workspace",
      subjectId: workspace.id,
      purpose: "legal_compliance",
      decision: "allow",
      detail: { source: "npm run workspace:create" },
    });
    const invitation = await ownerInvitation(tx, policies, workspace.id, email, "invite_owner");
    return { outcome: "created", workspaceId: workspace.id, invitation };
  });
}

async function ownerInvitation(tx: Db, policies: PolicySet, workspaceId: string, email: string, action: string): Promise<IssuedInvitation> {
  const scope = systemScope(
    { db: tx, policies, cursors: new CursorCodec(randomBytes(32).toString("hex")), settings: { sessionTtlHours: 1 } },
    workspaceId,
    "legal_compliance",
  );
  await ensureAllowed(scope, "create", "User", { workspaceId, role: "owner" } as object);
  const invitation = await issueInvitation(tx, { workspaceId, email, name: null, role: "owner", invitedById: null });
  await recordDecision(tx, policies, scope.principal, {
    action,
    subject: "User",
    purpose: "legal_compliance",
    decision: "allow",
    detail: { invitationId: invitation.id, role: "owner", source: "npm run workspace:create" },
  });
  return invitation;
}
