import { and, eq, exists, or, sql, type SQL } from "drizzle-orm";
import { buildWrittenViewAbility, typed, type AppAbility } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Subject } from "../../authz/registry.js";
import { fieldMaskedOnSomeRows, fieldReadableWhere } from "../../authz/sql-filter.js";
import type { Db } from "../../db/client.js";
import { badInput, forbidden, notFound } from "../../errors.js";
import { contactHeld, workspaceHeld } from "../legal-holds/legal-hold.repository.js";
import type { SubjectName } from "../registry.js";
import { ensureAllowed, firstDenial, refuse, whereCan } from "./access.js";
import type { CursorScope } from "./cursor.js";
import {
  deleteRow,
  findByIds,
  findPage,
  findWhere,
  insertRow,
  lockPersonState,
  sortColumn,
  updateRow,
  type Beside,
  type OrderInput,
  type SortKey,
} from "./entity-store.js";
import type { PageRequest, PageResult } from "./paging.js";
import type { Scope } from "./scope.js";

/** Input keys that are named differently in policies (`companyId` is the field `company`). */
export type FieldNames = Record<string, string>;

export interface CreateOptions {
  /** The person the new row is linked to, and the input field naming them. */
  person?: { id: string | null | undefined; field: string };
  /** Values the checks see but the caller does not set (a new contact's empty privacy state). */
  check?: Record<string, unknown>;
  /** Values the engine stores beside the caller's (not fields the caller sets, so not field-checked). */
  set?: Record<string, unknown>;
  /** Runs in the insert's transaction, after it, with the new row's id. */
  within?: (tx: Db, id: string) => Promise<void>;
}

/** Columns the engine fills on a new row; the caller does not set them. */
const OWN_COLUMNS = new Set(["workspaceId", "ownerId"]);

/**
 * Reads and writes of one subject, each through the ability: lists and gets use its SQL
 * filter, writes check `can()` on the row and every field they set (a write is processing for
 * the request's purpose, like a read) and repeat the filter in the UPDATE/DELETE itself.
 */
export class CrudService<Row extends { id: string }> {
  constructor(
    readonly name: SubjectName,
    private readonly fieldNames: FieldNames = {},
  ) {}

  subject(ctx: Scope): Subject {
    return ctx.registry.get(this.name);
  }

  /**
   * Every write is logged in its own transaction: who, what, which row and which fields,
   * never their values (they may be a person's data).
   */
  private audit(ctx: Scope, tx: Db, action: "create" | "update" | "delete", id: string, fields: string[]): Promise<void> {
    return recordDecision(tx, ctx.policies, ctx.principal, {
      action,
      subject: this.name,
      subjectId: id,
      purpose: ctx.purpose?.id ?? null,
      decision: "allow",
      detail: action === "delete" ? undefined : { fields: [...fields].sort() },
    });
  }

  /** Policy field names of the input keys a write sets. */
  private fieldsOf(values: Record<string, unknown>): string[] {
    return Object.keys(values)
      .filter((k) => !OWN_COLUMNS.has(k))
      .map((k) => this.fieldNames[k] ?? k);
  }

  async list(ctx: Scope, page: PageRequest, filter: SQL | undefined, order: OrderInput, beside?: Beside): Promise<PageResult<Row>> {
    const subject = this.subject(ctx);
    // Sorting by a field the caller may never read is refused; where it is masked on some
    // rows only, sortKey keeps those rows' values out of the order and the cursors.
    await ensureAllowed(ctx, "read", this.name, undefined, [sortColumn(subject, order.field).key]);
    const where = and(whereCan(ctx, "read", this.name), filter)!;
    return findPage<Row>(ctx.db, ctx.registry, subject, where, page, sortKey(ctx, this.name, order), cursorScope(ctx), beside);
  }

  /** The row if the caller may read it for this purpose; NOT_FOUND otherwise, whatever the cause. */
  get(ctx: Scope, id: string, field?: string): Promise<Row> {
    return this.getWith(ctx, id, ctx.ability, field);
  }

  /** The same, under another ability (privacy rights use legal_compliance). */
  async getWith(ctx: Scope, id: string, ability: AppAbility, field?: string): Promise<Row> {
    const [row] = isUuid(id) ? await findByIds<Row>(ctx.db, ctx.registry, this.subject(ctx), [id], whereCan(ctx, "read", this.name, ability)) : [];
    if (!row) throw notFound(this.name, id, field);
    return row;
  }

