import type { GqlResponse, Scenario, Worker } from "./load.js";

const NESTED = `
  id firstName lastName email
  company { id name }
  deals { id title stage amount }
  interactions { id kind subject occurredAt }`;

function expectPage(res: GqlResponse, size: number): string | undefined {
  const n = res.data?.contacts?.nodes?.length;
  if (n !== size) return `expected ${size} nodes, got ${n}`;
  return undefined;
}

/** The same request every time; `check` validates each response. */
function fixed(query: string, variables: Record<string, unknown>, check: (res: GqlResponse) => string | undefined): () => Worker {
  return () => ({ next: () => ({ query, variables }), seen: check });
}

/** Bulk contacts whose number starts with "12" (Bulk12, Bulk120-129, …): what search "bulk12" finds among `contacts`. */
export function bulk12Matches(contacts: number): number {
  let n = 0;
  for (let width = 1, start = 12; start < contacts; width *= 10, start *= 10) n += Math.min(width, contacts - start);
  return n;
}

/** `countCap`: the API's COUNT_CAP; a count past it stops there and says so (totalCountCapped). */
export function scenarios(ids: { contactIds: string[]; totalContacts: number; pages: number; bulkContacts: number; countCap: number }): Scenario[] {
  const searchTotal = bulk12Matches(ids.bulkContacts);
  return [
    {
      id: "a",
      title: "contacts(first: 50) flat",
      as: "owner",
      worker: fixed(`query($first: Int) { contacts(first: $first) { nodes { id firstName lastName email phone position createdAt } } }`, { first: 50 }, (res) =>
        expectPage(res, 50),
      ),
    },
    {
      id: "b",
      title: "contacts(first: 50) nested + totalCount",
      as: "owner",
      worker: fixed(`query($first: Int) { contacts(first: $first) { totalCount nodes { ${NESTED} } } }`, { first: 50 }, (res) => {
        if (res.data?.contacts?.totalCount !== ids.totalContacts) return `totalCount ${res.data?.contacts?.totalCount}, expected ${ids.totalContacts}`;
        const first = res.data?.contacts?.nodes?.[0];
        if (!first?.company || first.deals?.length !== 2 || first.interactions?.length !== 2) return "nested company/deals/interactions missing";
        return expectPage(res, 50);
      }),
    },
    {
      id: "c",
      title: "contacts(first: 200) nested + totalCount",
      as: "owner",
      worker: fixed(`query($first: Int) { contacts(first: $first) { totalCount nodes { ${NESTED} } } }`, { first: 200 }, (res) => expectPage(res, 200)),
    },
    {
      id: "d",
      title: "marketing_email, consent guard, first: 50",
      as: "marketing",
      purpose: "marketing_email",
      worker: fixed(`query($first: Int) { contacts(first: $first) { totalCount totalCountCapped nodes { id email } } }`, { first: 50 }, (res) => {
        const total = res.data?.contacts?.totalCount;
        // Fewer than the owner sees, unless both counts stopped at the cap (1M contacts, 250,000 consenting).
        const fewer = total < ids.totalContacts || res.data?.contacts?.totalCountCapped === true;
        if (!(typeof total === "number" && total > 0 && fewer)) return `consent guard: totalCount ${total}`;
        return expectPage(res, 50);
      }),
    },
    {
      id: "e",
      title: "contact(id) with company, deals, interactions",
      as: "owner",
      worker: (index) => {
        let i = index * 97;
        return {
          next: () => ({
            query: `query($id: ID!) { contact(id: $id) { ${NESTED} phone position } }`,
            variables: { id: ids.contactIds[i++ % ids.contactIds.length] },
          }),
          seen: (res) => (res.data?.contact?.id ? undefined : "contact not found"),
        };
      },
    },
    {
      id: "f",
      title: `contacts(filter: {search: "bulk12"}) (${searchTotal} match)`,
      as: "owner",
      worker: fixed(
        `query($s: String) { contacts(first: 50, filter: { search: $s }) { totalCount totalCountCapped nodes { id firstName lastName email } } }`,
        { s: "bulk12" },
        // Bulk12, Bulk120-129, Bulk1200-1299: 111 people at 10,000 (11,111 at 1M: capped).
        (res) => {
          const expected = Math.min(searchTotal, ids.countCap);
          const capped = searchTotal > ids.countCap;
          const got = res.data?.contacts;
          if (got?.totalCount !== expected || got?.totalCountCapped !== capped)
            return `search totalCount ${got?.totalCount} (capped ${got?.totalCountCapped}), expected ${expected}`;
          return expectPage(res, 50);
        },
      ),
    },
    {
      id: "g",
      title: `deep walk: ${ids.pages} pages of 50 with after`,
      as: "owner",
      worker: () => {
        let after: string | null = null;
        let page = 0;
        return {
          next: () => ({
            query: `query($after: String) { contacts(first: 50, after: $after) { pageInfo { hasNextPage endCursor } nodes { id firstName lastName email } } }`,
            variables: { after },
          }),
          seen: (res) => {
            const info = res.data?.contacts?.pageInfo;
            page += 1;
            if (page >= ids.pages || !info?.hasNextPage) {
              after = null;
              page = 0;
            } else {
              after = info.endCursor;
            }
            return info?.endCursor ? expectPage(res, 50) : "no endCursor";
          },
        };
      },
    },
  ];
}
