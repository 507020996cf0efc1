// The permission matrix a reviewer reads: what the compiled abilities allow, type by type.
import { buildAbility, decide, type AppAbility } from "./ability.js";
import { purposeGates } from "./gates.js";
import { join } from "node:path";
import { POLICIES_DIR, type PolicySet, type RolePolicy } from "./policy-loader.js";
import { principalFor } from "./policy-cases.js";
import { CRUD_ACTIONS } from "./subjects.js";

type SubjectName = string;

/** Where `npm run policy:matrix -- --write` stores the matrix, committed so reviews show its diff. */
export const MATRIX_FILE = join(POLICIES_DIR, "MATRIX.md");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function actionsOf(policies: PolicySet, subject: SubjectName): string[] {
  return [...CRUD_ACTIONS, ...(policies.registry.get(subject).privacyActions ?? [])];
}

/** Whether a role rule (not only the engine's tenant condition) narrows this action to some rows. */
function conditional(policies: PolicySet, ability: AppAbility, action: string, subject: SubjectName): boolean {
  return ability.possibleRulesFor(action, subject).some((r) => {
    const id = (r.origin as { meta?: { id: string } }).meta?.id;
    return id !== undefined && policies.rulesById.get(id)?.conditions !== undefined;
  });
}

function fieldsCell(policies: PolicySet, ability: AppAbility, action: string, subject: SubjectName): string | undefined {
  const all = policies.registry.get(subject).policyFields;
  const allowed = all.filter((f) => decide(ability, action, subject, undefined, f).allowed);
  if (allowed.length === all.length) return undefined;
  const hidden = all.filter((f) => !allowed.includes(f));
  return hidden.length < allowed.length ? `fields: all but ${hidden.join(", ")}` : `fields: ${allowed.join(", ")}`;
}

/** One cell: deny, allow, "fields: ..." and/or "conditional" (type-level, own workspace). */
function cell(policies: PolicySet, ability: AppAbility, action: string, subject: SubjectName): string {
  if (!decide(ability, action, subject).allowed) return "deny";
  const parts = [conditional(policies, ability, action, subject) ? "conditional" : "", fieldsCell(policies, ability, action, subject) ?? ""].filter(Boolean);
  return parts.length > 0 ? parts.join("; ") : "allow";
}

function subjectTable(policies: PolicySet, abilities: Map<RolePolicy, AppAbility>, subject: SubjectName): string {
  const actions = actionsOf(policies, subject);
  const rows = [...abilities].map(([role, ability]) => [role.role, ...actions.map((a) => cell(policies, ability, a, subject))]);
  return `### ${subject}\n\n${table(["role", ...actions], rows)}`;
}

function purposesTable(policies: PolicySet): string {
  const rows = [...policies.purposes.values()].map((p) => [
    p.id,
    p.lawfulBasis,
    p.gdprRole,
    p.objectable ? "yes" : "no",
    p.allowedWhenRestricted ? "yes" : "no",
    p.channel ?? "",
    p.processors.join(", "),
    [...new Set(purposeGates(policies, p).map((g) => g.meta.id.split(".")[1]))].join(", "),
  ]);
  return table(["purpose", "lawful basis", "gdprRole", "objectable", "allowedWhenRestricted", "channel", "processors", "derived gates"], rows);
}

function rolePurposesTable(policies: PolicySet): string {
  const purposes = [...policies.purposes.keys()];
  const rows = [...policies.roles.values()].map((role) => [
    role.role,
    ...purposes.map((p) => (p === role.defaultPurpose ? "default" : role.purposes.includes(p) ? "yes" : "")),
  ]);
  return table(["role", ...purposes], rows);
}

/** The whole matrix as markdown. */
export function policyMatrix(policies: PolicySet): string {
  const abilities = new Map([...policies.roles.values()].map((role) => [role, buildAbility(policies, principalFor(role.role), role.defaultPurpose)] as const));
  return [
    "# Permission matrix",
    "",
    "## Roles x actions, per subject",
    "",
    "Type-level view for rows of the principal's own workspace (the engine adds that condition to every allow).",
    '"conditional": a role rule narrows it to some rows; "fields": the fields the role may use.',
    "Purpose gates (below) are checked on each Contact, Deal and Interaction row on top of this.",
    "",
    ...policies.registry.names.map((s) => `${subjectTable(policies, abilities, s)}\n`),
    "## Purposes",
    "",
    purposesTable(policies),
    "",
    "## Roles x purposes",
    "",
    rolePurposesTable(policies),
    "",
  ].join("\n");
}
