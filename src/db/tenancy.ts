// How the tables are laid out for Citus (README, "Scaling out"). Declared once: the schema test
// (test/contract/tenant-keys.test.ts) checks the database against it and
// drizzle/citus/distribute.sql is generated from it (npm run citus:sql).

/**
 * The workspace of the audit log's platform entries (failed sign-ins to unknown emails, platform
 * policy versions...): workspace_id is the distribution column, so it is never null. No
 * workspaces row has this id; the audit chain hashes it as null (src/authz/audit-chain.ts).
 */
export const PLATFORM_WORKSPACE_ID = "00000000-0000-0000-0000-000000000000";

/**
 * Reference tables: small, read by every tenant, copied to every Citus node. Their keys need not
 * include workspace_id (a reference table may have a nullable or no workspace_id). Ordered so that
 * a table comes after the tables it references.
 */
export const REFERENCE_TABLES = [
  "workspaces",
  "policy_versions",
  "app_secrets",
  "policy_versions_loaded",
  "stripe_events",
  "user_logins",
  "credential_lookups",
] as const;

/** Distributed by their own key, not colocated with the tenants (no workspace). */
export const SELF_DISTRIBUTED_TABLES: Readonly<Record<string, string>> = { rate_limits: "key" };

/** Every other table is a tenant table: distributed by this column, colocated with `users`. */
export const TENANT_COLUMN = "workspace_id";
