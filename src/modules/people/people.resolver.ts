import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Authenticated, Guard, Public } from "../../graphql/guard.js";
import { AuthPayload, User } from "../users/user.type.js";
import { peopleService } from "./people.service.js";
import { Invitation, InviteUserInput, Session } from "./people.type.js";

@Resolver()
export class PeopleResolver {
  @Guard("create", "User")
  @Mutation(() => Invitation, {
    description: "Invites a person into the caller's workspace with a role (owner only). The token is returned once; hand it over yourself.",
  })
  inviteUser(@Arg("input", () => InviteUserInput, { description: "Email, role and name." }) input: InviteUserInput, @Ctx() ctx: AppContext) {
    return peopleService.invite(ctx, input);
  }

  @Public()
  @Mutation(() => AuthPayload, {
    description:
      "Accepts an invitation: creates the account with this password (at least 12 characters, not a common one) and signs it in. Public: the token is the proof.",
  })
  acceptInvitation(
    @Arg("token", () => String, { description: "The invitation token from inviteUser or npm run workspace:create." }) token: string,
    @Arg("password", () => String, { description: "The new account's password." }) password: string,
    @Arg("name", () => String, { nullable: true, description: "Full name; defaults to the name the invitation gave." }) name: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return peopleService.accept(ctx, token, password, name);
  }

  @Guard("update", "User")
  @Mutation(() => User, { description: "Changes a user's role (owner only; never to system; the last owner cannot be demoted). Audited." })
  changeUserRole(
    @Arg("userId", () => ID, { description: "A user of the caller's workspace." }) userId: string,
    @Arg("role", () => String, { description: "Role id from policies/roles." }) role: string,
    @Ctx() ctx: AppContext,
  ) {
    return peopleService.changeRole(ctx, userId, role);
  }

  @Guard("update", "User")
  @Mutation(() => User, { description: "Deactivates a user (owner only): sign-in is refused and their sessions end at once. Audited." })
  deactivateUser(@Arg("userId", () => ID, { description: "A user of the caller's workspace." }) userId: string, @Ctx() ctx: AppContext) {
    return peopleService.deactivate(ctx, userId);
  }

  @Guard("issue_password_reset", "User")
  @Mutation(() => String, {
    description:
      "Issues a one-time password reset token for a user (owner only, or npm run user:reset-password; 1 hour; replaces older ones). No mail is sent: hand it over.",
  })
  issuePasswordReset(@Arg("userId", () => ID, { description: "A user of the caller's workspace." }) userId: string, @Ctx() ctx: AppContext) {
    return peopleService.issueReset(ctx, userId);
  }

  @Public()
  @Mutation(() => Boolean, { description: "Sets a new password with a reset token; every session of the account ends. Public: the token is the proof." })
  resetPassword(
    @Arg("token", () => String, { description: "The token from issuePasswordReset." }) token: string,
    @Arg("newPassword", () => String, { description: "At least 12 characters, not a common password." }) newPassword: string,
    @Ctx() ctx: AppContext,
  ) {
    return peopleService.reset(ctx, token, newPassword);
  }

  @Authenticated()
  @Mutation(() => Boolean, { description: "Changes the signed-in user's password; the current one is required and every other session ends." })
  changePassword(
    @Arg("currentPassword", () => String, { description: "The password in use now." }) currentPassword: string,
    @Arg("newPassword", () => String, { description: "At least 12 characters, not a common password." }) newPassword: string,
    @Ctx() ctx: AppContext,
  ) {
    return peopleService.changePassword(ctx, currentPassword, newPassword);
  }

  @Authenticated()
  @Query(() => [Session], { description: "The signed-in user's own open sessions, newest first." })
  mySessions(@Ctx() ctx: AppContext) {
    return peopleService.mySessions(ctx);
  }

  @Authenticated()
  @Mutation(() => Boolean, { description: "Ends one of the signed-in user's own sessions; its token stops working at once." })
  revokeSession(@Arg("id", () => ID, { description: "A session id from mySessions." }) id: string, @Ctx() ctx: AppContext) {
    return peopleService.revokeSession(ctx, id);
  }
}
