import { and, eq } from "drizzle-orm";
import { actorId, SYSTEM_ROLE } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import { checkPasswordPolicy, PASSWORD_MAX_LENGTH } from "../../auth/password-policy.js";
import { addLogin } from "../../auth/lookups.js";
import { hashPassword } from "../../auth/passwords.js";
import { openSession } from "../../auth/sessions.js";
import { newToken, tokenDigest } from "../../auth/tokens.js";
import type { Db } from "../../db/client.js";
import { users } from "../../db/schema/index.js";
import { badInput, notFound, unauthenticated } from "../../errors.js";
import { ensureAllowed, whereCan } from "../common/access.js";
import { isUuid } from "../common/crud.service.js";
import type { Scope } from "../common/scope.js";
import { usageService } from "../usage/usage.service.js";
import { userById } from "../users/user.loaders.js";
import { checkOwnPassword, userService } from "../users/user.service.js";
import {
  deletePasswordResets,
  deleteSessionOf,
  deleteSessions,
  findUser,
  insertInvitation,
  insertPasswordReset,
  markInvitationAccepted,
  otherActiveOwners,
  passwordHashOf,
  pendingInvitation,
  pendingReset,
  sessionsOf,
  setPassword,
  userByEmail,
  type InvitationRow,
} from "./people.repository.js";

const whereUser = (user: { workspaceId: string; id: string }) => and(eq(users.workspaceId, user.workspaceId), eq(users.id, user.id));

export const INVITATION_PREFIX = "acri_";
export const RESET_PREFIX = "acrp_";
/** An invitation is valid for 7 days, a password reset for 1 hour; both once. */
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;
export const RESET_TTL_MS = 3600_000;

export interface IssuedInvitation extends InvitationRow {
  /** The token, shown once; only its SHA-256 is stored. */
  token: string;
}

/** A role a person may be given: one of the policy files, never `system`. */
export function assignableRole(roles: ReadonlyMap<string, unknown>, field: string, role: string): string {
  if (role === SYSTEM_ROLE) throw badInput(field, "the system role is never given to a person");
  if (!roles.has(role)) throw badInput(field, `unknown role "${role.slice(0, 50)}"; one of ${[...roles.keys()].filter((r) => r !== SYSTEM_ROLE).join(", ")}`);
  return role;
}

function personName(field: string, name: string | null | undefined): string | null {
  if (name == null) return null;
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 200) throw badInput(field, "must be 1 to 200 characters");
  return trimmed;
}

/** Writes an invitation (withdrawing older ones for the email) and returns it with its token. */
export async function issueInvitation(
  db: Db,
  values: { workspaceId: string; email: string; name: string | null; role: string; invitedById: string | null },
  now = new Date(),
): Promise<IssuedInvitation> {
  const token = newToken(INVITATION_PREFIX);
  const row = await insertInvitation(db, { ...values, tokenHash: tokenDigest(token), expiresAt: new Date(now.getTime() + INVITATION_TTL_MS), createdAt: now });
  return { ...row, token };
}

async function userRow(ctx: Scope, id: string) {
  const user = await userById(ctx).load(id);
  if (!user) throw notFound("User", id);
  return user;
}

/** The target of an owner's action: in the caller's workspace and allowed by the policy, else NOT_FOUND. */
async function target(ctx: Scope, db: Db, userId: string, field = "userId", action: "update" | "issue_password_reset" = "update") {
  const user = isUuid(userId) ? await findUser(db, whereCan(ctx, action, "User"), userId.toLowerCase(), true) : undefined;
  if (!user) throw notFound("User", userId, field);
  return user;
}

