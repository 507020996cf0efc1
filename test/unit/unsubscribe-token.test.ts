// The unsubscribe token codec: a round trip gives back the target; any change to a token, a
// token sealed under another secret, or anything that is not a token opens to nothing.
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UnsubscribeLinks } from "../../src/modules/unsubscribe/unsubscribe.token.js";

const SECRET = "a-signing-secret-of-at-least-32-characters";
const links = new UnsubscribeLinks(SECRET, "https://crm.example.test");
const target = () => ({ workspaceId: randomUUID(), contactId: randomUUID(), purpose: "marketing_email" });

describe("unsubscribe tokens", () => {
  it("open to the target they were sealed for", () => {
    const t = target();
    expect(links.open(links.seal(t))).toEqual(t);
    expect(links.url(t)).toMatch(/^https:\/\/crm\.example\.test\/privacy\/unsubscribe\/[A-Za-z0-9_-]+$/);
  });

  it("fit in a URL path segment and a mail header comfortably", () => {
    expect(links.seal({ ...target(), purpose: "marketing_sms" }).length).toBeLessThan(120);
  });

  it("any changed byte, a cut or an addition opens to nothing", () => {
    const token = links.seal(target());
    const bytes = Buffer.from(token, "base64url");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const changed = Buffer.from(bytes);
        changed[i] ^= x;
        expect(links.open(changed.toString("base64url"))).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (n) => {
        expect(links.open(bytes.subarray(0, n).toString("base64url"))).toBeUndefined();
      }),
    );
    expect(links.open(`${token}A`)).toBeUndefined();
  });

  it("a token sealed under another secret opens to nothing", () => {
    const other = new UnsubscribeLinks("another-signing-secret-of-32-characters!", "https://crm.example.test");
    expect(links.open(other.seal(target()))).toBeUndefined();
  });

  it("arbitrary strings open to nothing and never throw", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        expect(links.open(s)).toBeUndefined();
      }),
    );
  });

  it("refuses to seal a target that is not two uuids and a purpose id", () => {
    expect(() => links.seal({ workspaceId: "w", contactId: randomUUID(), purpose: "marketing_email" })).toThrow();
    expect(() => links.seal({ ...target(), purpose: "Marketing Email" })).toThrow();
  });
});
