// Summarizes a .cpuprofile: top self time by function and by file, and inclusive time of
// a few functions.  node bench/profile-summary.mjs <file.cpuprofile> [top=30] [filter-substring]
import { readFileSync } from "node:fs";
const [file, topArg, filt] = process.argv.slice(2);
const top = Number(topArg ?? 30);
const prof = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const short = (u) => u.replace(/^file:\/\/\/work\/wt-perf\//, "").replace(/.*node_modules\//, "nm:");
const key = (n) => `${n.callFrame.functionName || "(anon)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const self = new Map(),
  selfFile = new Map(),
  incl = new Map();
for (const n of prof.nodes) {
  const t = dt.get(n.id) ?? 0;
  if (!t) continue;
  self.set(key(n), (self.get(key(n)) ?? 0) + t);
  const f = short(n.callFrame.url).replace(/\/[^/]*$/, "") || n.callFrame.functionName;
  selfFile.set(f, (selfFile.get(f) ?? 0) + t);
  // inclusive: each distinct key on the stack once
  const seen = new Set();
  let id = n.id;
  while (id !== undefined) {
    const k = key(byId.get(id));
    if (!seen.has(k)) {
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + t);
    }
    id = parent.get(id);
  }
}
const pct = (t) => ((100 * t) / total).toFixed(1).padStart(5) + "%";
const show = (title, m) => {
  console.log(`\n== ${title}`);
  for (const [k, t] of [...m]
    .filter(([k]) => !filt || k.includes(filt))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(pct(t), k);
};
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
show("self by function", self);
show("self by folder/package", selfFile);
show("inclusive", incl);