  /**
   * Creates a row after checking `create` on it and on every field it sets. For a subject
   * linked to a person, the person's state is read under a row lock in the same transaction
   * as the insert, so a concurrent withdrawal, objection or restriction always wins.
   */
  async create(ctx: Scope, values: Record<string, unknown>, opts: CreateOptions = {}): Promise<Row> {
    const principal = ctx.principal!;
    const row = { ...values, ...opts.set, workspaceId: principal.workspaceId, ownerId: principal.kind !== "system" ? principal.userId : null };
    const subject = this.subject(ctx);
    const link = subject.personLink;
    const { person } = opts;
    // The check and the insert share a transaction; a denial is logged after it rolled back
    // (the decision log must not wait on the lock this transaction holds).
    const outcome = await ctx.db.transaction(async (tx: Db) => {
      const check: Record<string, unknown> = { ...row, ...opts.check };
      if (link && person?.id) {
        const state = await lockPersonState(tx, ctx.registry, link.subject, person.id, principal.workspaceId);
        if (!state) return { missing: true as const };
        check[link.relation] = state;
      }
      const denial = firstDenial(ctx, "create", this.name, check, this.fieldsOf(values));
      if (denial) return { denial };
      const id = await insertRow(tx, subject, row);
      await this.audit(ctx, tx, "create", id, this.fieldsOf(values));
      await opts.within?.(tx, id);
      return { id };
    });
    if ("missing" in outcome) throw notFound(link!.subject, person!.id!, person!.field);
    if ("denial" in outcome && outcome.denial) return refuse(ctx, "create", this.name, undefined, outcome.denial);
    return this.written(ctx, outcome.id);
  }

  /**
   * The answer to a committed create or update: the row as the caller may read it, or, when it
   * may not (no read scope, a purpose that hides the row), only by its required fields. Never
   * NOT_FOUND: the write happened, and a caller told otherwise would make it again.
   */
  async written(ctx: Scope, id: string): Promise<Row> {
    const subject = this.subject(ctx);
    const [row] = await findByIds<Row>(ctx.db, ctx.registry, subject, [id], eq(subject.columns[subject.tenant], ctx.principal!.workspaceId));
    if (!row) throw notFound(this.name, id);
    const readable = ctx.ability.can("read", typed(this.name, row));
    return ctx.showWith(row, readable ? ctx.ability : buildWrittenViewAbility(ctx.registry, ctx.principal!, this.name));
  }

