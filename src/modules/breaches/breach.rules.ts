import { BREACH_SEVERITIES } from "../../db/schema/index.js";

export type BreachSeverity = (typeof BREACH_SEVERITIES)[number];
export const BREACH_TARGETS = ["authority", "users", "controllers"] as const;
export type BreachTarget = (typeof BREACH_TARGETS)[number];
export const BREACH_STATUSES = ["open", "notifying", "notified"] as const;
export type BreachStatus = (typeof BREACH_STATUSES)[number];

/** Art. 33(1) and privacy policy section 12: 72 hours from detection, for the authority and the users. */
export const NOTIFICATION_HOURS = 72;
export const DEFAULT_AUTHORITY = "CNIL";
/** Affected ids one report may list. */
export const MAX_AFFECTED_IDS = 10_000;

/** A breach as stored, with who it affected (counts) and the database clock it was read at. */
export interface BreachRecord {
  id: string;
  workspaceId: string;
  detectedAt: Date;
  severity: string;
  description: string;
  effects: string;
  remedialAction: string;
  authority: string;
  authorityNotifiedAt: Date | null;
  usersNotifiedAt: Date | null;
  controllersNotifiedAt: Date | null;
  reportedBy: string | null;
  reportedAt: Date;
  affectedContacts: number;
  affectedUsers: number;
  checkedAt: Date;
}

/** What the register shows of a breach: the record and what follows from it at `checkedAt`. */
export interface BreachView extends BreachRecord {
  authorityDeadline: Date;
  usersDeadline: Date;
  affectedCount: number;
  status: BreachStatus;
  overdue: boolean;
}

const NOTIFIED_AT: Record<BreachTarget, "authorityNotifiedAt" | "usersNotifiedAt" | "controllersNotifiedAt"> = {
  authority: "authorityNotifiedAt",
  users: "usersNotifiedAt",
  controllers: "controllersNotifiedAt",
};
export const notifiedAtColumn = (target: BreachTarget) => NOTIFIED_AT[target];

/**
 * The notifications a breach needs: the authority always (Art. 33(1)); the affected account
 * holders when there are some (Art. 34, section 12); the controllers when their contacts are
 * affected (Art. 33(2): Alpha CRM is their processor).
 */
export function requiredTargets(breach: Pick<BreachRecord, "affectedUsers" | "affectedContacts">): BreachTarget[] {
  return ["authority", ...(breach.affectedUsers > 0 ? (["users"] as const) : []), ...(breach.affectedContacts > 0 ? (["controllers"] as const) : [])];
}

/**
 * OPEN: no required notification recorded yet; NOTIFYING: some recorded, some not; NOTIFIED:
 * every required one recorded. Overdue: a 72-hour deadline (authority, users) has passed at
 * `checkedAt` without its notification; the controllers' "without undue delay" has no clock.
 */
export function breachView(record: BreachRecord): BreachView {
  const deadline = new Date(record.detectedAt.getTime() + NOTIFICATION_HOURS * 3_600_000);
  const required = requiredTargets(record);
  const done = required.filter((t) => record[NOTIFIED_AT[t]] !== null).length;
  const late = (target: BreachTarget) => required.includes(target) && record[NOTIFIED_AT[target]] === null && record.checkedAt > deadline;
  return {
    ...record,
    authorityDeadline: deadline,
    usersDeadline: deadline,
    affectedCount: record.affectedContacts + record.affectedUsers,
    status: done === 0 ? "open" : done < required.length ? "notifying" : "notified",
    overdue: late("authority") || late("users"),
  };
}
