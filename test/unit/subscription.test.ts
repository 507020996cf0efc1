import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { loadPolicies } from "../../src/authz/policy-loader.js";
import { registry } from "../../src/modules/registry.js";
import { cancelledRetentionMonths, purgeDate } from "../../src/modules/workspaces/workspace.retention.js";
import { tenantTables } from "../../src/modules/workspaces/workspace.repository.js";

describe("purgeDate", () => {
  it("adds calendar months in UTC, keeping the time of day", () => {
    expect(purgeDate(new Date("2026-01-15T08:30:00.123Z"), 6)).toEqual(new Date("2026-07-15T08:30:00.123Z"));
    expect(purgeDate(new Date("2026-09-01T00:00:00Z"), 6)).toEqual(new Date("2027-03-01T00:00:00Z"));
  });

  it("clamps the day to the end of a shorter month", () => {
    expect(purgeDate(new Date("2026-08-31T10:00:00Z"), 6)).toEqual(new Date("2027-02-28T10:00:00Z"));
    expect(purgeDate(new Date("2027-08-31T10:00:00Z"), 6)).toEqual(new Date("2028-02-29T10:00:00Z"));
    expect(purgeDate(new Date("2026-12-31T23:59:59Z"), 6)).toEqual(new Date("2027-06-30T23:59:59Z"));
  });

  it("takes the months it is given: policies/retention.yaml's workspace_cancelled entry, 6 by the privacy policy", () => {
    expect(cancelledRetentionMonths(loadPolicies(registry))).toBe(6);
    expect(purgeDate(new Date("2026-01-15T00:00:00Z"), 0)).toEqual(new Date("2026-01-15T00:00:00Z"));
    expect(purgeDate(new Date("2026-01-15T00:00:00Z"), 24)).toEqual(new Date("2028-01-15T00:00:00Z"));
    expect(() => purgeDate(new Date(), 1.5)).toThrow(RangeError);
  });
});

describe("what a purge deletes, read from the foreign keys", () => {
  it("deletes account data children first and keeps the consent ledgers", () => {
    const { deleted, kept } = tenantTables();
    const names = deleted.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["users", "sessions", "companies", "contacts", "deals", "interactions"]));
    expect(names).not.toContain("consent_events");
    expect(names).not.toContain("audit_log");
    expect(kept.map((t) => t.name).sort()).toEqual(["consent_events", "contact_privacy_events", "legal_holds", "privacy_request_answers", "privacy_requests"]);
    const deletedBefore = (child: string, parent: string) => expect(names.indexOf(child), `${child} before ${parent}`).toBeLessThan(names.indexOf(parent));
    deletedBefore("sessions", "users");
    deletedBefore("interactions", "contacts");
    deletedBefore("deals", "contacts");
    deletedBefore("contacts", "companies");
    deletedBefore("companies", "users");
  });
});

describe("STRIPE_WEBHOOK_SECRET", () => {
  it("is optional, and kept when it looks like Stripe's signing secret", () => {
    expect(loadConfig({}).stripeWebhookSecret).toBeUndefined();
    expect(loadConfig({ STRIPE_WEBHOOK_SECRET: "whsec_0123456789abcdefXYZ" }).stripeWebhookSecret).toBe("whsec_0123456789abcdefXYZ");
  });

  it("stops the start with one line naming the variable when malformed", () => {
    for (const bad of ["sk_live_0123456789abcdef", "whsec_short"]) {
      let error: unknown;
      try {
        loadConfig({ STRIPE_WEBHOOK_SECRET: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^STRIPE_WEBHOOK_SECRET /)]);
    }
  });
});
