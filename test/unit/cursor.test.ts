import { describe, expect, it } from "vitest";
import { CursorCodec, CursorError } from "../../src/modules/common/cursor.js";

const WS = "11111111-1111-4111-8111-111111111111";
const OTHER_WS = "22222222-2222-4222-8222-222222222222";
const codec = new CursorCodec("a".repeat(32));
const cursor = { order: "Contact:LAST_NAME:ASC", value: "Durand", id: "33333333-3333-4333-8333-333333333333" };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CursorError);
    return (error as Error).message;
  }
  throw new Error("the cursor was accepted");
}

describe("sealed cursors", () => {
  it("round-trips, and shows nothing of the row in clear", () => {
    const raw = codec.encode(cursor, WS);
    expect(codec.decode(raw, WS, cursor.order)).toEqual(cursor);
    const bytes = Buffer.from(raw, "base64url");
    for (const part of [cursor.value, cursor.id, cursor.order]) {
      expect(raw).not.toContain(part);
      expect(bytes.toString("latin1")).not.toContain(part);
    }
    // The same position gives the same cursor (clients compare them); another position or
    // workspace gives an unrelated one.
    expect(codec.encode(cursor, WS)).toBe(raw);
    expect(codec.encode({ ...cursor, value: "Durant" }, WS).slice(0, 16)).not.toBe(raw.slice(0, 16));
    expect(codec.encode(cursor, OTHER_WS).slice(0, 16)).not.toBe(raw.slice(0, 16));
  });

  it("refuses another workspace's, another key's, another order's and an edited cursor", () => {
    const raw = codec.encode(cursor, WS);
    expect(refusal(() => codec.decode(raw, OTHER_WS, cursor.order))).toMatch(/not a cursor this API issued/);
    expect(refusal(() => new CursorCodec("b".repeat(32)).decode(raw, WS, cursor.order))).toMatch(/not a cursor/);
    expect(refusal(() => codec.decode(raw, WS, "Contact:LAST_NAME:DESC"))).toMatch(/another order/);
    const bytes = Buffer.from(raw, "base64url");
    for (const i of [0, 13, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[i] ^= 1;
      refusal(() => codec.decode(flipped.toString("base64url"), WS, cursor.order));
    }
    for (const bad of [raw.slice(0, -2), raw.slice(0, 10), "", "not-a-cursor", `${raw}x`, raw.replace(/.$/, "!")]) {
      refusal(() => codec.decode(bad, WS, cursor.order));
    }
    // The old clear-text format (base64 JSON) is refused too.
    refusal(() => codec.decode(Buffer.from(JSON.stringify([cursor.order, cursor.value, cursor.id])).toString("base64url"), WS, cursor.order));
  });
});
