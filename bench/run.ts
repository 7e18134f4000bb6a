/**
 * `npm run bench [-- --quick] [--only fanout,cache,…] [--clients 1000]`: runs the benchmark
 * scenarios against the app in server mode (real PostgreSQL + Redis, two app
 * instances as separate processes), prints progress while it works, and writes
 * the results to bench/results/<date>.json. A full run also rewrites
 * docs/benchmarks.md (tables, the targets next to the results, an SVG chart).
 *
 * `--quick` is the CI smoke test: small sizes, under two minutes, and it fails
 * only on lost, duplicated or stale data (or a crash), never on timing.
 */
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { type Cluster, startCluster } from "./lib/cluster.js";
import { progress } from "./lib/log.js";
import { latestOutboxCost, renderMarkdown, renderSvg } from "./report.js";
import { browserFreshnessOn } from "./scenarios/browser.js";
import { browserKinds, commitLatency, withoutCommitWait } from "./scenarios/browser-kinds.js";
import { burst } from "./scenarios/burst.js";
import { cacheMix } from "./scenarios/cache.js";
import { crashScenario, writeThroughput } from "./scenarios/crash.js";
import { cacheEntries } from "./scenarios/entries.js";
import { externalWrites } from "./scenarios/external.js";
import { fanout, rawFloor } from "./scenarios/fanout.js";
import { faults } from "./scenarios/faults.js";
import { lighthouseScores } from "./scenarios/lighthouse.js";
import { readLatency } from "./scenarios/reads.js";
import { fillFollowers, fillSearchData, followPost, searchBench } from "./scenarios/search.js";
import { soak } from "./scenarios/soak.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyArg = args.find((a) => a.startsWith("--only"))?.split("=")[1] ?? args[args.indexOf("--only") + 1];
const only = args.some((a) => a.startsWith("--only")) && onlyArg ? new Set(onlyArg.split(",")) : null;
const want = (name: string) => !only || only.has(name);
/** `--clients N` runs the fan-out at that size only (default sizes: 100, 1,000 and 5,000; 100 in --quick). */
const clientsArg = args.includes("--clients") ? Number(args[args.indexOf("--clients") + 1]) : null;
/** With `--clients`: `--rate R` mutations/s and `--seconds S` (defaults: the size's own). */
const numArg = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);

const SIZES = quick
  ? {
      fanout: [{ clients: 100, seconds: 5 }],
      rate: 50,
      cacheSeconds: 5,
      readSeconds: 1,
      burst: { votes: 200, watchers: 100, seconds: 2 },
      external: { rates: [20, 100], secondsPerRate: 2 },
      faults: { clients: 60, seconds: 16, rate: 10 },
      crash: {
        clients: 30,
        rate: 10,
        throughputSeconds: 5,
        kill: { seconds: 8, everyMs: 3000 },
        postgresRestart: { seconds: 5, restarts: 1, downMs: 1000 },
        redisStall: { seconds: 5, stalls: 1, stallMs: 3000 },
        postgresStall: { seconds: 5, stalls: 1, stallMs: 2500 },
      },
      users: 300,
      search: { projects: 10_000, queries: 200, seconds: 3, concurrency: 8 },
      followPost: { followers: 500, connected: 100, readers: 4 },
      soak: { seconds: 20, rate: 20, sampleEveryMs: 2000, readers: 4 },
    }
  : {
      fanout: [
        { clients: 100, seconds: 20 },
        // 1,000 clients at rising rates: where the machine's capacity ends.
        { clients: 1000, seconds: 20, rate: 25 },
        { clients: 1000, seconds: 20, rate: 50 },
        { clients: 1000, seconds: 20 },
        // Issue 14's target size: 5,000 clients at 50 mutations/s.
        { clients: 5000, seconds: 20, rate: 50 },
      ],
      rate: 100,
      cacheSeconds: 20,
      readSeconds: 4,
      burst: { votes: 1000, watchers: 500, seconds: 4 },
      external: { rates: [50, 200, 500, 1000, 2000, 4000], secondsPerRate: 4 },
      faults: { clients: 200, seconds: 40, rate: 20 },
      crash: {
        clients: 100,
        rate: 20,
        throughputSeconds: 15,
        kill: { seconds: 60, everyMs: 4000 },
        postgresRestart: { seconds: 40, restarts: 3, downMs: 2000 },
        redisStall: { seconds: 40, stalls: 3, stallMs: 5000 },
        postgresStall: { seconds: 40, stalls: 3, stallMs: 5000 },
      },
      users: 1000,
      search: { projects: 10_000, queries: 1000, seconds: 10, concurrency: 16 },
      followPost: { followers: 5000, connected: 1000, readers: 8 },
      soak: { seconds: 300, rate: 20, sampleEveryMs: 10_000, readers: 8 },
    };

