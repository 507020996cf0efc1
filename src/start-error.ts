/**
 * A start-up problem the operator can fix: its message is one line that names the setting and
 * says what to do, printed as is (no stack trace) by src/bin/start.ts.
 */
export class StartError extends Error {}
