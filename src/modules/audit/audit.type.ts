import { JSONResolver } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";
import type { DecisionEntry } from "../../authz/decision-log.js";
import type { auditLog } from "../../db/schema/index.js";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard } from "../../graphql/guard.js";
import { DateTime } from "../../graphql/scalars.js";

export type AuditRow = typeof auditLog.$inferSelect & { id: string };

const AuditDecision = closedSetEnum<DecisionEntry["decision"]>("AuditDecision", "What the decision log recorded.", {
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
