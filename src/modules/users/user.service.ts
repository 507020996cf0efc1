import { signIn, signOut } from "../../auth/sessions.js";
import type { Scope } from "../common/scope.js";
import { clearLimit, LOGIN_LIMITS, overLimit, secondsLeft } from "../../auth/throttle.js";
import { invalidCredentials, notFound, rateLimited, unauthenticated } from "../../errors.js";
import { recordDecision } from "../../authz/decision-log.js";
import { userById, workspaceById } from "./user.loaders.js";

export const userService = {
  async login(ctx: Scope, email: string, password: string) {
    // Throttled per account and per address before argon2 runs: no brute force, no CPU flood.
    const accountKey = `login:email:${email.toLowerCase()}`;
    const limits = { [accountKey]: LOGIN_LIMITS.perEmail, [`login:ip:${ctx.client.ip}`]: LOGIN_LIMITS.perAddress };
    if (await overLimit(ctx.db, limits, LOGIN_LIMITS.windowSeconds)) {
      throw rateLimited("Too many sign-in attempts; retry later.", secondsLeft(LOGIN_LIMITS.windowSeconds));
    }
    if (password.length > 1024) throw invalidCredentials();
    const session = await signIn(ctx.db, email, password, ctx.settings.sessionTtlHours);
    if (!session) {
      await recordDecision(ctx.db, undefined, { action: "login", subject: "User", decision: "deny", reason: "invalid email or password" });
      throw invalidCredentials();
    }
    // Only failures count against the account: its owner signing in often is never locked out.
    await clearLimit(ctx.db, accountKey);
    const role = ctx.policies.roles.get(session.principal.role);
    const purpose = role && ctx.policies.purposes.get(role.defaultPurpose);
    if (!purpose) throw invalidCredentials();
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