export const peopleService = {
  async invite(ctx: Scope, input: { email: string; role: string; name?: string | null }): Promise<IssuedInvitation> {
    const principal = ctx.principal!;
    const role = assignableRole(ctx.policies.roles, "input.role", input.role);
    const name = personName("input.name", input.name);
    const email = input.email.trim();
    await ensureAllowed(ctx, "create", "User", { workspaceId: principal.workspaceId, role } as object);
    // Only a member of this workspace is named: saying so of another workspace's account would
    // let any owner probe which addresses have an account elsewhere. Its invitation is refused
    // at acceptInvitation, to the person holding the address.
    const existing = await userByEmail(ctx.db, email);
    if (existing?.workspaceId === principal.workspaceId) throw badInput("input.email", "is already a member of this workspace");
    return ctx.db.transaction(async (tx: Db) => {
      const invitation = await issueInvitation(tx, { workspaceId: principal.workspaceId, email, name, role, invitedById: actorId(principal) });
      await recordDecision(tx, ctx.policies, principal, {
        action: "invite_user",
        subject: "User",
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { invitationId: invitation.id, role },
      });
      return invitation;
    });
  },

  /** Public: the token is the proof. Creates the account, signs it in, and uses up the invitation. */
  async accept(ctx: Scope, token: string, password: string, name: string | null | undefined) {
    if (token.length > 200) throw badInput("token", "is invalid, expired or already used");
    const now = new Date();
    const hashOf = tokenDigest(token);
    // Checked before the slow hash: an unknown token costs no argon2.
    const peek = await ctx.db.transaction((tx: Db) => pendingInvitation(tx, hashOf, now));
    if (!peek) throw badInput("token", "is invalid, expired or already used");
    const chosenName = personName("name", name) ?? peek.name;
    if (!chosenName) throw badInput("name", "is required: the invitation names nobody");
    checkPasswordPolicy("password", password, { email: peek.email });
    const passwordHash = await hashPassword(password);
    const user = await ctx.db.transaction(async (tx: Db) => {
      const invitation = await pendingInvitation(tx, hashOf, now);
      if (!invitation) throw badInput("token", "is invalid, expired or already used");
      if (await userByEmail(tx, invitation.email)) throw badInput("token", "this email already has an account; sign in instead");
      if (!ctx.policies.roles.has(invitation.role) || invitation.role === SYSTEM_ROLE) throw badInput("token", "the invited role no longer exists");
      const [created] = await tx
        .insert(users)
        .values({ workspaceId: invitation.workspaceId, email: invitation.email, name: chosenName, role: invitation.role, passwordHash })
        .returning({ id: users.id, workspaceId: users.workspaceId, role: users.role, email: users.email, name: users.name });
      // The email's one account: the look-up's key refuses a second one in any workspace.
      await addLogin(tx, { email: created.email, workspaceId: created.workspaceId, userId: created.id });
      await markInvitationAccepted(tx, invitation, created.id, now);
      const principal = {
        kind: "user" as const,
        userId: created.id,
        workspaceId: created.workspaceId,
        role: created.role,
        email: created.email,
        name: created.name,
      };
      await recordDecision(tx, ctx.policies, principal, {
        action: "accept_invitation",
        subject: "User",
        subjectId: created.id,
        decision: "allow",
        detail: { invitationId: invitation.id, role: created.role },
      });
      return principal;
    });
    const session = await openSession(ctx.db, user, ctx.settings.sessionTtlHours, usageService.clientOf(ctx));
    const role = ctx.policies.roles.get(user.role);
    const purpose = role && ctx.policies.purposes.get(role.defaultPurpose);
    if (!purpose) throw unauthenticated("This account's role has no purpose to act under.");
    ctx.adopt(session.principal, purpose);
    return { token: session.token, expiresAt: session.expiresAt, user: await userService.me(ctx) };
  },

  async changeRole(ctx: Scope, userId: string, newRole: string) {
    const principal = ctx.principal!;
    const role = assignableRole(ctx.policies.roles, "role", newRole);
    await ctx.db.transaction(async (tx: Db) => {
      const user = await target(ctx, tx, userId);
      await ensureAllowed(ctx, "update", "User", user, ["role"]);
      await ensureAllowed(ctx, "update", "User", { ...user, role } as object, ["role"]);
      if (user.deactivatedAt) throw badInput("userId", "this user is deactivated");
      if (user.role === role) return;
      if (user.role === "owner" && (await otherActiveOwners(tx, user.workspaceId, user.id)) === 0) {
        throw badInput("role", "the workspace's last owner cannot be demoted; make another user owner first");
      }
      await tx.update(users).set({ role, updatedAt: new Date() }).where(whereUser(user));
      await recordDecision(tx, ctx.policies, principal, {
        action: "change_user_role",
        subject: "User",
        subjectId: user.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { from: user.role, to: role },
      });
    });
    return userRow(ctx, userId.toLowerCase());
  },

  async deactivate(ctx: Scope, userId: string) {
    const principal = ctx.principal!;
    await ctx.db.transaction(async (tx: Db) => {
      const user = await target(ctx, tx, userId);
      await ensureAllowed(ctx, "update", "User", user);
      if (user.deactivatedAt) return;
      if (user.role === "owner" && (await otherActiveOwners(tx, user.workspaceId, user.id)) === 0) {
        throw badInput("userId", "the workspace's last owner cannot be deactivated");
      }
      const now = new Date();
      await tx.update(users).set({ deactivatedAt: now, updatedAt: now }).where(whereUser(user));
      const ended = await deleteSessions(tx, user.workspaceId, user.id);
      await deletePasswordResets(tx, user.workspaceId, user.id);
      await recordDecision(tx, ctx.policies, principal, {
        action: "deactivate_user",
        subject: "User",
        subjectId: user.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { role: user.role, sessionsEnded: ended },
      });
    });
    return userRow(ctx, userId.toLowerCase());
  },

  /**
   * A one-time reset token for a user of the workspace (no mail server: the caller hands it
   * over). An owner calls it through GraphQL; npm run user:reset-password as the system.
   */
  async issueReset(ctx: Scope, userId: string, detail?: Record<string, unknown>): Promise<string> {
    const principal = ctx.principal!;
    return ctx.db.transaction(async (tx: Db) => {
      const user = await target(ctx, tx, userId, "userId", "issue_password_reset");
      await ensureAllowed(ctx, "issue_password_reset", "User", user);
      if (user.deactivatedAt) throw badInput("userId", "this user is deactivated");
      const token = newToken(RESET_PREFIX);
      await insertPasswordReset(tx, {
        workspaceId: user.workspaceId,
        userId: user.id,
        tokenHash: tokenDigest(token),
        issuedById: actorId(principal),
        expiresAt: new Date(Date.now() + RESET_TTL_MS),
      });
      await recordDecision(tx, ctx.policies, principal, {
        action: "issue_password_reset",
        subject: "User",
        subjectId: user.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        ...(detail ? { detail } : {}),
      });
      return token;
    });
  },

  /** Public: sets a new password with a reset token and ends every session of the account. */
  async reset(ctx: Scope, token: string, newPassword: string): Promise<boolean> {
    if (token.length > 200) throw badInput("token", "is invalid, expired or already used");
    const now = new Date();
    const hashOf = tokenDigest(token);
    const peek = await ctx.db.transaction((tx: Db) => pendingReset(tx, hashOf, now));
    if (!peek) throw badInput("token", "is invalid, expired or already used");
    checkPasswordPolicy("newPassword", newPassword, { email: peek.email });
    const passwordHash = await hashPassword(newPassword);
    return ctx.db.transaction(async (tx: Db) => {
      const reset = await pendingReset(tx, hashOf, now);
      if (!reset) throw badInput("token", "is invalid, expired or already used");
      await setPassword(tx, reset.workspaceId, reset.userId, passwordHash);
      // Single use: this token and any other of the user's go.
      await deletePasswordResets(tx, reset.workspaceId, reset.userId);
      const ended = await deleteSessions(tx, reset.workspaceId, reset.userId);
      await recordDecision(
        tx,
        ctx.policies,
        { kind: "user", userId: reset.userId, workspaceId: reset.workspaceId, role: reset.role, email: reset.email, name: reset.name },
        {
          action: "reset_password",
          subject: "User",
          subjectId: reset.userId,
          decision: "allow",
          detail: { sessionsEnded: ended },
        },
      );
      return true;
    });
  },

  /** The signed-in user's own password: the current one is required; every other session ends. */
  async changePassword(ctx: Scope, currentPassword: string, newPassword: string): Promise<boolean> {
    const principal = ctx.principal!;
    if (principal.kind !== "user" || !principal.userId) throw unauthenticated("Only a signed-in person has a password.");
    const stored = await passwordHashOf(ctx.db, principal.workspaceId, principal.userId);
    if (currentPassword.length > PASSWORD_MAX_LENGTH * 4 || !(await checkOwnPassword(ctx, stored, currentPassword))) {
      throw badInput("currentPassword", "is not your current password");
    }
    if (newPassword === currentPassword) throw badInput("newPassword", "must differ from the current password");
    checkPasswordPolicy("newPassword", newPassword, { email: principal.email });
    const passwordHash = await hashPassword(newPassword);
    await ctx.db.transaction(async (tx: Db) => {
      await setPassword(tx, principal.workspaceId, principal.userId, passwordHash);
      const ended = await deleteSessions(tx, principal.workspaceId, principal.userId, ctx.client.sessionId);
      await recordDecision(tx, ctx.policies, principal, {
        action: "change_password",
        subject: "User",
        subjectId: principal.userId,
        decision: "allow",
        detail: { sessionsEnded: ended },
      });
    });
    return true;
  },

  async mySessions(ctx: Scope) {
    const principal = ctx.principal!;
    if (principal.kind !== "user" || !principal.userId) return [];
    const rows = await sessionsOf(ctx.db, principal.workspaceId, principal.userId, new Date());
    return rows.map((s) => ({ ...s, current: s.id === ctx.client.sessionId }));
  },

  async revokeSession(ctx: Scope, id: string): Promise<boolean> {
    const principal = ctx.principal!;
    if (!isUuid(id)) throw notFound("Session", id, "id");
    if (principal.kind !== "user" || !principal.userId || !(await deleteSessionOf(ctx.db, principal.workspaceId, principal.userId, id.toLowerCase()))) {
      throw notFound("Session", id, "id");
    }
    return true;
  },
};
