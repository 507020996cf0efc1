// The legal clock of privacy requests: one calendar month clamped to the month's end (Art. 12(3)),
// counted to the end of the day in the workspace's time zone; CCPA 45 days.
import { describe, expect, it } from "vitest";
import { addCalendarMonths, canonicalTimeZone, dueAtFor, extendedUntilFor, isOverdue } from "../../src/modules/privacy-requests/request-clock.js";

const at = (iso: string) => new Date(iso);

describe("one calendar month (GDPR Art. 12(3))", () => {
  it("31 January is due on 28 February, or 29 in a leap year", () => {
    expect(dueAtFor("gdpr", at("2026-01-31T10:00:00Z"), "UTC").toISOString()).toBe("2026-02-28T23:59:59.999Z");
    expect(dueAtFor("gdpr", at("2024-01-31T10:00:00Z"), "UTC").toISOString()).toBe("2024-02-29T23:59:59.999Z");
  });

  it("keeps the date when the later month has it, and crosses the year", () => {
    expect(dueAtFor("gdpr", at("2026-03-05T08:00:00Z"), "UTC").toISOString()).toBe("2026-04-05T23:59:59.999Z");
    expect(dueAtFor("gdpr", at("2026-12-31T08:00:00Z"), "UTC").toISOString()).toBe("2027-01-31T23:59:59.999Z");
    expect(addCalendarMonths({ year: 2026, month: 3, day: 31 }, 1)).toEqual({ year: 2026, month: 4, day: 30 });
  });

  it("counts in the workspace's time zone: late on 31 January UTC is already 1 February in Paris", () => {
    expect(dueAtFor("gdpr", at("2026-01-31T23:30:00Z"), "Europe/Paris").toISOString()).toBe("2026-03-01T22:59:59.999Z");
    // End of the local day across a DST change (Paris is UTC+2 in April).
    expect(dueAtFor("gdpr", at("2026-03-05T12:00:00Z"), "Europe/Paris").toISOString()).toBe("2026-04-05T21:59:59.999Z");
    expect(dueAtFor("gdpr", at("2026-02-28T12:00:00Z"), "America/New_York").toISOString()).toBe("2026-03-29T03:59:59.999Z");
    expect(dueAtFor("gdpr", at("2026-12-31T10:00:00Z"), "Pacific/Auckland").toISOString()).toBe("2027-01-31T10:59:59.999Z");
  });

  it("an extension is counted from receipt: one or two further months, clamped the same way", () => {
    expect(extendedUntilFor("gdpr", at("2026-01-31T10:00:00Z"), 2, "UTC").toISOString()).toBe("2026-04-30T23:59:59.999Z");
    expect(extendedUntilFor("gdpr", at("2026-01-31T10:00:00Z"), 1, "UTC").toISOString()).toBe("2026-03-31T23:59:59.999Z");
    expect(extendedUntilFor("gdpr", at("2026-11-30T10:00:00Z"), 2, "UTC").toISOString()).toBe("2027-02-28T23:59:59.999Z");
  });
});

describe("CCPA", () => {
  it("45 calendar days, extended once by 45 more", () => {
    expect(dueAtFor("ccpa", at("2026-01-31T10:00:00Z"), "UTC").toISOString()).toBe("2026-03-17T23:59:59.999Z");
    expect(extendedUntilFor("ccpa", at("2026-01-31T10:00:00Z"), 0, "UTC").toISOString()).toBe("2026-05-01T23:59:59.999Z");
  });
});

describe("overdue and time zones", () => {
  const request = { dueAt: at("2026-02-28T23:59:59.999Z"), extendedUntil: null };
  it("is overdue only while open and after the deadline in force", () => {
    expect(isOverdue({ ...request, status: "received" }, at("2026-03-01T00:00:00Z"))).toBe(true);
    expect(isOverdue({ ...request, status: "in_progress" }, at("2026-02-28T23:00:00Z"))).toBe(false);
    expect(isOverdue({ ...request, status: "completed" }, at("2026-03-05T00:00:00Z"))).toBe(false);
    expect(isOverdue({ ...request, status: "rejected" }, at("2026-03-05T00:00:00Z"))).toBe(false);
    expect(isOverdue({ ...request, extendedUntil: at("2026-04-30T23:59:59.999Z"), status: "received" }, at("2026-03-05T00:00:00Z"))).toBe(false);
  });

  it("accepts IANA names only, in their canonical spelling", () => {
    expect(canonicalTimeZone("Europe/Paris")).toBe("Europe/Paris");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
    expect(canonicalTimeZone("Mars/Olympus_Mons")).toBeUndefined();
    expect(canonicalTimeZone("")).toBeUndefined();
  });
});
