// Policy tools for security reviewers: lint, test, matrix, explain (see policies/README.md).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { buildAbility, decide, type Decision } from "../authz/ability.js";
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { purposeGates, withGatesTable } from "../authz/gates.js";
import { purposeNotPermitted } from "../authz/purpose.js";
import { coverageGaps, loadCases, principalFor, runCase } from "../authz/policy-cases.js";
import { loadPolicies, POLICIES_DIR, PolicyError, type PolicySet, type Purpose, type RolePolicy } from "../authz/policy-loader.js";
import { MATRIX_FILE, policyMatrix, policyMatrixHtml } from "../authz/policy-matrix.js";
import { diffText, policyDiff } from "../authz/policy-diff.js";
import { findingText, lintPolicies } from "../authz/policy-lint.js";
import { ACTIONS } from "../authz/subjects.js";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { takeDataDir } from "../db/data-dir.js";
import { migrate } from "../db/migrate.js";
import { findPolicyVersion, type PolicyVersion } from "../authz/decision-log.js";
import { registry } from "../modules/registry.js";
import { retentionProblems } from "../modules/retention/retention.service.js";

const USAGE =
  "usage: policy lint [--dir DIR] | test | matrix [--write] [--html [--out FILE]] | readme | explain --role R --action A --subject S [--purpose P] [--field F] | diff [<rev>] [--from-dir DIR] [--dir DIR] [--json] | show <digest>";

/** What each command does, for `policy <command> --help`. */
const HELP: Record<string, string> = {
  lint: "policy lint [--dir DIR]: loads and validates every policy file (roles, purposes, processors, retention) and test file of policies/ or DIR, checks the retention job applies every retention period, and finds mistakes: rules shadowed by a wider rule of the same effect or overridden by a deny, allows whose conditions never hold, purposes a role lists but cannot use, purposes no role uses, processors no purpose uses. Prints ERROR/WARNING file:line: rule id: message; exit 1 on an error or invalid file, 0 with warnings only.",
  test: "policy test: runs policies/tests/*_test.yaml against the engine; exit 1 on a failed case or a rule without an allowing and a denying case.",
  matrix:
    "policy matrix [--write] [--html [--out FILE]]: the role x purpose x action x subject matrix (one row per role and each purpose it lists) as Markdown on stdout; --write stores it in policies/MATRIX.md (committed; a test fails when it is stale); --html prints one self-contained HTML page with filters by role, purpose and subject (--out FILE writes it).",
  diff: "policy diff [<git revision>] [--from-dir DIR] [--dir DIR] [--json]: the grants each role gains and loses under each purpose (action, subject, fields, conditions; purpose gates included) between the policies/ of that revision (default: the merge base with main) or --from-dir, and the working tree's policies/ or --dir; exit 0 when nothing widened, 1 when some access widened, 2 on bad arguments.",
  show: "policy show <digest>: the policy files that produced a digest (a decision-log entry's policyDigest, explainAccess.policyDigest), read from policy_versions_loaded in the database the server uses (DATABASE_URL or DATA_DIR); the working tree's files when they produce it. Exit 1 when no server started with that digest.",
  readme: "policy readme: rewrites the gate table of policies/README.md from src/authz/gates.ts.",
  explain:
    "policy explain --role R --action A --subject S [--purpose P] [--field F]: the decision, the rule, its file and line, and the purpose's gates; exit 0 on allow, 1 on deny, 2 on bad arguments.",
};

/** Bad command-line arguments: one line, exit code 2. */
class UsageError extends Error {}

function lint(args: string[]): number {
  const { values } = parseArgs({ args, options: { dir: { type: "string" } }, strict: true });
  const root = values.dir ? resolve(values.dir) : POLICIES_DIR;
  const policies = loadPolicies(registry, root);
  const findings = lintPolicies(policies, root);
  for (const problem of retentionProblems(policies)) findings.push({ level: "error", at: "policies/retention.yaml", message: problem });
  for (const f of findings) console.log(findingText(f));
  const errors = findings.filter((f) => f.level === "error").length;
  const cases = loadCases(policies, root);
  const files = new Set(cases.map((c) => c.source.split(":")[0]));
  console.log(
    `policies ${errors > 0 ? "have errors" : "OK"}: ${policies.roles.size} roles, ${policies.rulesById.size} rules, ${policies.purposes.size} purposes, ${policies.retention.size} retention periods; ${errors} errors, ${findings.length - errors} warnings`,
  );
  console.log(`tests OK: ${cases.length} cases in ${files.size} files`);
  return errors > 0 ? 1 : 0;
}

