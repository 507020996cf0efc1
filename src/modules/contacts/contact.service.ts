import { actorId } from "../../authz/ability.js";
import { recordDecision } from "../../authz/decision-log.js";
import type { Db } from "../../db/client.js";
import type { AppAbility } from "../../authz/ability.js";
import type { Scope } from "../common/scope.js";
import { badInput } from "../../errors.js";
import { OrderDirection } from "../common/paging.js";
import { ensureAllowed, readableBy } from "../common/access.js";
import { CrudService } from "../common/crud.service.js";
import type { Beside } from "../common/entity-store.js";
import type { PageRequest } from "../common/paging.js";
import { companyService } from "../companies/company.service.js";
import type { ContactFilter, ContactOrder, CreateContactInput, UpdateContactInput } from "./contact.input.js";
import { applyConsent } from "../consent/consent.repository.js";
import { rectification } from "../privacy-requests/request-answers.js";
import { appendEvents, type PrivacyEvent } from "../privacy-state/privacy-state.repository.js";
import { contactFilter, formerEmailsAfter, mergedStanding, type Standing, standingObjections } from "./contact.repository.js";
import type { ContactRow } from "./contact.type.js";

const crud = new CrudService<ContactRow>("Contact", { companyId: "company" });

/** A person's privacy state as a new contact has it: nothing granted, nothing restricted. */
const NEW_PERSON = { consentedPurposes: [], objectedPurposes: [], processingRestricted: false, erasedAt: null };

async function checkCompany(ctx: Scope, companyId: string | null | undefined): Promise<void> {
  if (companyId) await companyService.get(ctx, companyId, "companyId");
}

/** Which address each consent channel was given for. */
const CHANNEL_ADDRESS = { email: "email", sms: "phone" } as const;

/**
 * A consent covers the address it was given for: when the email address (or phone number)
 * changes, the consents on that channel are withdrawn in the same transaction, with a ledger
 * entry saying why, so a campaign never reaches a new address nobody consented for.
 */
async function withdrawForChangedAddress(ctx: Scope, tx: Db, current: ContactRow, input: UpdateContactInput): Promise<void> {
  const principal = ctx.principal!;
  for (const purpose of ctx.policies.purposes.values()) {
    if (purpose.lawfulBasis !== "consent" || !purpose.channel || !current.consentedPurposes.includes(purpose.id)) continue;
    const field = CHANNEL_ADDRESS[purpose.channel];
    const next = input[field];
    if (next === undefined || (next ?? "").toLowerCase() === (current[field] ?? "").toLowerCase()) continue;
    const evidence = `The ${field === "email" ? "email address" : "phone number"} changed; the consent was given for the previous one.`;
    const base = { workspaceId: principal.workspaceId, contactId: current.id, purpose: purpose.id, channel: purpose.channel, recordedBy: actorId(principal) };
    if (!(await applyConsent(tx, { ...base, state: "withdrawn", source: "api", evidence }))) continue;
    await recordDecision(tx, ctx.policies, principal, {
      action: "withdraw_consent",
      subject: "Contact",
      subjectId: current.id,
      purpose: ctx.purpose?.id,
      decision: "allow",
      detail: { consentPurpose: purpose.id, source: "api", reason: `${field} changed` },
    });
  }
}

/**
 * The privacy history of a record that took a known person's objections or restriction (a create
 * or a move onto their address): the carried state is written as events, so the record's history
 * and its export say what its state says. Only what the record did not hold already.
 */
async function recordCarried(ctx: Scope, tx: Db, contactId: string, standing: Standing | undefined, current?: ContactRow): Promise<void> {
  if (!standing) return;
  const reason = "carried over: another record of this person's address holds it";
  const base = { workspaceId: ctx.principal!.workspaceId, contactId, reason, recordedBy: ctx.principal!.userId ?? null };
  const events: PrivacyEvent[] = standing.objectedPurposes
    .filter((purpose) => !current?.objectedPurposes.includes(purpose))
    .map((purpose) => ({ ...base, kind: "objected", purpose }));
  if (standing.processingRestricted && !current?.processingRestricted) events.push({ ...base, kind: "restricted" });
  if (events.length > 0) await appendEvents(tx, events);
}

export const contactService = {
  list: (ctx: Scope, page: PageRequest, filter?: ContactFilter | null, order?: ContactOrder | null, beside?: Beside) =>
    crud.list(ctx, page, contactFilter(filter, readableBy(ctx, "Contact")), order ?? { field: "CREATED_AT", direction: OrderDirection.DESC }, beside),

  get: (ctx: Scope, id: string, field?: string) => crud.get(ctx, id, field),
  getWith: (ctx: Scope, id: string, ability: AppAbility, field?: string) => crud.getWith(ctx, id, ability, field),

  /**
   * A new contact starts with no consent. If the workspace already knows this person (a record
   * has or had this email), their objections and restriction come along: adding the person again must not
   * escape an objection (Art. 21) or a restriction (Art. 18).
   */
  async create(ctx: Scope, input: CreateContactInput) {
    await checkCompany(ctx, input.companyId);
    const standing = input.email ? await standingObjections(ctx.db, ctx.principal!.workspaceId, input.email) : undefined;
    const state = { ...NEW_PERSON, ...standing };
    return crud.create(ctx, { ...input }, { check: state, set: standing, within: (tx, id) => recordCarried(ctx, tx, id, standing) });
  },

  /**
   * With `requestId`, the change is a rectification (Art. 16): the request is checked before
   * anything changes, and linked and audited in the update's transaction.
   */
  async update(ctx: Scope, id: string, input: UpdateContactInput, requestId?: string | null) {
    for (const field of ["firstName", "lastName"] as const) {
      if (input[field] === null) throw badInput(`input.${field}`, "cannot be empty");
    }
    await checkCompany(ctx, input.companyId);
    const correction = requestId == null ? undefined : rectification(ctx, { subject: "Contact", id, contactId: id, requestId });
    await correction?.check();
    // Moved onto an email the workspace already knows, the row becomes a record of that person:
    // it takes their objections and restriction, as a create does, or a copy would escape them.
    const standing = input.email ? await standingObjections(ctx.db, ctx.principal!.workspaceId, input.email) : undefined;
    return crud.update(
      ctx,
      id,
      { ...input },
      async (tx, current) => {
        await recordCarried(ctx, tx, current.id, standing, current);
        await withdrawForChangedAddress(ctx, tx, current, input);
        await correction?.record(tx, current, input);
      },
      (current) => ({
        seen: standing
          ? {
              objectedPurposes: [...new Set([...current.objectedPurposes, ...standing.objectedPurposes])].sort(),
              processingRestricted: current.processingRestricted || standing.processingRestricted,
            }
          : {},
        stored: {
          // The address it leaves stays tied to the record (standingObjections).
          ...(input.email !== undefined && { formerEmails: formerEmailsAfter(input.email) }),
          // Merged with the row as the UPDATE finds it: an objection or restriction committed
          // since `current` was read is kept, not overwritten by the older copy.
          ...(standing && mergedStanding(standing)),
        },
      }),
    );
  },

  /**
   * What a delete of the contact needs under the request's purpose: `delete` on the row and on
   * every row it would delete or unlink. deleteContact then erases (src/modules/erasure): no
   * person disappears without a report.
   */
  async checkRemovable(ctx: Scope, id: string): Promise<ContactRow> {
    const current = await crud.get(ctx, id);
    await ensureAllowed(ctx, "delete", "Contact", current);
    await crud.ensureDependentsAllowed(ctx, id);
    return current;
  },
};
