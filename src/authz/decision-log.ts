import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { policyVersionsLoaded } from "../db/schema/index.js";
import { appendAuditEntry } from "./audit-chain.js";
import { actorId, type Principal } from "./ability.js";
import type { PolicySet } from "./policy-loader.js";

export interface DecisionEntry {
  action: string;
  subject: string;
  subjectId?: string | null;
  purpose?: string | null;
  decision: "allow" | "deny";
  rule?: string | null;
  reason?: string | null;
  detail?: Record<string, unknown>;
  /** The chain to write to when there is no principal (a failed sign-in to a known account). */
  workspaceId?: string | null;
}

/**
 * Appends to the decision log: every denial and every privacy action (who, what, under
 * which purpose, which rule, when, and the digest of the policy in force). Callers pass the
 * transaction of the action they log, so the log and the change commit together. Each entry
 * is hash-chained to the previous one of its workspace (audit-chain.ts).
 */
export async function recordDecision(db: Db, policies: Pick<PolicySet, "digest">, principal: Principal | undefined, entry: DecisionEntry): Promise<void> {
  await appendAuditEntry(db, {
    // The system principal acting for the whole platform (a platform policy version) has no workspace.
    workspaceId: principal?.workspaceId || entry.workspaceId || null,
    actorId: actorId(principal),
    actorRole: principal?.role ?? null,
    action: entry.action,
    subject: entry.subject,
    subjectId: entry.subjectId ?? null,
    purpose: entry.purpose ?? null,
    decision: entry.decision,
    rule: entry.rule ?? null,
    reason: entry.reason ?? null,
    detail: entry.detail ?? null,
    policyDigest: policies.digest,
  });
}

/**
 * Records, at start, that this policy version is in force: inserted with its files the first
 * time, and its last_seen_at moved on every later start.
 */
export async function recordPolicyVersion(db: Db, policies: Pick<PolicySet, "digest" | "files">): Promise<void> {
  await db
    .insert(policyVersionsLoaded)
    .values({ digest: policies.digest, files: JSON.stringify(policies.files) })
    .onConflictDoUpdate({ target: policyVersionsLoaded.digest, set: { lastSeenAt: sql`now()` } });
}

export interface PolicyVersion {
  digest: string;
  files: Record<string, string>;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** A policy version a server started with, by its digest; undefined when none did. */
export async function findPolicyVersion(db: Db, digest: string): Promise<PolicyVersion | undefined> {
  const [row] = await db.select().from(policyVersionsLoaded).where(eq(policyVersionsLoaded.digest, digest));
  return row ? { ...row, files: JSON.parse(row.files) as Record<string, string> } : undefined;
}