function test(): number {
  const policies = loadPolicies(registry);
  const results = loadCases(policies).map((c) => runCase(policies, c));
  const failed = results.filter((r) => r.failure);
  const gaps = coverageGaps(policies, results);
  for (const r of failed) console.log(`FAIL ${r.failure}`);
  for (const gap of gaps) console.log(`NOT COVERED ${gap}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length + gaps.length > 0 ? 1 : 0;
}

function matrix(args: string[]): number {
  const { values } = parseArgs({ args, options: { write: { type: "boolean" }, html: { type: "boolean" }, out: { type: "string" } }, strict: true });
  if (values.out && !values.html) throw new UsageError("matrix: --out goes with --html");
  if (values.html) {
    const page = policyMatrixHtml(loadPolicies(registry));
    if (!values.out) process.stdout.write(page);
    else {
      writeFileSync(values.out, page);
      console.log(`${values.out}: written`);
    }
    return 0;
  }
  const text = policyMatrix(loadPolicies(registry));
  if (!values.write) {
    process.stdout.write(text);
    return 0;
  }
  writeFileSync(MATRIX_FILE, text);
  console.log(`${MATRIX_FILE}: written`);
  return 0;
}

interface Question {
  role: RolePolicy;
  purpose: Purpose;
  action: string;
  subject: string;
  field?: string;
}

function explainArgs(args: string[]) {
  const text = { type: "string" } as const;
  const { values } = parseArgs({ args, options: { role: text, action: text, subject: text, purpose: text, field: text }, strict: true });
  for (const name of ["role", "action", "subject"] as const) {
    if (!values[name]) throw new UsageError(`explain needs --${name} (${USAGE})`);
  }
  return values as { role: string; action: string; subject: string; purpose?: string; field?: string };
}

function question(policies: PolicySet, args: ReturnType<typeof explainArgs>): Question {
  const known = (kind: string, value: string, list: readonly string[], where = "") => {
    if (!list.includes(value)) throw new UsageError(`unknown ${kind} "${value}"${where} (one of: ${list.join(", ")})`);
  };
  known("role", args.role, [...policies.roles.keys()]);
  known("action", args.action, ACTIONS);
  known("subject", args.subject, registry.names);
  const role = policies.roles.get(args.role)!;
  const purpose = args.purpose ?? role.defaultPurpose;
  known("purpose", purpose, [...policies.purposes.keys()]);
  const subject = args.subject;
  if (args.field) known("field", args.field, registry.get(subject).policyFields, ` for ${subject}`);
  return { role, purpose: policies.purposes.get(purpose)!, action: args.action, subject, ...(args.field ? { field: args.field } : {}) };
}

function decisionLines(policies: PolicySet, q: Question, d: Decision): string[] {
  const rule = policies.rulesById.get(d.rule);
  const what = `${q.action} ${q.subject}${q.field ? `.${q.field}` : ""}`;
  const lines = [
    `question: may ${q.role.role} ${what} under ${q.purpose.id}${q.purpose.id === q.role.defaultPurpose ? " (its default purpose)" : ""}? Type-level: no particular row.`,
    `decision: ${d.allowed ? "allow" : "deny"}`,
    `rule: ${d.rule}${rule ? ` (${rule.source})` : d.kind === "gate" ? " (derived from policies/purposes.yaml)" : ""}`,
    `reason: ${d.reason}`,
  ];
  if (d.allowed) {
    const own = rule?.conditions ? ` and ${JSON.stringify(rule.conditions)}` : "";
    lines.push(`each row must match: ${registry.get(q.subject).tenant} = the principal's workspace (added by the engine)${own}, and pass the gates below`);
  }
  return lines;
}

function gateLines(policies: PolicySet, q: Question): string[] {
  const gates = new Map<string, { subjects: string[]; conditions: unknown; reason: string }>();
  for (const g of purposeGates(policies, q.purpose)) {
    const seen = gates.get(g.meta.id) ?? { subjects: [], conditions: g.conditions, reason: g.meta.reason };
    // A gate may cover some fields only (tombstones, data categories): say which.
    const actions = g.action === "manage" ? "" : ` ${[g.action].flat().join("/")}`;
    seen.subjects.push(g.fields ? `${String(g.subject)}${actions} (fields ${[g.fields].flat().join(", ")})` : `${String(g.subject)}${actions}`);
    // Show the condition as it reads on the asked subject (Deal: `contact.processingRestricted`).
    if (g.subject === q.subject) seen.conditions = g.conditions;
    gates.set(g.meta.id, seen);
  }
  const lines = [`gates derived for ${q.purpose.id} from policies/purposes.yaml (checked on each row; they win over any rule):`];
  for (const [id, g] of gates) {
    const when = g.conditions === undefined ? "always" : `when ${JSON.stringify(g.conditions)}`;
    lines.push(`  ${id} on ${g.subjects.join(", ")} ${when}: ${g.reason}`);
  }
  if (gates.size === 0) lines.push("  none");
  else if (![...gates.values()].some((g) => g.subjects.some((s) => s.split(" ")[0] === q.subject))) lines.push(`  (none of them applies to ${q.subject})`);
  return lines;
}

