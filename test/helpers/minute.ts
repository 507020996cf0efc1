/**
 * Per-minute limits count in fixed windows that start on the minute (the PostgreSQL limiter and
 * the anonymous count). A test that expects a refusal after N requests sees none when the window
 * rolls over mid-loop, so it first waits, if need be, for a minute with `seconds` left in it.
 */
export async function awayFromMinuteEnd(seconds = 15): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < seconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}
