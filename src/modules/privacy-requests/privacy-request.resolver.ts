import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../../graphql/context.js";
import { Guard } from "../../graphql/guard.js";
import { Connection, PageArgs } from "../../graphql/pagination.js";
import { DateTime } from "../../graphql/scalars.js";
import { pageRequest } from "../common/paging.js";
import { answersByRequest } from "./privacy-request.loaders.js";
import { privacyRequestService } from "./privacy-request.service.js";
import {
  IdentityVerification,
  IdentityVerificationInput,
  PrivacyRequest,
  PrivacyRequestAnswer,
  PrivacyRequestFilter,
  PrivacyRequestInput,
  PrivacyRequestOrder,
  type PrivacyRequestRow,
  type VerificationMethodValue,
} from "./privacy-request.type.js";
import { effectiveDue, isOverdue } from "./request-clock.js";

export const PrivacyRequestConnection = Connection(PrivacyRequest, "PrivacyRequest");

@ArgsType()
class PrivacyRequestsArgs extends PageArgs {
  @Field(() => PrivacyRequestFilter, { nullable: true, description: "Conditions requests must meet." })
  filter?: PrivacyRequestFilter;

  @Field(() => PrivacyRequestOrder, { nullable: true, description: "Sort order; newest received first by default." })
  orderBy?: PrivacyRequestOrder;
}

const ID_ARG = { description: "Request id." };

@Resolver(() => PrivacyRequest)
export class PrivacyRequestResolver {
  @Guard("read", "PrivacyRequest")
  @Query(() => PrivacyRequestConnection, { description: "The workspace's privacy requests (legal_compliance), newest received first unless ordered." })
  async privacyRequests(@Args(() => PrivacyRequestsArgs) args: PrivacyRequestsArgs, @Ctx() ctx: AppContext) {
    return new PrivacyRequestConnection(await privacyRequestService.list(ctx, pageRequest(args), args.filter, args.orderBy));
  }

  @Guard("read", "PrivacyRequest")
  @Query(() => PrivacyRequest, { description: "One privacy request (legal_compliance)." })
  privacyRequest(@Arg("id", () => ID, ID_ARG) id: string, @Ctx() ctx: AppContext) {
    return privacyRequestService.get(ctx, id);
  }

  @Guard("create", "PrivacyRequest")
  @Mutation(() => PrivacyRequest, {
    description: "Records a person's request about a contact or a workspace member; dueAt is one calendar month after receipt (45 days under the CCPA).",
  })
  submitPrivacyRequest(@Arg("input", () => PrivacyRequestInput, { description: "The request." }) input: PrivacyRequestInput, @Ctx() ctx: AppContext) {
    return privacyRequestService.submit(ctx, input);
  }

  @Guard("update", "PrivacyRequest")
  @Mutation(() => PrivacyRequest, { description: "Starts work on a RECEIVED request; the requester's identity must be verified, now or before." })
  startPrivacyRequest(
    @Arg("id", () => ID, ID_ARG) id: string,
    @Arg("verification", () => IdentityVerificationInput, { nullable: true, description: "How the identity was verified, if not recorded yet." })
    verification: IdentityVerificationInput | null,
    @Ctx() ctx: AppContext,
  ) {
    return privacyRequestService.start(ctx, id, verification);
  }

  @Guard("update", "PrivacyRequest")
  @Mutation(() => PrivacyRequest, { description: "Extends an open request once, before dueAt, with the reason the person must be told (Art. 12(3))." })
  extendPrivacyRequest(
    @Arg("id", () => ID, ID_ARG) id: string,
    @Arg("reason", () => String, { description: "Why more time is needed, as the person is told; 5 to 2000 characters." }) reason: string,
    @Arg("months", () => Int, {
      nullable: true,
      description: "GDPR: 1 or 2 further months (default 2), counted from receipt. Leave out under the CCPA (45 days).",
    })
    months: number | null,
    @Ctx() ctx: AppContext,
  ) {
    return privacyRequestService.extend(ctx, id, reason, months);
  }

  @Guard("update", "PrivacyRequest")
  @Mutation(() => PrivacyRequest, {
    description:
      "Completes a verified, open request. ACCESS, PORTABILITY, ERASURE and RECTIFICATION need a linked answer; the other types may be answered by a decision.",
  })
  completePrivacyRequest(@Arg("id", () => ID, ID_ARG) id: string, @Ctx() ctx: AppContext) {
    return privacyRequestService.complete(ctx, id);
  }

  @Guard("update", "PrivacyRequest")
  @Mutation(() => PrivacyRequest, { description: "Refuses an open request with a reason written for the person (Art. 12(4))." })
  rejectPrivacyRequest(
    @Arg("id", () => ID, ID_ARG) id: string,
    @Arg("reason", () => String, { description: "Why, as the person will read it; 5 to 2000 characters." }) reason: string,
    @Ctx() ctx: AppContext,
  ) {
    return privacyRequestService.reject(ctx, id, reason);
  }

  @Guard("read", "PrivacyRequest", "verification")
  @FieldResolver(() => IdentityVerification, { nullable: true, description: "How the requester's identity was verified; null until it is." })
  verification(@Root() row: PrivacyRequestRow): IdentityVerification | null {
    if (!row.verifiedAt || !row.verificationMethod) return null;
    return {
      method: row.verificationMethod as VerificationMethodValue,
      note: row.verificationNote,
      verifiedAt: row.verifiedAt,
      verifiedById: row.verifiedById,
    };
  }

  @Guard("read", "PrivacyRequest", "effectiveDueAt")
  @FieldResolver(() => DateTime, { description: "The deadline in force: extendedUntil if extended, else dueAt." })
  effectiveDueAt(@Root() row: PrivacyRequestRow): Date {
    return effectiveDue(row);
  }

  @Guard("read", "PrivacyRequest", "overdue")
  @FieldResolver(() => Boolean, { description: "Still open after the deadline in force." })
  overdue(@Root() row: PrivacyRequestRow): boolean {
    return isOverdue(row);
  }

  @Guard("read", "PrivacyRequest", "answers")
  @FieldResolver(() => [PrivacyRequestAnswer], { description: "The actions that answered it, oldest first." })
  answers(@Root() row: PrivacyRequestRow, @Ctx() ctx: AppContext) {
    return answersByRequest(ctx).load(row.id);
  }
}
