import { recordDecision } from "../../authz/decision-log.js";
import { actorId } from "../../authz/ability.js";
import { badInput } from "../../errors.js";
import { ensureAllowed } from "../common/access.js";
import type { Scope } from "../common/scope.js";
import { acknowledge, currentVersion, insertVersion, pendingNotices, type PolicyVersionRow, versionsFor } from "./policy-version.repository.js";

export interface PublishPolicyVersion {
  version: string;
  summary: string;
  material?: boolean | null;
}

export type PolicyScope = "platform" | "workspace";
export type PolicyVersionView = PolicyVersionRow & { scope: PolicyScope };

const view = (row: PolicyVersionRow): PolicyVersionView => ({ ...row, scope: row.workspaceId === null ? "platform" : "workspace" });

function text(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === "") throw badInput(field, "must not be empty");
  return trimmed;
}

/** Publishes in one transaction with its decision-log entry; a version text its scope has is BAD_USER_INPUT. */
async function publish(ctx: Scope, workspaceId: string | null, input: PublishPolicyVersion): Promise<PolicyVersionView> {
  const values = {
    workspaceId,
    version: text(input.version, "input.version"),
    summary: text(input.summary, "input.summary"),
    material: input.material ?? false,
    publishedBy: actorId(ctx.principal),
  };
  // Platform versions have no workspace to test the row against: the system role's rule on the subject decides.
  await ensureAllowed(ctx, "create", "PolicyVersion", workspaceId === null ? undefined : values);
  return ctx.db.transaction(async (tx) => {
    const row = await insertVersion(tx, values);
    if (!row) throw badInput("input.version", `version ${values.version} is already published; publish a new version`);
    await recordDecision(tx, ctx.policies, ctx.principal, {
      action: "create",
      subject: "PolicyVersion",
      subjectId: row.id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { version: row.version, material: row.material, scope: workspaceId === null ? "platform" : "workspace" },
    });
    return view(row);
  });
}

export const policyVersionService = {
  /** A customer's notice, for the caller's workspace. */
  publish: (ctx: Scope, input: PublishPolicyVersion) => publish(ctx, ctx.principal!.workspaceId, input),

  /** Alpha CRM's own policy, for every workspace (`npm run policy:publish`, as the system principal). */
  publishPlatform: (ctx: Scope, input: PublishPolicyVersion) => publish(ctx, null, input),

  /** Platform versions, plus the caller's workspace's when signed in; newest first. */
  async list(ctx: Scope): Promise<PolicyVersionView[]> {
    const workspaceId = ctx.principal && ctx.principal.kind !== "system" ? ctx.principal.workspaceId : null;
    return (await versionsFor(ctx.db, workspaceId || null)).map(view);
  },

  /** Unacknowledged material changes for the signed-in user; null on anyone else's profile. */
  async notices(ctx: Scope, user: { id: string; workspaceId: string; createdAt: Date | null }) {
    if (user.id !== ctx.principal?.userId || !user.createdAt) return null;
    return pendingNotices(ctx.db, { id: user.id, workspaceId: user.workspaceId, createdAt: user.createdAt });
  },

  /** Clears the caller's notice of `version`; an unknown version is BAD_USER_INPUT, a repeat answers true. */
  async acknowledge(ctx: Scope, version: string): Promise<boolean> {
    const principal = ctx.principal!;
    if (principal.kind !== "user") throw badInput("version", "only a user acknowledges a policy");
    if (!(await acknowledge(ctx.db, { id: principal.userId, workspaceId: principal.workspaceId }, version.trim()))) {
      throw badInput("version", `no published policy version ${version.trim()}; see policyVersions`);
    }
    return true;
  },

  /** The notice version in force for a workspace (consent proof records it). */
  current: (ctx: Scope, workspaceId: string) => currentVersion(ctx.db, workspaceId),
};
