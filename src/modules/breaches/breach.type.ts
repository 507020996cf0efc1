import { Field, ID, Int, ObjectType } from "type-graphql";
import { closedSetEnum } from "../../graphql/enums.js";
import { Guard, Structure } from "../../graphql/guard.js";
import { Connection } from "../../graphql/pagination.js";
import { DateTime } from "../../graphql/scalars.js";
import type { BreachSeverity as Severity, BreachStatus as Status, BreachTarget as Target } from "./breach.rules.js";

export const BreachSeverity = closedSetEnum<Severity>("BreachSeverity", "How serious a breach is for the people affected.", {
  low: "Unlikely to result in a risk to people's rights and freedoms.",
  medium: "A risk to people's rights and freedoms.",
  high: "A high risk: the affected people must be told (Art. 34).",
  critical: "A high risk at scale or with sensitive data.",
});

export const BreachStatus = closedSetEnum<Status>("BreachStatus", "Where a breach's notifications stand.", {
  open: "No required notification recorded yet.",
  notifying: "Some required notifications recorded, not all.",
  notified: "Every required notification recorded: the authority, the affected users (if any), the controllers (if contacts were affected).",
});

export const BreachNotificationTarget = closedSetEnum<Target>("BreachNotificationTarget", "Who was notified of a breach.", {
  authority: "The supervisory authority (CNIL by default), within 72 hours of detection (Art. 33(1)).",
  users: "The affected account holders, within 72 hours (privacy policy, section 12); they see a notice in `me.breachNotices`.",
  controllers: "The customers whose contacts were affected (Art. 33(2)); the workspace's owners see a notice in `me.breachNotices`.",
});

@Guard("read", "Breach")
@ObjectType({ description: "A personal-data breach in the register (Art. 33(5)): facts, effects, measures and notifications." })
export class Breach {
  @Field(() => ID, { description: "Breach id." })
  id!: string;

  @Field(() => DateTime, { description: "When the breach was detected; the 72-hour clock starts here." })
  detectedAt!: Date;

  @Field(() => DateTime, { description: "detectedAt + 72 h: when the authority must have been notified." })
  authorityDeadline!: Date;

  @Field(() => DateTime, { description: "detectedAt + 72 h: when the affected users must have been notified." })
  usersDeadline!: Date;

  @Field(() => DateTime, { nullable: true, description: "When the authority was notified (the first record)." })
  authorityNotifiedAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When the affected users were notified (the first record)." })
  usersNotifiedAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When the controllers (customers) were notified (the first record)." })
  controllersNotifiedAt!: Date | null;

  @Field(() => Int, { description: "How many contacts and account holders were affected." })
  affectedCount!: number;

  @Field(() => BreachStatus, { description: "OPEN, NOTIFYING or NOTIFIED." })
  status!: Status;

  @Field(() => Boolean, { description: "True when a 72-hour deadline has passed without its notification (database clock, at read time)." })
  overdue!: boolean;

  @Field(() => String, { description: "The facts: what happened." })
  description!: string;

  @Field(() => String, { description: "The likely consequences for the people affected." })
  effects!: string;

  @Field(() => String, { description: "The measures taken or proposed." })
  remedialAction!: string;

  @Field(() => BreachSeverity, { description: "LOW, MEDIUM, HIGH or CRITICAL." })
  severity!: Severity;

  @Field(() => String, { description: "The supervisory authority to notify (CNIL unless said)." })
  authority!: string;

  @Field(() => DateTime, { description: "When the breach was entered in the register." })
  reportedAt!: Date;
}

export const BreachConnection = Connection(Breach, "Breach");

@Structure()
@ObjectType({ description: "A breach notice addressed to the signed-in user (as affected account holder, or as owner for the customer)." })
export class BreachNotice {
  @Field(() => ID, { description: "Breach id." })
  id!: string;

  @Field(() => DateTime, { description: "When the breach was detected." })
  detectedAt!: Date;

  @Field(() => BreachSeverity, { description: "How serious it is." })
  severity!: Severity;

  @Field(() => String, { description: "What happened." })
  description!: string;

  @Field(() => String, { description: "The likely consequences." })
  effects!: string;

  @Field(() => String, { description: "The measures taken or proposed." })
  remedialAction!: string;

  @Field(() => BreachNotificationTarget, { description: "USERS: you were affected; CONTROLLERS: your workspace's contacts were." })
  target!: Target;

  @Field(() => DateTime, { description: "When the notification was recorded." })
  notifiedAt!: Date;
}
