/**
 * Issue 9's cost budget: write throughput at saturation and fan-out latency of
 * the app before the transactional outbox and now, measured in one run,
 * alternating the two builds so that the machine's load falls on both alike.
 *
 *   git worktree add /tmp/before da6cd0a^1 && (cd /tmp/before && npm install)
 *   node --import tsx bench/outbox-cost.ts /tmp/before [rounds]
 *
 * Each build runs with its own bench harness (its own migrations and way of
 * starting instances), from its own directory. Writes
 * `bench/results/outbox-cost-<time>.json`, which `docs/benchmarks.md` shows.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { writeThroughput } from "./scenarios/crash.js";

// biome-ignore lint/suspicious/noExplicitAny: each build's harness has its own types
type Any = any;

const before = resolve(process.argv[2] ?? "");
const rounds = Number(process.argv[3] ?? 2);
/** Smaller sizes for a smoke run of the script itself: `COST_SECONDS=2 COST_CLIENTS=50`. */
const seconds = Number(process.env.COST_SECONDS ?? 15);
const clients = Number(process.env.COST_CLIENTS ?? 1000);
const after = resolve(".");
if (!process.argv[2])
  throw new Error("usage: node --import tsx bench/outbox-cost.ts <checkout before the outbox> [rounds]");
const log = (m: string) => process.stdout.write(`[cost] ${m}\n`);

async function measure(dir: string, label: string) {
  process.chdir(dir);
  const { startCluster } = await import(pathToFileURL(`${dir}/bench/lib/cluster.ts`).href);
  const { fanout } = await import(pathToFileURL(`${dir}/bench/scenarios/fanout.ts`).href);
  const cluster = await startCluster({ users: 300 });
  try {
    const t = await writeThroughput(cluster, { seconds, concurrency: 32 });
    log(`${label}: ${t.writesPerSecond} writes/s at saturation, p50 ${t.latencyMs.p50} / p99 ${t.latencyMs.p99} ms`);
    await new Promise((r) => setTimeout(r, 2000));
    const f = await fanout(cluster, { clients, rate: 50, durationMs: seconds * 1000 });
    log(
      `${label}: fan-out ${clients} clients at 50/s p50 ${f.commitToEvent.p50} / p99 ${f.commitToEvent.p99} ms, missing ${f.missing}, lost ${f.lost}`,
    );
    return { label, throughput: t, fanout: { commitToEvent: f.commitToEvent, missing: f.missing, lost: f.lost } };
  } finally {
    await cluster.stop();
    process.chdir(after);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

const runs: Any[] = [];
for (let round = 0; round < rounds; round++)
  for (const [dir, label] of round % 2
    ? [
        [after, "after"],
        [before, "before"],
      ]
    : [
        [before, "before"],
        [after, "after"],
      ])
    runs.push({ round, ...(await measure(dir!, label!)) });
// Medians across rounds: one round of a build can go wrong on its own (a disk flush stall, a
// scheduler hiccup) and a mean lets it decide the comparison. The range of the fan-out p99 is
// each build's own run-to-run spread: "within noise" means within that.
const values = (label: string, pick: (r: Any) => number) => runs.filter((r) => r.label === label).map(pick);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length / 2;
  return Math.round((s.length % 2 ? s[Math.floor(m)]! : (s[m - 1]! + s[m]!) / 2) * 10) / 10;
};
const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
const tput = (r: Any) => r.throughput.writesPerSecond;
const p99 = (r: Any) => r.fanout.commitToEvent.p99;
const summary = {
  statistic: "median",
  throughputBefore: median(values("before", tput)),
  throughputAfter: median(values("after", tput)),
  fanoutP99Before: median(values("before", p99)),
  fanoutP99After: median(values("after", p99)),
  fanoutP99RangeBefore: range(values("before", p99)),
  fanoutP99RangeAfter: range(values("after", p99)),
};
const change = Math.round((summary.throughputAfter / summary.throughputBefore - 1) * 1000) / 10;
log(
  `throughput ${summary.throughputBefore} → ${summary.throughputAfter} writes/s (${change} %), fan-out p99 ${summary.fanoutP99Before} → ${summary.fanoutP99After} ms`,
);
const file = `bench/results/outbox-cost-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
await writeFile(
  file,
  `${JSON.stringify({ startedAt: new Date().toISOString(), before, runs, summary, throughputChangePercent: change }, null, 2)}\n`,
);
log(`written to ${file}`);
process.exit(0);