/** What we hold ourselves to (README, issue 6); recorded next to the results. */
export const TARGETS = {
  fanoutP99Ms: 50,
  browserP95Ms: 100,
  cacheHitRatio: 0.98,
  cachedVsUncachedRps: 5,
  searchP99Ms: 50,
};

async function main() {
  const started = new Date();
  const results: Record<string, unknown> = {
    startedAt: started.toISOString(),
    mode: quick ? "quick" : "full",
    machine: machine(),
    targets: TARGETS,
  };
  const failures: string[] = [];
  // The browser scenarios serve the built web app (a fresh clone has none: blank pages).
  if (["browser", "browser-kinds", "lighthouse"].some(want))
    execFileSync(process.execPath, ["scripts/build-web.mjs", "--if-stale"], { stdio: "inherit" });
  const check = (what: string, n: unknown) => {
    if (typeof n === "number" && n > 0) failures.push(`${what}: ${n}`);
  };

  // Each scenario gets a cluster of its own, so one's leftovers (thousands of sockets
  // closing, caches warm from another load) do not colour the next one's numbers.
  const withCluster = async <T>(opts: Parameters<typeof startCluster>[0], run: (c: Cluster) => Promise<T>) => {
    const cluster = await startCluster(opts);
    try {
      return await run(cluster);
    } finally {
      await cluster.stop();
      await new Promise((r) => setTimeout(r, 2000)); // let the machine settle
    }
  };
  // A scenario that throws ends the run, but what ran before it is still written
  // (a crash 18 minutes into a full run otherwise lost every number).
  let crashed: unknown = null;
  try {
    if (want("fanout"))
      // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=…" profiles the instances (a .cpuprofile each at exit).
      await withCluster(
        { users: SIZES.users, nodeArgs: process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) },
        async (cluster) => {
          const runs = [];
          const sizes: { clients: number; seconds: number; rate?: number }[] = clientsArg
            ? [{ clients: clientsArg, seconds: numArg("--seconds") ?? (quick ? 5 : 20), rate: numArg("--rate") }]
            : SIZES.fanout;
          for (const size of sizes) {
            const rate = size.rate ?? SIZES.rate;
            try {
              const r = await fanout(cluster, { clients: size.clients, rate, durationMs: size.seconds * 1000 });
              const floor = await rawFloor({ clients: size.clients, rate, durationMs: 5000 });
              runs.push({
                ...r,
                floor: floor.broadcastToArrival,
                floorCpu: floor.cpu,
                floorFramesPerCpuSecond: floor.framesPerCpuSecond,
              });
              check(`fan-out ${size.clients} at ${rate}/s: events lost silently`, r.lost);
              check(`fan-out ${size.clients} at ${rate}/s: events duplicated`, r.duplicated);
              progress(
                `fan-out ${size.clients} at ${rate}/s: p50 ${r.commitToEvent.p50} / p95 ${r.commitToEvent.p95} / p99 ${r.commitToEvent.p99} / max ${r.commitToEvent.max} ms (floor p50 ${floor.broadcastToArrival.p50} / p95 ${floor.broadcastToArrival.p95} / p99 ${floor.broadcastToArrival.p99} / max ${floor.broadcastToArrival.max} ms), cpu ${r.cpuPerInstance.join(" + ")} (floor ${floor.cpu}), frames/mutation ${r.framesPerMutation}, frames per CPU second ${r.framesPerCpuSecond} (floor ${floor.framesPerCpuSecond}), Redis commands/mutation ${r.redisCommandsPerMutation}, missing ${r.missing}, gaps ${r.gapsDetected}, lost silently ${r.lost}, duplicated ${r.duplicated}`,
              );
            } catch (err) {
              progress(`fan-out ${size.clients} at ${rate}/s: could not run (${err})`);
              runs.push({ clients: size.clients, rate, error: String(err) });
            }
          }
          results.fanout = runs;
        },
      );
    // The app's per-socket delivery alone against bare Socket.IO, alternating, same clients and rates:
    // what the delivery layer costs per frame, without the database, Redis and HTTP around it.
    if (want("delivery") && (!quick || only?.has("delivery"))) {
      const runs = [];
      const sizes = clientsArg
        ? [{ clients: clientsArg, rate: numArg("--rate") ?? SIZES.rate }]
        : [
            { clients: 100, rate: 100 },
            { clients: 1000, rate: 100 },
            { clients: 5000, rate: 50 },
          ];
      for (const size of sizes)
        for (let round = 0; round < 2; round++)
          for (const viaDelivery of [false, true]) {
            const r = await rawFloor({ ...size, durationMs: (numArg("--seconds") ?? 5) * 1000, viaDelivery });
            runs.push({ ...r, via: viaDelivery ? "delivery" : "bare", round });
            progress(
              `delivery ${size.clients} at ${size.rate}/s, ${viaDelivery ? "app delivery" : "bare Socket.IO"}: p50 ${r.broadcastToArrival.p50} / p95 ${r.broadcastToArrival.p95} / p99 ${r.broadcastToArrival.p99} / max ${r.broadcastToArrival.max} ms, ${r.broadcastToArrival.count} frames, cpu ${r.cpu}, frames per CPU second ${r.framesPerCpuSecond}`,
            );
          }
      results.delivery = runs;
    }
    if (want("cache"))
      await withCluster({ users: 200 }, async (cluster) => {
        const cached = await cacheMix(
          cluster,
          { durationMs: SIZES.cacheSeconds * 1000, concurrency: 32 },
          "with cache",
        );
        check("cache: stale reads", cached.staleReads);
        results.cache = { cached };
        progress(
          `cache: ${cached.readsPerSecond} reads/s, hit ratio ${cached.cache.hitRatio}, without a database query ${cached.cache.withoutDatabaseRatio}, stale ${cached.staleReads}`,
        );
      });
    if (want("burst"))
      await withCluster({ users: Math.max(SIZES.burst.votes, 200) }, async (cluster) => {
        const b = await burst(cluster, SIZES.burst);
        results.burst = b;
        if (!b.countsMatchRows) failures.push("burst: counts differ from the vote rows");
        progress(
          `burst: ${b.refetches} refetches (naive: ${b.refetchesNaive}), ${b.databaseTransactionsPerSecond} db tx/s`,
        );
      });
    if (want("external"))
      await withCluster({ users: 50, projects: 60 }, async (cluster) => {
        const e = await externalWrites(cluster, SIZES.external);
        results.external = e;
        for (const s of e.steps) check(`external writes at ${s.rate}/s: missing deliveries`, s.sent - s.delivered);
        progress(`external writes: lag starts at ${e.lagsAtRate ?? "no tested rate"}`);
      });
    if (want("cache"))
      // The same mix with every read going to the database.
      await withCluster({ users: 200, env: { CACHE_DISABLED: "1" } }, async (cluster) => {
        const uncached = await cacheMix(
          cluster,
          { durationMs: SIZES.cacheSeconds * 1000, concurrency: 32 },
          "without cache",
        );
        check("uncached: stale reads", uncached.staleReads);
        const cache = results.cache as { cached: { readsPerSecond: number } };
        results.cache = {
          ...cache,
          uncached,
          speedup: Math.round((cache.cached.readsPerSecond / uncached.readsPerSecond) * 10) / 10,
        };
        progress(`cache: ${uncached.readsPerSecond} reads/s without the cache`);
      });
    if (want("search"))
      await withCluster(
        { fill: (sql) => fillSearchData(sql, SIZES.search.projects), env: { RATE_LIMITS: "off" } },
        async (cluster) => {
          const s = await searchBench(cluster, SIZES.search);
          results.search = s;
          check("search: stale results", s.underEdits.staleReads);
        },
      );
    if (want("follow-post")) {
      let maker = "";
      await withCluster(
        {
          fill: async (sql) => {
            maker = await fillFollowers(sql, SIZES.followPost.followers);
          },
          env: { RATE_LIMITS: "off" },
        },
        async (cluster) => {
          const f = await followPost(cluster, maker, SIZES.followPost);
          results.followPost = f;
          check("follow-post: follower events missing", f.eventsMissing);
        },
      );
    }
    if (want("reads")) {
      const reads = await readLatency({ seconds: SIZES.readSeconds, concurrency: 32 });
      results.reads = reads;
      const worst = Math.min(...reads.scenarios.map((x) => x.speedup));
      progress(`reads: cached vs uncached requests/s, worst endpoint ${worst}×`);
    }
    // What each kind of cache entry weighs (a measurement, not a check): full runs and --only entries.
    if (want("entries") && (!quick || only?.has("entries"))) results.entries = await cacheEntries();
    if (want("faults")) {
      const f = await faults(SIZES.faults);
      results.faults = f;
      check("faults: events lost silently", f.eventsLostSilently);
      check("faults: events duplicated", f.duplicated);
      check("faults: stale reads", f.staleReads);
      progress(
        `faults: lost silently ${f.eventsLostSilently}, duplicated ${f.duplicated}, stale reads ${f.staleReads}`,
      );
    }
    if (only?.has("throughput"))
      // The cost of a write on its own (not part of a default run: the crash scenario measures it too).
      await withCluster({ users: 300 }, async (cluster) => {
        const t = await writeThroughput(cluster, { seconds: SIZES.crash.throughputSeconds, concurrency: 32 });
        results.throughput = t;
        progress(
          `throughput: ${t.writesPerSecond} writes/s at saturation (p50 ${t.latencyMs.p50} / p99 ${t.latencyMs.p99} ms)`,
        );
      });
    if (want("crash")) {
      const c = await crashScenario(SIZES.crash);
      results.crash = c;
      for (const [variant, v] of Object.entries(c.variants)) {
        check(`crash/${variant}: stale reads`, v.staleReads);
        check(`crash/${variant}: committed changes lost silently`, v.lostSilently);
        check(
          `crash/${variant}: committed changes never delivered to a client that stayed connected`,
          v.undeliveredToWatcher,
        );
      }
    }
    if (want("soak")) {
      const s = await soak(SIZES.soak);
      results.soak = s;
      check("soak: requests failed on a healthy cluster", s.writesFailed + s.readErrors);
    }
    if (want("browser"))
      await withCluster({ users: 20 }, async (cluster) => {
        const b = await browserFreshnessOn(cluster, { quick });
        results.browser = b;
        check("browser: updates missed", b.missed);
        progress(`browser: click-to-update p50 ${b.clickToUpdateMs.p50} / p95 ${b.clickToUpdateMs.p95} ms`);
      });
    if (want("browser-kinds"))
      // 40 samples per kind in a full run: with 15, the p95 was the single slowest sample.
      await withCluster({ users: 48 }, async (cluster) => {
        results.commitLatency = await commitLatency(cluster, { rate: 20, seconds: quick ? 3 : 15 });
        const k = await browserKinds(cluster, { samples: quick ? 5 : 40 });
        results.browserKinds = k;
        check(
          "browser-kinds: updates missed",
          Object.values(k).reduce((sum, r) => sum + (r?.missed ?? 0), 0),
        );
      });
    // The same with commits that do not wait for the disk: what the app itself costs per kind,
    // apart from this machine's WAL flush stalls (ADR 022). Diagnostic: the app commits durably.
    if (want("browser-kinds") && !quick)
      await withCluster(
        { users: 48, instanceEnv: (_i, { databaseUrl }) => ({ DATABASE_URL: withoutCommitWait(databaseUrl) }) },
        async (cluster) => {
          results.browserKindsNoCommitWait = await browserKinds(cluster, { samples: 40 });
        },
      );
    // Lighthouse's scores depend on the machine's load: full runs only (or --only lighthouse).
    if (want("lighthouse") && (!quick || only?.has("lighthouse")))
      await withCluster({ users: 20 }, async (cluster) => {
        const url = cluster.instances[0]!.url;
        results.lighthouse = await lighthouseScores({
          feed: `${url}/`,
          project: `${url}/projects/${cluster.projectIds[0]}`,
        });
      });
  } catch (err) {
    crashed = err;
    failures.push(`crashed: ${(err as Error)?.message?.split("\n")[0] ?? err}`);
  }

  results.finishedAt = new Date().toISOString();
  results.durationSeconds = Math.round((Date.now() - started.getTime()) / 1000);
  results.failures = failures;
  await mkdir("bench/results", { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  // Only full runs of every scenario are kept (committed); quick and partial runs are ignored by git.
  const kind = only ? `only-${[...only].join("+")}-` : quick ? "quick-" : "";
  const file = `bench/results/${kind}${stamp}.json`;
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  progress(`results written to ${file}`);
  if (!quick && !only && !crashed) {
    await writeFile("docs/benchmarks.md", renderMarkdown({ ...results, outboxCost: await latestOutboxCost() }, file));
    await writeFile("docs/benchmarks-latency.svg", renderSvg(results));
    progress("docs/benchmarks.md and docs/benchmarks-latency.svg updated");
  }
  if (crashed) process.stderr.write(`benchmark crashed: ${(crashed as Error)?.stack ?? crashed}\n`);
  if (failures.length) {
    process.stderr.write(`\nFAILED: ${failures.join("; ")}\n`);
    process.exit(1);
  }
  progress(`done in ${results.durationSeconds}s: 0 lost, 0 duplicated, 0 stale`);
  // Worker threads and sockets may keep handles alive a moment longer.
  process.exit(0);
}

function machine() {
  const version = (cmd: string, a: string[]) => {
    try {
      return execFileSync(cmd, a, { encoding: "utf8" }).trim().split("\n")[0];
    } catch {
      return "unknown";
    }
  };
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: version("psql", ["--version"]),
    redis: version("redis-server", ["--version"]),
  };
}

main().catch((err) => {
  process.stderr.write(`benchmark crashed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
