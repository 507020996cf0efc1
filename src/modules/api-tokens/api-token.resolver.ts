import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { PageArgs } from "../../graphql/pagination.js";
import { userById } from "../users/user.loaders.js";
import { User } from "../users/user.type.js";
import { CreateApiTokenInput } from "./api-token.input.js";
import { apiTokenService } from "./api-token.service.js";
import { ApiToken, ApiTokenConnection, type ApiTokenRow, CreatedApiToken } from "./api-token.type.js";

@Resolver(() => ApiToken)
export class ApiTokenResolver {
  @Guard("read", "ApiToken")
  @Query(() => ApiTokenConnection, { description: "API tokens the caller may see (its own; an owner sees the workspace's), newest first. Never the secret." })
  async apiTokens(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AppContext) {
    return new ApiTokenConnection(await apiTokenService.list(ctx, args));
  }

  @Guard("create", "ApiToken")
  @Mutation(() => CreatedApiToken, {
    description: "Makes an API token that acts as you, within your role, cut to its scopes and purposes. The token is shown once.",
  })
  createApiToken(
    @Arg("input", () => CreateApiTokenInput, { description: "The token's name, scopes, purposes and expiry." }) input: CreateApiTokenInput,
    @Ctx() ctx: AppContext,
  ) {
    return apiTokenService.create(ctx, input);
  }

  @Guard("delete", "ApiToken")
  @Mutation(() => Boolean, { description: "Revokes an API token; it stops working at once." })
  revokeApiToken(@Arg("id", () => ID, { description: "Token id." }) id: string, @Ctx() ctx: AppContext) {
    return apiTokenService.revoke(ctx, id);
  }

  @Guard("read", "User")
  @FieldResolver(() => User, { nullable: true, description: "Who made the token (it acts as them), if the caller may see them." })
  createdBy(@Root() token: ApiTokenRow, @Ctx() ctx: AppContext) {
    return userById(ctx).load(token.userId);
  }
}
