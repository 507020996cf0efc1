import { Field, ID, Int, ObjectType } from "type-graphql";
import { Structure } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";

@Structure()
@ObjectType({ description: "Rows kept after an erasure, and the legal reason they stay." })
export class RetainedRecord {
  @Field(() => String, { description: "The table the rows are in (contacts, deals, consent_events...)." })
  table!: string;

  @Field(() => String, { description: "Why they are kept (the legal exception, GDPR Art. 17(3))." })
  reason!: string;

  @Field(() => Int, { description: "How many rows." })
  count!: number;
}

@Structure()
@ObjectType({ description: "What an erasure (GDPR Art. 17) removed and what it kept, with the legal reason." })
export class ErasureReport {
  @Field(() => ID, { description: "The erased contact; it stays as a tombstone (erased: true)." })
  contactId!: string;

  @Field(() => DateTime, { description: "When the person was erased." })
  erasedAt!: Date;

  @Field(() => [String], { description: "The contact's fields that were emptied." })
  erasedFields!: string[];

  @Field(() => [RetainedRecord], { description: "What was kept, and why." })
  retained!: RetainedRecord[];

  @Field(() => Int, { description: "The person's interactions deleted." })
  interactionsDeleted!: number;

  @Field(() => Int, { description: "Deals unlinked from the person (kept for accounting)." })
  dealsUnlinked!: number;

  @Field(() => Int, { description: "Consent ledger entries whose proof details (IP, user agent, evidence) were removed." })
  consentProofsCleared!: number;

  @Field(() => Int, { description: 'Deal titles that named the person (name, email or phone), replaced by "Deal (title removed at erasure)".' })
  dealTitlesReplaced!: number;

  @Field(() => Int, { description: "Restriction and objection reasons, and notes of how the person was informed, cleared." })
  privacyReasonsCleared!: number;

  @Field(() => Int, { description: "Privacy requests about the person whose details (the person's own words) and verification note were cleared." })
  requestTextsCleared!: number;

  @Field(() => Int, {
    description:
      "Reasons kept as the controller's proof (compelling grounds, request extensions and rejections, legal holds) in which the person's name, email or phone was replaced by [erased].",
  })
  reasonsRedacted!: number;

  @Field(() => Int, {
    description:
      "Interactions on other people's records whose subject or body gave one of the person's email addresses (current or former), each replaced by [erased]. Names are left: in someone else's note a name may be another person's.",
  })
  notesRedacted!: number;
}
