import { JSONResolver } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import type { DecisionEntry } from "../../authz/decision-log.js";
import type { auditLog } from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard, Structure } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";

export type AuditRow = typeof auditLog.$inferSelect & { id: string };

export const AuditDecision = closedSetEnum<DecisionEntry["decision"]>("AuditDecision", "What the decision log recorded.", {
  allow: "The action was allowed and done (a privacy action).",
  deny: "The action was refused (a denial, a failed sign-in).",
});

@Guard("read", "AuditEntry")
@ObjectType({ description: "A decision-log entry: a denial or a privacy action (who, what, purpose, rule, when)." })
export class AuditEntry {
  @Field(() => ID, { description: "Sequence number; entries only grow." })
  id!: string;

  @Field(() => ID, { nullable: true, description: "Who acted (null for a failed sign-in)." })
  actorId!: string | null;

  @Field(() => String, { nullable: true, description: "The actor's role." })
  actorRole!: string | null;

  @Field(() => String, { description: "What was attempted: read, grant_consent, restrict_processing..." })
  action!: string;

  @Field(() => String, { description: "Subject type." })
  subject!: string;

  @Field(() => String, { nullable: true, description: "Subject row id, when one row was concerned." })
  subjectId!: string | null;

  @Field(() => String, { nullable: true, description: "The request's processing purpose." })
  purpose!: string | null;

  @Field(() => AuditDecision, { description: "ALLOW or DENY." })
  decision!: DecisionEntry["decision"];

  @Field(() => String, { nullable: true, description: "The rule that decided." })
  rule!: string | null;

  @Field(() => String, { nullable: true, description: "Why." })
  reason!: string | null;

  @Field(() => JSONResolver, { nullable: true, description: "Details (never secrets)." })
  detail!: unknown;

  @Field(() => String, {
    nullable: true,
    description: "sha256 digest of the policy in force when the entry was written (npm run policy:show -- <digest>); null on entries older than the digest.",
  })
  policyDigest!: string | null;

  @Field(() => DateTime, { description: "When." })
  createdAt!: Date;
}

@Structure()
@ObjectType({ description: "The result of checking the caller's workspace's audit hash chain." })
export class AuditVerification {
  @Field(() => Boolean, { description: "True when every entry checked still matches its hash and follows the one before it." })
  ok!: boolean;

  @Field(() => Int, { description: "Entries checked (up to the first broken one)." })
  entries!: number;

  @Field(() => ID, {
    nullable: true,
    description: "The id of the first entry that no longer matches (changed, or the one after a deleted or inserted entry); null when ok.",
  })
  brokenAt!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "The id of the first entry checked: the oldest of the chain, or the first after the latest checkpoint (old entries removed by retention).",
  })
  checkedFrom!: string | null;

  @Field(() => String, { nullable: true, description: "Why the chain is broken at brokenAt; null when ok." })
  reason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The hash of the newest entry: kept elsewhere, it shows later whether the newest entries were removed.",
  })
  lastHash!: string | null;
}
