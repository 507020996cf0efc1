import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Authenticated, Guard, Public } from "../../graphql/guard.js";
import { EmailAddress } from "../../graphql/scalars.js";
import { userService } from "./user.service.js";
import { Workspace } from "../workspaces/workspace.type.js";
import { AuthPayload, UpdateMyProfileInput, User, type UserRow } from "./user.type.js";

@Resolver(() => User)
export class UserResolver {
  @Guard("read", "User")
  @Query(() => User, { description: "The signed-in user." })
  me(@Ctx() ctx: AppContext) {
    return userService.me(ctx);
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'Signs in. A wrong email or password both answer "invalid email or password".' })
  login(
    @Arg("email", () => EmailAddress, { description: "The account's sign-in email." }) email: string,
    @Arg("password", () => String, { description: "The account's password." }) password: string,
    @Ctx() ctx: AppContext,
  ) {
    return userService.login(ctx, email, password);
  }

  @Authenticated()
  @Mutation(() => Boolean, { description: "Ends the current session; its token stops working at once." })
  logout(@Ctx() ctx: AppContext) {
    return userService.logout(ctx);
  }

  @Authenticated()
  @Mutation(() => Boolean, {
    description:
      "Closes the signed-in user's own account: name, email and phone replaced, every session ended, the password stops working. The last owner of a workspace must make another member owner first (BAD_USER_INPUT).",
  })
  closeMyAccount(@Arg("password", () => String, { description: "The account's current password, to confirm." }) password: string, @Ctx() ctx: AppContext) {
    return userService.closeMyAccount(ctx, password);
  }

  @Guard("rectify", "User")
  @Mutation(() => User, {
    description:
      "The signed-in user corrects their own name, phone or position (GDPR Art. 16). Audited with the names of the fields changed, never their values. A new phone number withdraws the SMS marketing consent given for the old one. The sign-in email is not changed here.",
  })
  updateMyProfile(
    @Arg("input", () => UpdateMyProfileInput, { description: "The corrections." }) input: UpdateMyProfileInput,
    @Arg("requestId", () => ID, {
      nullable: true,
      description: "The signed-in user's own RECTIFICATION privacy request this correction answers, if any; linked to it in the same transaction.",
    })
    requestId: string | null,
    @Ctx() ctx: AppContext,
  ) {
    return userService.updateMyProfile(ctx, input, requestId);
  }

  @FieldResolver(() => Workspace, { description: "The workspace the user belongs to." })
  workspace(@Root() user: UserRow, @Ctx() ctx: AppContext) {
    return userService.workspace(ctx, user.workspaceId);
  }
}
