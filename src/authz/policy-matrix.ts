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

/** One row of the matrix: a role acting under one purpose, on one subject. */
export interface MatrixRow {
  role: string;
  purpose: string;
  subject: SubjectName;
  cells: Array<{ action: string; value: string }>;
}

/** Every (role, purpose it lists) pair, for every subject of the registry: no purpose is implied. */
export function matrixRows(policies: PolicySet): MatrixRow[] {
  const contexts = [...policies.roles.values()].flatMap((role: RolePolicy) =>
    role.purposes.map((purpose) => ({ role: role.role, purpose, ability: buildAbility(policies, principalFor(role.role), purpose) })),
  );
  return policies.registry.names.flatMap((subject) =>
    contexts.map(({ role, purpose, ability }) => ({
      role,
      purpose,
      subject,
      cells: actionsOf(policies, subject).map((action) => ({ action, value: cell(policies, ability, action, subject) })),
    })),
  );
}

function subjectTable(policies: PolicySet, rows: MatrixRow[], subject: SubjectName): string {
  const actions = actionsOf(policies, subject);
  const own = rows.filter((r) => r.subject === subject).map((r) => [r.role, r.purpose, ...r.cells.map((c) => c.value)]);
  return `### ${subject}\n\n${table(["role", "purpose", ...actions], own)}`;
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
  const rows = matrixRows(policies);
  return [
    "# Permission matrix",
    "",
    "## Roles x actions, per subject",
    "",
    "Type-level view for rows of the principal's own workspace (the engine adds that condition to every allow).",
    "One row per role and purpose it may act under (its roles x purposes entry below); a purpose a role does not list is refused as purpose.not_permitted.",
    '"conditional": a role rule narrows it to some rows; "fields": the fields the role may use.',
    "The purpose's gates are included (a category or a subject the purpose lacks reads deny); the per-row gates (consent, objection, restriction, erasure) are checked on each row on top of this.",
    "",
    ...policies.registry.names.map((s) => `${subjectTable(policies, rows, s)}\n`),
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

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The matrix as one self-contained HTML page (inline CSS and JS) with filters by role, subject and purpose. */
export function policyMatrixHtml(policies: PolicySet): string {
  const rows = matrixRows(policies);
  const body = policies.registry.names
    .map((subject) => {
      const actions = actionsOf(policies, subject);
      const trs = rows
        .filter((r) => r.subject === subject)
        .map(
          (r) =>
            `<tr data-role="${escapeHtml(r.role)}" data-purpose="${escapeHtml(r.purpose)}" data-subject="${escapeHtml(subject)}"><th>${escapeHtml(r.role)}</th><td>${escapeHtml(r.purpose)}</td>${r.cells
              .map((c) => `<td class="${c.value === "deny" ? "deny" : c.value === "allow" ? "allow" : "partial"}">${escapeHtml(c.value)}</td>`)
              .join("")}</tr>`,
        )
        .join("\n");
      return `<section data-subject="${escapeHtml(subject)}"><h2>${escapeHtml(subject)}</h2><table><thead><tr><th>role</th><th>purpose</th>${actions.map((a) => `<th>${escapeHtml(a)}</th>`).join("")}</tr></thead><tbody>\n${trs}\n</tbody></table></section>`;
    })
    .join("\n");
  const options = (values: string[]) => ['<option value="">all</option>', ...values.map((v) => `<option>${escapeHtml(v)}</option>`)].join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Permission matrix</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left}
td.allow{background:#e3f6e3}td.deny{background:#fbe4e4;color:#777}td.partial{background:#fff6d6}.filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ddd}
label{margin-right:1em}
</style></head><body>
<h1>Permission matrix</h1>
<p>Generated by <code>npm run policy:matrix -- --html</code> from policies/ (policy ${policies.digest}). One row per role and purpose it may act under; rows of the principal's own workspace; per-row gates (consent, objection, restriction, erasure) apply on top.</p>
<div class="filters"><label>role <select id="role">${options([...policies.roles.keys()])}</select></label><label>purpose <select id="purpose">${options([...policies.purposes.keys()])}</select></label><label>subject <select id="subject">${options([...policies.registry.names])}</select></label><label>text <input id="text" placeholder="filter cells, e.g. deny"></label></div>
${body}
<script>
const ids=["role","purpose","subject","text"];
function apply(){const f=Object.fromEntries(ids.map(i=>[i,document.getElementById(i).value.toLowerCase()]));
document.querySelectorAll("section").forEach(s=>{let shown=0;s.querySelectorAll("tbody tr").forEach(tr=>{const ok=(!f.role||tr.dataset.role===f.role)&&(!f.purpose||tr.dataset.purpose===f.purpose)&&(!f.subject||tr.dataset.subject.toLowerCase()===f.subject)&&(!f.text||tr.textContent.toLowerCase().includes(f.text));tr.hidden=!ok;if(ok)shown++;});s.hidden=shown===0;});}
ids.forEach(i=>document.getElementById(i).addEventListener("input",apply));
</script>
</body></html>
`;
}
