import type { SubjectDef } from "../../authz/registry.js";
import { users } from "../../db/schema/index.js";

/** A workspace member (an account holder): personal data whose data subject is `users`. */
export const userSubject = {
  name: "User",
  table: users,
  tenant: "workspaceId",
  fields: {
    id: { required: true },
    email: { category: "contact_details" },
    name: { category: "identity" },
    phone: { category: "contact_details" },
    position: { category: "professional" },
    role: { required: true },
    workspace: { required: true },
    lastLoginAt: { category: "usage" },
    createdAt: {},
    // Set when an owner deactivated the account (sign-in refused since).
    deactivatedAt: {},
    // Addressed to the user themself (null on anyone else's profile): breach and policy notices.
    breachNotices: {},
    policyNotices: {},
  },
  conditions: ["id", "workspaceId", "role", "consentedPurposes"],
  hiddenColumns: ["passwordHash"],
  // Under marketing_email / marketing_sms a user is reached only with their own consent.
  ownConsent: true,
  sortable: { CREATED_AT: "createdAt" },
  privacyActions: ["issue_password_reset"],
  dataSubject: "users",
} as const satisfies SubjectDef;
