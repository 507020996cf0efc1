import { describe, expect, it } from "vitest";
import { MEDIA_TYPE, responseMediaType } from "../../src/graphql/media-type.js";

// The response's media type decides a request error's status (400 as graphql-response+json,
// 200 as json), so it is negotiated as Apollo does: q value, then specificity, then order.
describe("responseMediaType", () => {
  it.each([
    [undefined, MEDIA_TYPE.JSON],
    ["", MEDIA_TYPE.JSON],
    ["application/json", MEDIA_TYPE.JSON],
    ["application/graphql-response+json", MEDIA_TYPE.GRAPHQL_RESPONSE],
    ["application/graphql-response+json, application/json", MEDIA_TYPE.GRAPHQL_RESPONSE],
    ["application/json, application/graphql-response+json", MEDIA_TYPE.JSON],
    ["application/json;q=0.9, application/graphql-response+json", MEDIA_TYPE.GRAPHQL_RESPONSE],
    ["application/graphql-response+json;q=0.5, application/json;q=0.8", MEDIA_TYPE.JSON],
    ["*/*", MEDIA_TYPE.JSON],
    ["application/*", MEDIA_TYPE.JSON],
    ["*/*, application/graphql-response+json", MEDIA_TYPE.GRAPHQL_RESPONSE],
    ["application/graphql-response+json; charset=utf-8", MEDIA_TYPE.GRAPHQL_RESPONSE],
    ["APPLICATION/GRAPHQL-RESPONSE+JSON", MEDIA_TYPE.GRAPHQL_RESPONSE],
    ["application/json;q=0, */*", MEDIA_TYPE.GRAPHQL_RESPONSE],
    ["text/html", undefined],
  ])("Accept %j -> %s", (accept, expected) => {
    expect(responseMediaType(accept)).toBe(expected);
  });
});