  /**
   * Changes a row after checking `update` on it as it is and as it will be, field by field. When
   * the change links the row to another person, that person's state is read under a row lock in
   * the UPDATE's transaction (as a create does). `within` runs in that transaction after the
   * UPDATE (a contact's consent follows its address). `carry` gives values the engine stores
   * beside the caller's (not field-checked): `stored` goes into the UPDATE (SQL may compute it
   * from the row's values at that moment), `seen` is what the check of the row as it will be sees.
   */
  async update(
    ctx: Scope,
    id: string,
    patch: Record<string, unknown>,
    within?: (tx: Db, current: Row) => Promise<void>,
    carry?: (current: Row) => { seen: Record<string, unknown>; stored: Record<string, unknown> },
  ): Promise<Row> {
    const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length === 0) throw badInput("input", "name at least one field to change");
    const current = await this.get(ctx, id);
    const fields = this.fieldsOf(changes);
    await ensureAllowed(ctx, "update", this.name, current, fields);
    const subject = this.subject(ctx);
    const link = subject.personLink;
    const newPerson = link && typeof changes[link.key] === "string" ? (changes[link.key] as string) : undefined;
    const outcome = await ctx.db.transaction(async (tx: Db) => {
      // The row as it will be must be allowed too, with the person it will be linked to.
      const carried = carry?.(current) ?? { seen: {}, stored: {} };
      const after: Record<string, unknown> = { ...current, ...changes, ...carried.seen };
      if (link && newPerson) {
        const state = await lockPersonState(tx, ctx.registry, link.subject, newPerson, ctx.principal!.workspaceId);
        if (!state) return { missing: true as const };
        after[link.relation] = state;
      }
      const denial = firstDenial(ctx, "update", this.name, after, fields);
      if (denial) return { denial };
      // The UPDATE repeats the ability's filter: a concurrent change of state cannot slip through.
      const updated = await updateRow(tx, subject, id, { ...changes, ...carried.stored, updatedAt: new Date() }, whereCan(ctx, "update", this.name));
      if (updated) await this.audit(ctx, tx, "update", id, fields);
      if (updated && within) await within(tx, current);
      return { updated };
    });
    if ("missing" in outcome) throw notFound(link!.subject, newPerson!, link!.key);
    if ("denial" in outcome && outcome.denial) return refuse(ctx, "update", this.name, current, outcome.denial);
    if (!("updated" in outcome) || !outcome.updated) throw notFound(this.name, id);
    return this.written(ctx, id);
  }

  /**
   * A delete also deletes or unlinks the rows that point at it (foreign keys): each of them must
   * allow that change under the request's ability, so a cascade never writes what a direct
   * write could not (another purpose's records, a restricted person's row). The refusal names
   * the rule but not the hidden row.
   */
  async ensureDependentsAllowed(ctx: Scope, id: string): Promise<void> {
    for (const dependent of this.subject(ctx).dependents) {
      const subject = ctx.registry.get(dependent.subject);
      const where = and(eq(dependent.column, id), eq(subject.columns[subject.tenant], ctx.principal!.workspaceId))!;
      const rows = await findWhere<{ id: string }>(ctx.db, ctx.registry, subject, where, []);
      for (const row of rows) {
        const denial = firstDenial(ctx, dependent.action, dependent.subject as SubjectName, row);
        if (!denial) continue;
        const reason = `Deleting this ${this.name} would ${dependent.action === "delete" ? "delete" : "change"} a ${dependent.subject} you may not ${dependent.action} for this purpose.`;
        await refuse(ctx, "delete", this.name, { id }, { verdict: { ...denial.verdict, reason } });
      }
    }
  }

  async remove(ctx: Scope, id: string): Promise<boolean> {
    const current = await this.get(ctx, id);
    await ensureAllowed(ctx, "delete", this.name, current);
    await this.ensureDependentsAllowed(ctx, id);
    // A legal hold on the workspace, or on the person the row is or belongs to, keeps it; so
    // does a hold on a row the delete would cascade to or unlink (a held contact's company, the
    // deal a held person's interaction belongs to). The DELETE repeats the test, so a hold
    // placed meanwhile still wins.
    const subject = this.subject(ctx);
    const held = or(heldWhere(subject), ...heldDependents(ctx, subject))!;
    const deleted = await ctx.db.transaction(async (tx: Db) => {
      const done = await deleteRow(tx, subject, id, and(whereCan(ctx, "delete", this.name), sql`not ${held}`)!);
      if (done) await this.audit(ctx, tx, "delete", id, []);
      return done;
    });
    if (!deleted) {
      const [stillThere] = await findWhere<{ id: string }>(ctx.db, ctx.registry, subject, and(eq(subject.columns[subject.key], id), held)!, []);
      if (stillThere) {
        throw forbidden({
          rule: "legal_hold",
          reason: `This ${this.name}, or a record deleting it would delete or unlink, is under a legal hold: it cannot be deleted until the hold is released.`,
        });
      }
      throw notFound(this.name, id);
    }
    return true;
  }
}

/** SQL, one per dependent subject: a row the delete would delete or unlink is kept by an active legal hold. */
function heldDependents(ctx: Scope, subject: Subject): SQL[] {
  return subject.dependents.map((dependent) => {
    const other = ctx.registry.get(dependent.subject);
    return exists(
      ctx.db
        .select({ one: sql`1` })
        .from(other.table)
        .where(and(eq(dependent.column, subject.columns[subject.key]), heldWhere(other))),
    );
  });
}

/** SQL: the row is kept by an active legal hold (on its workspace, or on the person it is or belongs to). */
function heldWhere(subject: Subject): SQL {
  const workspace = subject.columns[subject.tenant];
  if (subject.personPath === "") return contactHeld(workspace, subject.columns[subject.key]);
  if (subject.personLink) return contactHeld(workspace, subject.columns[subject.personLink.key]);
  return workspaceHeld(workspace);
}

/**
 * The order of a list as the caller may see it: the column, or where its field is masked on
 * some rows (an erased contact's last name under legal_compliance), the column where readable
 * and NULL elsewhere, so neither the order nor a cursor reveals a masked value.
 */
export function sortKey(ctx: Scope, name: SubjectName, order: OrderInput): SortKey {
  const { column, key } = sortColumn(ctx.registry.get(name), order.field);
  const base = { name: `${name}:${order.field}:${order.direction}`, column, direction: order.direction };
  if (!fieldMaskedOnSomeRows(ctx.ability, "read", name, key)) return { ...base, expr: sql`${column}`, nullable: !column.notNull };
  const readable = fieldReadableWhere(ctx.registry, ctx.ability, "read", name, key) ?? sql`false`;
  return { ...base, expr: sql`(case when ${readable} then ${column} end)`, nullable: true };
}

/** Cursors are sealed for the caller's workspace: another tenant's cursor is refused. */
export function cursorScope(ctx: Scope): CursorScope {
  return { codec: ctx.cursors, workspaceId: ctx.principal?.workspaceId ?? "", countCap: ctx.settings.countCap };
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
