import Bowser from "bowser";

const MAX_USER_AGENT = 1024;
const MAX_DEVICE = 100;

/** "131.0.6778.85" -> "131": the major version says enough, the rest narrows down a person. */
const major = (version: string | undefined) => version?.split(".")[0] || undefined;

/**
 * A short device label from the User-Agent, e.g. "Firefox 131 on macOS": browser type and
 * operating system (privacy policy 2.2), never the raw header. Null when nothing is known.
 */
export function deviceOf(userAgent: string | undefined): string | null {
  if (!userAgent || userAgent.length > MAX_USER_AGENT) return null;
  const { browser, os } = Bowser.parse(userAgent);
  const name = [browser.name, major(browser.version)].filter(Boolean).join(" ");
  const label = [name, os.name].filter(Boolean).join(" on ");
  return label ? label.slice(0, MAX_DEVICE) : null;
}
