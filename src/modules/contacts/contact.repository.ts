import { and, eq, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { contactSearchText, contacts } from "../../db/schema/index.js";
import { idFilter, idsFilter, onReadable, rangeFilter, searchFilter, type Readable } from "../common/filters.js";
import type { ContactFilter } from "./contact.input.js";

export function contactFilter(filter: ContactFilter | undefined | null, readable: Readable): SQL | undefined {
  if (!filter) return undefined;
  const fullName = sql`${contacts.firstName} || ' ' || ${contacts.lastName}`;
  return and(
    idsFilter(contacts.id, filter.ids),
    onReadable(readable, "company", idFilter(contacts.companyId, filter.companyId, "filter.companyId")),
    searchFilter(
      [
        { column: contacts.firstName, fields: ["firstName"] },
        { column: contacts.lastName, fields: ["lastName"] },
        { column: contacts.email, fields: ["email"] },
        { column: fullName, fields: ["firstName", "lastName"] },
      ],
      filter.search,
      readable,
      contactSearchText(contacts),
    ),
    onReadable(readable, "email", filter.email ? eq(sql`lower(${contacts.email})`, filter.email.toLowerCase()) : undefined),
    ...rangeFilter(contacts.createdAt, filter.createdAfter, filter.createdBefore),
  );
}

/**
 * What the workspace already holds against a person with this email address (any record of
 * them, whatever the caller may see, that holds the address now or held it before): the
 * objections they made and whether processing is restricted. A new record of the same person
 * must carry both; moving a record off the address does not free the address of them.
 */
/** A person's objections and restriction, as the workspace's records of them hold them. */
export type Standing = {
  objectedPurposes: string[];
  processingRestricted: boolean;
};

export async function standingObjections(db: Db, workspaceId: string, email: string): Promise<Standing> {
  const address = email.toLowerCase();
  const rows = await db
    .select({ objected: contacts.objectedPurposes, restricted: contacts.processingRestricted })
    .from(contacts)
    .where(
      and(eq(contacts.workspaceId, workspaceId), or(eq(sql`lower(${contacts.email})`, address), sql`${contacts.formerEmails} @> array[${address}]::text[]`)),
    );
  return { objectedPurposes: [...new Set(rows.flatMap((r) => r.objected))].sort(), processingRestricted: rows.some((r) => r.restricted) };
}

/**
 * The former addresses of a contact whose email becomes `next`, as SQL on the row being
 * updated (its old values, in the same UPDATE, so a concurrent change cannot lose one): the
 * current address is appended, lower-cased, when it changes other than in case.
 */
export function formerEmailsAfter(next: string | null): SQL {
  const current = sql`lower(${contacts.email})`;
  return sql`case when ${contacts.email} is not null and ${current} is distinct from ${next?.toLowerCase() ?? null}::text and not (${current} = any(${contacts.formerEmails}))
    then array_append(${contacts.formerEmails}, ${current}) else ${contacts.formerEmails} end`;
}

/**
 * SET values that add `standing` to the row's objections and restriction as the UPDATE finds
 * them (not as read before its transaction), so a concurrent objection or restriction stays.
 */
export function mergedStanding(standing: Standing) {
  return {
    objectedPurposes: sql`array(select distinct p from unnest(${contacts.objectedPurposes} || ${sql.param(standing.objectedPurposes)}::text[]) as p order by p)`,
    processingRestricted: sql`${contacts.processingRestricted} or ${standing.processingRestricted}`,
  };
}
