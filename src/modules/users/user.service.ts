import { accountOf, signIn, signOut } from "../../auth/sessions.js";
import type { Scope } from "../common/scope.js";
import { beginSignIn, signInKeys, signInSucceeded } from "../../auth/throttle.js";
import { invalidCredentials, notFound, rateLimited, unauthenticated } from "../../errors.js";
import { recordDecision } from "../../authz/decision-log.js";
import { usageService } from "../usage/usage.service.js";
import { userById, workspaceById } from "./user.loaders.js";

export const userService = {
  async login(ctx: Scope, email: string, password: string) {
    // Throttled per account and address before argon2 runs (see auth/throttle.ts): growing
    // delays, never a lockout, so failures from one place cannot keep the owner out elsewhere.
    const keys = signInKeys(email, ctx.client.ip);
    const attempt = await beginSignIn(ctx.db, keys);
    if ("retryAfter" in attempt) {
      throw rateLimited(`Too many failed sign-ins from this address; retry in ${attempt.retryAfter} s.`, attempt.retryAfter);
    }
    if (password.length > 1024) throw invalidCredentials();
    const session = await signIn(ctx.db, email, password, ctx.settings.sessionTtlHours, usageService.clientOf(ctx));
    if (!session) {
      // Logged in the workspace of the account when the email is one (its owner, DPO and
      // auditor see attacks on their accounts); with no workspace otherwise. Never the email.
      const account = await accountOf(ctx.db, email);
      await recordDecision(ctx.db, ctx.policies, undefined, {
        action: "login",
        subject: "User",
        subjectId: account?.userId ?? null,
        workspaceId: account?.workspaceId ?? null,
        decision: "deny",
        reason: "invalid email or password",
      });
      throw invalidCredentials();
    }
    await signInSucceeded(ctx.db, keys, attempt.at);
    const role = ctx.policies.roles.get(session.principal.role);
    const purpose = role && ctx.policies.purposes.get(role.defaultPurpose);
    if (!purpose) throw invalidCredentials();
    await recordDecision(ctx.db, ctx.policies, session.principal, {
      action: "login",
      subject: "User",
      subjectId: session.principal.userId,
      purpose: purpose.id,
      decision: "allow",
      reason: "signed in",
    });
    ctx.adopt(session.principal, purpose);
    return { token: session.token, expiresAt: session.expiresAt, user: await userService.me(ctx) };
  },

  async logout(ctx: Scope): Promise<boolean> {
    if (!ctx.client.token) throw unauthenticated();
    return signOut(ctx.db, ctx.client.token);
  },

  async me(ctx: Scope) {
    const user = await userById(ctx).load(ctx.principal!.userId);
    if (!user) throw notFound("User", ctx.principal!.userId);
    return user;
  },

  workspace: (ctx: Scope, id: string) => workspaceById(ctx).load(id),
};
