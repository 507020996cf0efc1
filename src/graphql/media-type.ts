// GraphQL over HTTP answers in one of two media types, and the status of a request error
// depends on which (src/graphql/plugins.ts).

export const MEDIA_TYPE = {
  JSON: "application/json; charset=utf-8",
  GRAPHQL_RESPONSE: "application/graphql-response+json; charset=utf-8",
} as const;

interface Range {
  type: string;
  q: number;
  order: number;
}

/** The media range of an Accept header that matches `type` most specifically, and its order. */
function match(ranges: Range[], type: string) {
  const [main] = type.split("/");
  const specificity = (range: string) => (range === type ? 2 : range === `${main}/*` ? 1 : range === "*/*" ? 0 : -1);
  let best: { q: number; specificity: number; order: number } | undefined;
  for (const range of ranges) {
    const s = specificity(range.type);
    if (s >= 0 && (!best || s > best.specificity)) best = { q: range.q, specificity: s, order: range.order };
  }
  return best && best.q > 0 ? best : undefined;
}

/**
 * Which of the two GraphQL response types the client prefers, as Apollo negotiates it (q value,
 * then the most specific range, then the header's order): application/json when Accept is
 * missing, undefined when it accepts neither (Apollo then answers 406).
 */
export function responseMediaType(accept: string | undefined): string | undefined {
  if (!accept) return MEDIA_TYPE.JSON;
  const ranges = accept.split(",").map((part, order): Range => {
    const [type = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    return { type, q: q ? Number(q.slice(2)) || 0 : 1, order };
  });
  const json = match(ranges, "application/json");
  const graphql = match(ranges, "application/graphql-response+json");
  if (!graphql) return json ? MEDIA_TYPE.JSON : undefined;
  if (!json) return MEDIA_TYPE.GRAPHQL_RESPONSE;
  const prefersGraphql =
    graphql.q !== json.q ? graphql.q > json.q : graphql.specificity !== json.specificity ? graphql.specificity > json.specificity : graphql.order < json.order;
  return prefersGraphql ? MEDIA_TYPE.GRAPHQL_RESPONSE : MEDIA_TYPE.JSON;
}
