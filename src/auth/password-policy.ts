import { dictionary } from "@zxcvbn-ts/language-common";
import { badInput } from "../errors.js";

/**
 * The password policy for every password a person chooses (acceptInvitation, changePassword,
 * resetPassword), after NIST SP 800-63B 5.1.1.2: a minimum length, no composition rules, and a
 * refusal of the most common passwords. The list is the 49k "passwords-common" dictionary of
 * @zxcvbn-ts/language-common (MIT, pinned; built from leaked-password frequency lists and kept
 * by the zxcvbn-ts project), compared case-insensitively. The demo seed does not go through it
 * (DEMO_PASSWORD, `alpha-demo`, is shorter): it is for demo data, refused in production.
 * The password itself is never logged or put in an error message.
 */
export const PASSWORD_MIN_LENGTH = 12;
/** argon2 hashes anything, but a megabyte password is a denial-of-service, not a password. */
export const PASSWORD_MAX_LENGTH = 256;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common;
}

/** Throws BAD_USER_INPUT naming `field` when the password breaks the policy. */
export function checkPasswordPolicy(field: string, password: string, context: { email?: string | null } = {}): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) throw badInput(field, `must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) throw badInput(field, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) throw badInput(field, "is one of the most common passwords; choose another");
  if (new Set(lower).size < 4) throw badInput(field, "repeats too few characters; choose another");
  if (context.email && lower === context.email.toLowerCase()) throw badInput(field, "must not be your email address");
}
