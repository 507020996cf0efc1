import { IsOptional, MaxLength } from "class-validator";
import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import type { CONSENT_SOURCES, consentEvents } from "../../db/schema/index.js";
import type { Purpose } from "../../authz/policy-loader.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";
import { ConsentChannel } from "../purposes/purpose.type.js";
import type { ConsentProof } from "./consent.proof.js";

export type ConsentEventRow = typeof consentEvents.$inferSelect;

export enum ConsentEventState {
  GRANTED = "granted",
  WITHDRAWN = "withdrawn",
}
registerEnumType(ConsentEventState, {
  name: "ConsentEventState",
  description: "What a ledger entry records.",
  valuesConfig: { GRANTED: { description: "The person gave consent." }, WITHDRAWN: { description: "The person withdrew consent." } },
});

type ConsentSourceValue = (typeof CONSENT_SOURCES)[number];

// Arguments keep the contract's strings (`source: "signup_form"`); the ledger shows the enum.
const ConsentSource = closedSetEnum<ConsentSourceValue>("ConsentSource", "Where a consent was given or withdrawn.", {
  form: "A web form.",
  signup_form: "A sign-up form (newsletter, account).",
  email_link: "A link in an email message.",
  verbal: "Said by the person, on the phone or in person.",
  import: "Imported from another system.",
  api: "Sent by another system through the API.",
  unsubscribe_link: "The one-click unsubscribe link of a message (withdrawal only).",
});

@Guard("read", "ConsentEvent")
@ObjectType({ description: "One entry of the append-only consent ledger: the proof of consent (GDPR Art. 7(1))." })
export class ConsentEvent {
  @Field(() => ID, { description: "Ledger entry id." })
  id!: string;

  @Field(() => ID, { nullable: true, description: "The person it is about." })
  contactId!: string | null;

  @Field(() => String, { description: "Purpose id, e.g. marketing_email." })
  purpose!: string;

  @Field(() => ConsentChannel, { description: "Channel the consent covers: EMAIL or SMS." })
  channel!: NonNullable<Purpose["channel"]>;

  @Field(() => ConsentEventState, { description: "GRANTED or WITHDRAWN." })
  state!: ConsentEventState;

  @Field(() => ConsentSource, { description: "Where it was given or withdrawn." })
  source!: ConsentSourceValue;

  @Field(() => String, { nullable: true, description: "Version of the privacy notice the person was shown." })
  noticeVersion!: string | null;

  @Field(() => String, { nullable: true, description: "The person's IP address when consenting (personal data)." })
  subjectIp!: string | null;

  @Field(() => String, { nullable: true, description: "The person's user agent when consenting (personal data)." })
  subjectUserAgent!: string | null;

  @Field(() => String, { nullable: true, description: "Free-text evidence: form name, call reference..." })
  evidence!: string | null;

  @Field(() => ID, { nullable: true, description: "The workspace member who recorded it." })
  recordedBy!: string | null;

  @Field(() => DateTime, { description: "When it was recorded." })
  createdAt!: Date;
}

@InputType({
  description: "Proof about the person (not the staff member) at the moment of consent; which fields are required depends on the source (see grantConsent).",
})
export class ConsentProofInput implements ConsentProof {
  @Field(() => String, { nullable: true, description: "Version of the privacy notice shown to the person." })
  @IsOptional()
  @MaxLength(50)
  noticeVersion?: string | null;

  // Checked with the proof the source needs (consent.proof.ts), so the error names proof.subjectIp.
  @Field(() => String, { nullable: true, description: "The person's IP address (IPv4 or IPv6)." })
  @IsOptional()
  @MaxLength(45)
  subjectIp?: string | null;

  @Field(() => String, { nullable: true, description: "The person's browser user agent." })
  @IsOptional()
  @MaxLength(500)
  subjectUserAgent?: string | null;

  @Field(() => String, { nullable: true, description: "Evidence: form name, recording reference, email id." })
  @IsOptional()
  @MaxLength(2000)
  evidence?: string | null;
}
