import { accountOf, signIn, signOut } from "../../auth/sessions.js";
import type { Scope } from "../common/scope.js";
import { beginSignIn, signInKeys, signInSucceeded } from "../../auth/throttle.js";
import { badInput, invalidCredentials, notFound, rateLimited, unauthenticated } from "../../errors.js";
import { verifyPassword } from "../../auth/passwords.js";
import type { Db } from "../../db/client.js";
import { CLOSED_ROLE, closeAccount, lockUser, otherOwners } from "./user.repository.js";
import { deleteUsageOfClosedAccount } from "../usage/usage.repository.js";
import { recordDecision } from "../../authz/decision-log.js";
import { usageService } from "../usage/usage.service.js";
import { userById, workspaceById } from "./user.loaders.js";
import { ensureAllowed } from "../common/access.js";
import { actorId } from "../../authz/ability.js";
import { applyUserConsent } from "../consent/consent.repository.js";
import { checkRequestAnswer, linkRequestAnswer, type RequestAnswer } from "../privacy-requests/request-answers.js";
import { lockProfile, setProfile } from "./user.repository.js";
import type { UpdateMyProfileInput } from "./user.type.js";

const PROFILE_FIELDS = ["name", "phone", "position"] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];

/**
 * A consent covers the address it was given for: when a user corrects their phone number, their
 * consents on the sms channel are withdrawn in the same transaction, with a ledger entry saying why
 * (as a contact's are when their address changes).
 */
async function withdrawForChangedPhone(ctx: Scope, tx: Db, user: { id: string; workspaceId: string; consentedPurposes: string[] }) {
  for (const purpose of ctx.policies.purposes.values()) {
    if (purpose.lawfulBasis !== "consent" || purpose.channel !== "sms" || !user.consentedPurposes.includes(purpose.id)) continue;
    const changed = await applyUserConsent(tx, {
      workspaceId: user.workspaceId,
      userId: user.id,
      purpose: purpose.id,
      channel: "sms",
      state: "withdrawn",
      source: "form",
      evidence: "The phone number changed; the consent was given for the previous one.",
      recordedBy: actorId(ctx.principal),
    });
    if (!changed) continue;
    await recordDecision(tx, ctx.policies, ctx.principal, {
      action: "withdraw_consent",
      subject: "User",
      subjectId: user.id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { consentPurpose: purpose.id, source: "form", reason: "phone changed" },
    });
  }
}

/**
 * The signed-in user's own password, checked under the sign-in throttle (auth/throttle.ts) as
 * a sign-in is: changePassword and closeMyAccount ran argon2 on every guess, so a stolen
 * session could guess the password fifteen aliases a request, and tie up the CPU doing it.
 */
export async function checkOwnPassword(ctx: Scope, stored: string | null | undefined, password: string): Promise<boolean> {
  const keys = signInKeys(ctx.principal!.email, ctx.client.ip);
  const attempt = await beginSignIn(ctx.db, keys);
  if ("retryAfter" in attempt) throw rateLimited(`Too many wrong passwords; retry in ${attempt.retryAfter} s.`, attempt.retryAfter);
  const ok = !!stored && (await verifyPassword(stored, password));
  if (ok) await signInSucceeded(ctx.db, keys, attempt.at);
  return ok;
}

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

  /**
   * The signed-in user corrects their own name, phone or position (Art. 16; self rule
   * self.rectify). Audited as `rectify` with the names of the fields changed, never their values;
   * with `requestId`, it answers the user's own RECTIFICATION request (linked in the same
   * transaction). The sign-in email is not rectified here: a new address must be confirmed first.
   */
  async updateMyProfile(ctx: Scope, input: UpdateMyProfileInput, requestId?: string | null) {
    const principal = ctx.principal;
    if (principal?.kind !== "user" || !principal.userId) throw unauthenticated();
    if (input.name === null || (typeof input.name === "string" && input.name.trim() === "")) throw badInput("input.name", "cannot be empty");
    const given = PROFILE_FIELDS.filter((f) => input[f] !== undefined);
    if (given.length === 0) throw badInput("input", `give at least one of ${PROFILE_FIELDS.join(", ")}`);
    const values: Partial<Record<ProfileField, string | null>> = {};
    for (const f of given) values[f] = f === "name" ? input.name!.trim() : (input[f] ?? null);
    const current = await userById(ctx).load(principal.userId);
    if (!current) throw unauthenticated();
    await ensureAllowed(ctx, "rectify", "User", current, given);
    const answer: RequestAnswer = { kind: "rectification", ref: current.id, about: { userId: current.id } };
    if (requestId != null) await checkRequestAnswer(ctx, requestId, answer);
    await ctx.db.transaction(async (tx: Db) => {
      const row = await lockProfile(tx, principal.workspaceId, current.id);
      if (!row) throw unauthenticated();
      const changed = given.filter((f) => (values[f] ?? null) !== (row[f] ?? null));
      if (changed.length > 0) await setProfile(tx, principal.workspaceId, row.id, Object.fromEntries(changed.map((f) => [f, values[f] ?? null])));
      if (changed.includes("phone")) await withdrawForChangedPhone(ctx, tx, row);
      await recordDecision(tx, ctx.policies, principal, {
        action: "rectify",
        subject: "User",
        subjectId: row.id,
        purpose: ctx.purpose?.id,
        decision: "allow",
        detail: { fields: changed, ...(requestId != null ? { requestId: requestId.toLowerCase() } : {}) },
      });
      if (requestId != null) await linkRequestAnswer(tx, ctx, requestId, answer);
    });
    userById(ctx).clear(current.id);
    return userService.me(ctx);
  },

  /**
   * The signed-in user closes their own account (GDPR Art. 17 for Alpha's own users): the row
   * is anonymised, every session ends, the proof details of their own consents are removed.
   * The last owner of a workspace must make another member owner first (BAD_USER_INPUT).
   */
  async closeMyAccount(ctx: Scope, password: string): Promise<boolean> {
    const principal = ctx.principal;
    if (!principal || principal.kind !== "user" || !principal.userId) throw unauthenticated();
    if (password.length > 1024) throw badInput("password", "does not match this account's password");
    const current = await ctx.db.transaction(async (tx: Db) => lockUser(tx, principal.workspaceId, principal.userId));
    if (!current) throw unauthenticated();
    if (!(await checkOwnPassword(ctx, current.passwordHash, password))) throw badInput("password", "does not match this account's password");
    const outcome = await ctx.db.transaction(async (tx: Db) => {
      const user = await lockUser(tx, principal.workspaceId, principal.userId);
      if (!user || user.role === CLOSED_ROLE) return { closed: false as const, why: "gone" };
      if (user.role === "owner" && (await otherOwners(tx, user.workspaceId, user.id)) === 0) return { closed: false as const, why: "last_owner" };
      const counts = await closeAccount(tx, user.id, user.workspaceId, user.role);
      // Pages, features and actions served the account and go with it; sign-ins stay until
      // usage_logs_12_months ends (policies/retention.yaml): security logs outlive the account.
      const usageEventsDeleted = await deleteUsageOfClosedAccount(tx, user.workspaceId, user.id);
      await recordDecision(tx, ctx.policies, principal, {
        action: "close_account",
        subject: "User",
        subjectId: user.id,
        decision: "allow",
        detail: { ...counts, usageEventsDeleted },
      });
      return { closed: true as const };
    });
    if (!outcome.closed && outcome.why === "last_owner") {
      throw badInput("account", "you are the last owner of this workspace: make another member owner first, then close your account");
    }
    if (!outcome.closed) throw unauthenticated();
    return true;
  },
};