function explain(args: string[]): number {
  const parsed = explainArgs(args);
  const policies = loadPolicies(registry);
  const q = question(policies, parsed);
  // The API's words: a purpose the role may not use is refused as purpose.not_permitted, before any rule.
  const d: Decision = q.role.purposes.includes(q.purpose.id)
    ? decide(buildAbility(policies, principalFor(q.role.role), q.purpose.id), q.action, q.subject, undefined, q.field, {
        role: q.role.role,
        purpose: q.purpose.id,
      })
    : { allowed: false, ...purposeNotPermitted(q.role.role, q.purpose.id, q.role.purposes) };
  console.log([...decisionLines(policies, q, d), ...gateLines(policies, q)].join("\n"));
  // Scripts (and CI) can ask "is this allowed?" by the exit code.
  return d.allowed ? 0 : 1;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "")
      .trim()
      .split("\n")[0];
    throw new UsageError(`git ${args.join(" ")}: ${stderr || "failed"}`);
  }
}

/** policies/ as it is at a git revision, extracted into a temp dir (removed by the caller). */
function policiesAt(revision: string): { root: string; tmp: string } {
  const repo = git(["rev-parse", "--show-toplevel"], POLICIES_DIR);
  const inRepo = relative(repo, POLICIES_DIR);
  const tmp = mkdtempSync(join(tmpdir(), "policy-diff-"));
  const archive = join(tmp, "policies.tar");
  git(["archive", "--format=tar", "-o", archive, revision, inRepo], repo);
  execFileSync("tar", ["-xf", archive, "-C", tmp]);
  return { root: join(tmp, inRepo), tmp };
}

function diff(args: string[]): number {
  const text = { type: "string" } as const;
  const { values, positionals } = parseArgs({
    args,
    options: { "from-dir": text, dir: text, json: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError(`diff takes one revision (${HELP.diff})`);
  if (positionals.length > 0 && values["from-dir"]) throw new UsageError("diff: give a revision or --from-dir, not both");
  let tmp: string | undefined;
  try {
    let fromRoot: string;
    let from: string;
    if (values["from-dir"]) {
      fromRoot = resolve(values["from-dir"]);
      from = fromRoot;
    } else {
      const revision = positionals[0] ?? git(["merge-base", "HEAD", "main"], POLICIES_DIR);
      const extracted = policiesAt(revision);
      tmp = extracted.tmp;
      fromRoot = extracted.root;
      from = `${positionals[0] ?? "merge-base with main"} (${git(["rev-parse", "--short", `${revision}^{commit}`], POLICIES_DIR)})`;
    }
    const toRoot = values.dir ? resolve(values.dir) : POLICIES_DIR;
    const result = policyDiff(loadPolicies(registry, fromRoot), loadPolicies(registry, toRoot), { from, to: values.dir ? toRoot : "working tree" });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : diffText(result));
    return result.widened ? 1 : 0;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

function printVersion(version: Pick<PolicyVersion, "digest" | "files">, origin: string): void {
  console.log(`policy ${version.digest}\n${origin}`);
  for (const [path, text] of Object.entries(version.files)) console.log(`\n==> ${path} <==\n${text.trimEnd()}`);
}

async function show(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const digest = positionals[0]?.toLowerCase() ?? "";
  if (positionals.length !== 1 || !/^[0-9a-f]{64}$/.test(digest)) throw new UsageError(`show needs one sha256 digest (64 hex digits) (${HELP.show})`);
  const config = loadConfig(process.env);
  const dataDir = !config.databaseUrl && config.dataDir !== "memory://" ? takeDataDir(config.dataDir) : undefined;
  const database = await openDatabase(config);
  try {
    await migrate(database);
    const version = await findPolicyVersion(database.handle(), digest);
    if (version) {
      printVersion(version, `first in force ${version.firstSeenAt.toISOString()}, last started ${version.lastSeenAt.toISOString()}`);
      return 0;
    }
  } finally {
    await database.close();
    dataDir?.release();
  }
  const current = loadPolicies(registry);
  if (current.digest === digest) {
    printVersion(current, "never recorded by a server start; these are the working tree's files, which produce it");
    return 0;
  }
  console.error(`policy: no server started with policy ${digest} (policy_versions_loaded), and the working tree's policies produce ${current.digest}`);
  return 1;
}

const README = join(POLICIES_DIR, "README.md");

/** Rewrites the gate table of policies/README.md from the gate declarations. */
function readme(): number {
  writeFileSync(README, withGatesTable(readFileSync(README, "utf8")));
  console.log(`${README}: gate table written`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => number | Promise<number>> = { lint, test, matrix, explain, readme, diff, show };

function help(text: string): number {
  console.log([text, ...(text === USAGE ? Object.values(HELP) : [])].join("\n"));
  return 0;
}

async function main([name = "", ...args]: string[]): Promise<number> {
  try {
    const command = COMMANDS[name];
    if (!command) {
      if (name === "--help" || name === "-h") return help(USAGE);
      throw new UsageError(USAGE);
    }
    if (args.includes("--help") || args.includes("-h")) return help(HELP[name]);
    return await command(args);
  } catch (error) {
    if (error instanceof PolicyError || error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    const parseError = error instanceof TypeError && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");
    if (error instanceof UsageError || parseError) {
      console.error(`policy: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`policy: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
