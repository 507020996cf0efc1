import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import type {
  PRIVACY_LAWS,
  PRIVACY_REQUEST_STATUSES,
  PRIVACY_REQUEST_TYPES,
  privacyRequestAnswers,
  privacyRequests,
  REQUEST_ANSWER_KINDS,
  VERIFICATION_METHODS,
} from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard, Structure } from "../../graphql/guard.js";
import { OrderDirection } from "../../graphql/pagination.js";
import { DateTime } from "../../graphql/scalars.js";

export type PrivacyRequestRow = typeof privacyRequests.$inferSelect;
export type PrivacyRequestAnswerRow = typeof privacyRequestAnswers.$inferSelect;
export type RequestType = (typeof PRIVACY_REQUEST_TYPES)[number];
export type RequestStatus = (typeof PRIVACY_REQUEST_STATUSES)[number];
export type RequestLaw = (typeof PRIVACY_LAWS)[number];
export type VerificationMethodValue = (typeof VERIFICATION_METHODS)[number];
export type AnswerKind = (typeof REQUEST_ANSWER_KINDS)[number];

export const PrivacyRequestType = closedSetEnum<RequestType>("PrivacyRequestType", "The right a person exercises.", {
  access: "Access to their data and the Art. 15 information (CCPA: right to know).",
  rectification: "Correction of inaccurate data (Art. 16; CCPA: right to correct).",
  erasure: "Erasure (Art. 17; CCPA: right to delete).",
  restriction: "Restriction of processing (Art. 18).",
  portability: "Their data in a machine-readable format (Art. 20; CCPA: right to know, specific pieces).",
  objection: "Objection to a purpose based on legitimate interest, or to direct marketing (Art. 21).",
  withdraw_consent: "Withdrawal of a consent (Art. 7(3)).",
});

export const PrivacyRequestStatus = closedSetEnum<RequestStatus>("PrivacyRequestStatus", "Where a request stands.", {
  received: "Received; the clock runs.",
  in_progress: "Being answered (the requester's identity is verified).",
  completed: "Answered.",
  rejected: "Refused, with a reason the person can read (Art. 12(4)).",
});

export const PrivacyLaw = closedSetEnum<RequestLaw>("PrivacyLaw", "The law the request is made under; it sets the clock.", {
  gdpr: "GDPR: one month, extendable once by up to two months (Art. 12(3)).",
  ccpa: "CCPA: 45 days, extendable once by 45 days (Cal. Civ. Code 1798.130).",
});

export const VerificationMethod = closedSetEnum<VerificationMethodValue>("VerificationMethod", "How the requester's identity was verified (Art. 12(6)).", {
  email_link: "The person confirmed through a link sent to the address on record.",
  account_signed_in: "The person made the request signed in to their own account.",
  id_document: "An identity document was checked (and not kept).",
  other: "Another way, described in the note.",
});

export const PrivacyRequestAnswerKind = closedSetEnum<AnswerKind>("PrivacyRequestAnswerKind", "What kind of action answered a request.", {
  export: "A data export (access, portability).",
  erasure: "An erasure report.",
  rectification: "A correction of the person's record.",
  restriction: "A restriction of processing.",
  objection: "A recorded objection, or the decision upholding compelling grounds over one (Art. 21(1)).",
  consent_withdrawal: "A withdrawn consent.",
});

@Structure()
@ObjectType({ description: "How the requester's identity was verified." })
export class IdentityVerification {
  @Field(() => VerificationMethod, { description: "EMAIL_LINK, ACCOUNT_SIGNED_IN, ID_DOCUMENT or OTHER." })
  method!: VerificationMethodValue;

  @Field(() => String, { nullable: true, description: "What was checked (never a copy of the document)." })
  note!: string | null;

  @Field(() => DateTime, { description: "When it was recorded." })
  verifiedAt!: Date;

  @Field(() => ID, { nullable: true, description: "Who recorded it." })
  verifiedById!: string | null;
}

@Structure()
@ObjectType({ description: "An action that answered a request." })
export class PrivacyRequestAnswer {
  @Field(() => PrivacyRequestAnswerKind, { description: "What kind of action." })
  kind!: AnswerKind;

  @Field(() => String, { description: "Its reference, as the module that did it names it (an export id, a contact id...)." })
  ref!: string;

  @Field(() => DateTime, { description: "When it was linked." })
  linkedAt!: Date;

  @Field(() => ID, { nullable: true, description: "Who linked it." })
  linkedById!: string | null;
}

@Guard("read", "PrivacyRequest")
@ObjectType({ description: "A data subject's request (GDPR Art. 15-21, CCPA) and its legal clock." })
export class PrivacyRequest {
  @Field(() => ID, { description: "Request id." })
  id!: string;

  @Field(() => PrivacyRequestType, { description: "The right exercised." })
  type!: RequestType;

  @Field(() => PrivacyLaw, { description: "GDPR or CCPA; sets the clock." })
  law!: RequestLaw;

