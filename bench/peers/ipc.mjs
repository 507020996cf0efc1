// What every bench child process shares: it tells the parent where it listens, and answers
// `stats` with its own CPU time, RSS and statement count (so each system's cost is its own).
export function serveStats(statements) {
  process.on("message", (message) => {
    if (message?.type !== "stats") return;
    process.send?.({ type: "stats", id: message.id, cpu: process.cpuUsage(), rss: process.memoryUsage().rss, statements: statements() });
  });
  // The parent going away ends the child (no orphan servers after Ctrl-C).
  process.on("disconnect", () => process.exit(0));
}

export function ready(url) {
  process.send?.({ type: "ready", url });
}