  @Field(() => PrivacyRequestStatus, { description: "RECEIVED, IN_PROGRESS, COMPLETED or REJECTED." })
  status!: RequestStatus;

  @Field(() => ID, { nullable: true, description: "The contact the request is about (null when it is about a user)." })
  contactId!: string | null;

  @Field(() => ID, { nullable: true, description: "The workspace member the request is about (null when it is about a contact)." })
  userId!: string | null;

  @Field(() => String, { nullable: true, description: "What the person asked, in their words." })
  details!: string | null;

  @Field(() => IdentityVerification, { nullable: true, description: "How the requester's identity was verified; null until it is." })
  verification!: IdentityVerification | null;

  @Field(() => DateTime, { description: "When the request was received; the clock starts here." })
  receivedAt!: Date;

  @Field(() => DateTime, { description: "End of the day one month after receipt (clamped to the month's end), in the workspace's time zone." })
  dueAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "The extended deadline, if the request was extended." })
  extendedUntil!: Date | null;

  @Field(() => String, { nullable: true, description: "Why it was extended, as the person is told." })
  extensionReason!: string | null;

  @Field(() => DateTime, { description: "The deadline in force: extendedUntil if extended, else dueAt." })
  effectiveDueAt!: Date;

  @Field(() => Boolean, { description: "Still open after the deadline in force." })
  overdue!: boolean;

  @Field(() => DateTime, { nullable: true, description: "When work on it started." })
  startedAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When it was answered." })
  completedAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When it was refused." })
  rejectedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "Why it was refused, written for the person." })
  rejectionReason!: string | null;

  @Field(() => [PrivacyRequestAnswer], { description: "The actions that answered it." })
  answers!: PrivacyRequestAnswer[];

  @Field(() => ID, { nullable: true, description: "Who recorded it." })
  createdById!: string | null;

  @Field(() => DateTime, { description: "When it was recorded." })
  createdAt!: Date;

  @Field(() => DateTime, { description: "When it last changed." })
  updatedAt!: Date;
}

@InputType({ description: "How the requester's identity was verified." })
export class IdentityVerificationInput {
  @Field(() => VerificationMethod, { description: "The method." })
  method!: VerificationMethodValue;

  @Field(() => String, { nullable: true, description: "What was checked, up to 500 characters; required for OTHER." })
  note?: string | null;
}

@InputType({ description: "A request a person made: about a contact (contactId) or about a workspace member (userId), exactly one." })
export class PrivacyRequestInput {
  @Field(() => PrivacyRequestType, { description: "The right exercised." })
  type!: RequestType;

  @Field(() => ID, { nullable: true, description: "The contact the request is about." })
  contactId?: string | null;

  @Field(() => ID, { nullable: true, description: "The workspace member the request is about." })
  userId?: string | null;

  @Field(() => PrivacyLaw, { nullable: true, description: "GDPR (default) or CCPA." })
  law?: RequestLaw | null;

  @Field(() => DateTime, {
    nullable: true,
    description: "When it was received (default now); earlier for a request that came by post, never in the future.",
  })
  receivedAt?: Date | null;

  @Field(() => String, { nullable: true, description: "What the person asked, up to 2000 characters." })
  details?: string | null;

  @Field(() => IdentityVerificationInput, { nullable: true, description: "How the identity was verified, if it already is." })
  verification?: IdentityVerificationInput | null;
}

@InputType({ description: "Which requests to list; all given conditions must hold." })
export class PrivacyRequestFilter {
  @Field(() => [PrivacyRequestType], { nullable: true, description: "Only these types." })
  types?: RequestType[] | null;

  @Field(() => [PrivacyRequestStatus], { nullable: true, description: "Only these statuses." })
  statuses?: RequestStatus[] | null;

  @Field(() => Boolean, { nullable: true, description: "Only overdue requests (true) or only those that are not (false)." })
  overdue?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Only open requests (RECEIVED, IN_PROGRESS) or only closed ones." })
  open?: boolean | null;

  @Field(() => DateTime, { nullable: true, description: "Only requests whose deadline in force is before this instant (due soon: with open: true)." })
  dueBefore?: Date | null;

  @Field(() => Int, { nullable: true, description: "Only open requests due within this many days from now (1 to 366)." })
  dueWithinDays?: number | null;

  @Field(() => ID, { nullable: true, description: "Only requests about this contact." })
  contactId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only requests about this member." })
  userId?: string | null;
}

export type RequestOrderField = "received_at" | "due_at";
export const PrivacyRequestOrderField = closedSetEnum<RequestOrderField>("PrivacyRequestOrderField", "Sort keys for privacy requests.", {
  received_at: "When it was received.",
  due_at: "Its first deadline.",
});

@InputType({ description: "Sort order of a request list (ties broken by id)." })
export class PrivacyRequestOrder {
  @Field(() => PrivacyRequestOrderField, { description: "Sort key." })
  field!: RequestOrderField;

  @Field(() => OrderDirection, { description: "Direction." })
  direction!: OrderDirection;
}
