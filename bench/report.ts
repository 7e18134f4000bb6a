/** Turns a full benchmark run into docs/benchmarks.md and an SVG chart of the fan-out latencies. */
import { readdir, readFile } from "node:fs/promises";
import { LIGHTHOUSE_TARGETS } from "./scenarios/lighthouse.js";

// biome-ignore lint/suspicious/noExplicitAny: the results are the JSON the run just wrote
type Any = any;

const ms = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? `${x}` : "–");
const pct = (x: unknown) => (typeof x === "number" ? `${Math.round(x * 1000) / 10} %` : "–");
const yes = (ok: boolean) => (ok ? "✅ met" : "❌ not met");

export function renderMarkdown(r: Any, file: string): string {
  const t = r.targets;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(
    "# Benchmarks",
    "",
    `Latest full run: ${r.startedAt} (${r.durationSeconds} s), results in [\`${file}\`](../${file}).`,
    `Machine: ${r.machine.cores} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.postgres}, ${r.machine.redis}.`,
    "Everything (PostgreSQL, Redis, two app instances, the load generators and the clients) runs on this one machine.",
    "",
    "Reproduce with `npm run bench` (about 25 minutes) or `npm run bench -- --quick` (the CI smoke run, under two minutes,",
    "which fails only on lost, duplicated or stale data). The app runs in server mode: a fresh PostgreSQL database,",
    "Redis, and two instances started as `npm start` starts them; clients connect to both.",
    "",
    "## Targets",
    "",
    "| target | result | |",
    "| --- | --- | --- |",
  );
  for (const f of (r.fanout ?? []).filter((f: Any) => !f.error && f.floor)) {
    // Issue 14: ≤ 1.5× the bare Socket.IO floor of the same run wherever the floor's p99 is under
    // 100 ms, at or below the floor where it is not (overload), and 5,000 × 50 under 250 ms without losses.
    const p99 = f.commitToEvent.p99;
    const floor = f.floor.p99;
    const ratio = Math.round((p99 / floor) * 100) / 100;
    if (f.clients >= 5000)
      push(
        `| fan-out ${f.clients} clients × ${f.rate}/s: p99 < 250 ms, 0 lost to gaps | ${ms(p99)} ms, ${f.missing} missing, ${f.lost} lost silently (floor ${ms(floor)} ms) | ${yes(p99 < 250 && f.missing === 0)} |`,
      );
    else if (floor < 100)
      push(
        `| fan-out ${f.clients} clients × ${f.rate}/s: p99 ≤ 1.5× the floor | ${ms(p99)} ms vs ${ms(floor)} ms: ${ratio}× | ${yes(ratio <= 1.5)} |`,
      );
    else
      push(
        `| fan-out ${f.clients} clients × ${f.rate}/s (floor overloaded): p99 ≤ the floor | ${ms(p99)} ms vs ${ms(floor)} ms: ${ratio}× | ${yes(ratio <= 1)} |`,
      );
  }
  if (r.browser?.clickToUpdateMs)
    push(
      `| browser click-to-update p95 < ${t.browserP95Ms} ms | ${ms(r.browser.clickToUpdateMs.p95)} ms | ${yes(r.browser.clickToUpdateMs.p95 < t.browserP95Ms)} |`,
    );
  if (r.cache) {
    const c = r.cache.cached.cache;
    push(
      `| cache hit ratio ≥ ${pct(t.cacheHitRatio)} (95 % reads) | ${pct(c.hitRatio)} served from an entry; ${pct(c.withoutDatabaseRatio)} without a query of their own | ${yes(c.withoutDatabaseRatio >= t.cacheHitRatio)} |`,
      `| cached reads ≥ ${t.cachedVsUncachedRps}× the requests/s of uncached (the mix) | ${ms(r.cache.speedup)}× | ${yes(r.cache.speedup >= t.cachedVsUncachedRps)} |`,
    );
  }
  if (r.reads) {
    const worst = Math.min(...r.reads.scenarios.map((x: Any) => x.speedup));
    push(
      `| cached reads ≥ ${t.cachedVsUncachedRps}× the requests/s of uncached (each endpoint, reads only) | ${worst}× at worst | ${yes(worst >= t.cachedVsUncachedRps)} |`,
    );
  }
  const lost = [
    ...(r.fanout ?? []).filter((f: Any) => !f.error).map((f: Any) => f.lost + f.duplicated),
    r.faults ? r.faults.eventsLostSilently + r.faults.duplicated : 0,
    crashLost(r),
  ].reduce((a: number, b: number) => a + b, 0);
  const stale =
    (r.cache?.cached.staleReads ?? 0) +
    (r.cache?.uncached?.staleReads ?? 0) +
    (r.faults?.staleReads ?? 0) +
    (r.search?.underEdits.staleReads ?? 0) +
    crashStale(r);
  if (r.search) {
    const worst = Math.max(r.search.cold.ms.p99, r.search.warm.ms.p99);
    push(
      `| search p99 < ${t.searchP99Ms ?? 50} ms on ${r.search.projects} projects (one request in flight, cold and warm) | cold ${ms(r.search.cold.ms.p99)} ms, warm ${ms(r.search.warm.ms.p99)} ms | ${yes(worst < (t.searchP99Ms ?? 50))} |`,
    );
  }
  push(
    `| 0 events lost or duplicated, in every scenario | ${lost} | ${yes(lost === 0)} |`,
    `| 0 stale reads, in every scenario | ${stale} | ${yes(stale === 0)} |`,
    "",
  );

  if (r.fanout) {
    push(
      "## 1. Fan-out: commit → event received",
      "",
      "N Socket.IO clients split over the two instances, each subscribed to `feed` and one of five project rooms;",
      "mutations (half comments, half votes) through the HTTP API at a steady rate, alternating between instances.",
      "Latency is measured on every `comment:added` envelope in every client, from the commit (`at`, taken right",
      "after the transaction commits) to its arrival. *Missing*: comments a client did not receive, against those that",
      "committed; *gaps*: sequence gaps the clients detected (each makes a client refetch what the room covers);",
      "*lost*: comments missing at a client that saw no gap, resync or reconnect (lost silently); *duplicated*: the same",
      "envelope twice. Baselines measured in the same",
      "run: a bare Socket.IO server broadcasting to as many clients at the same rate (the floor), and a client",
      "polling every 30 s (the fallback seed apps use), modelled from the run's real commit times.",
      "",
      "![fan-out latency](benchmarks-latency.svg)",
      "",
      "*CPU*: seconds of CPU each instance used per second of the run (1 = one core), against the bare server's;",
      "*frames/mutation*: WebSocket frames the instances wrote per mutation.",
      "",
      "| clients | mutations/s | p50 | p95 | p99 | max | floor p50 / p99 | p99 ÷ floor | CPU per instance (floor) | frames/mutation | missing | gaps | lost | duplicated | 30 s poller p50 / p99 |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const f of r.fanout) {
      if (f.error) {
        push(`| ${f.clients} | ${f.rate ?? "–"} | could not run: ${f.error} | | | | | | | | | | | | |`);
        continue;
      }
      const c = f.commitToEvent;
      push(
        `| ${f.clients} | ${f.rate} | ${ms(c.p50)} ms | ${ms(c.p95)} ms | ${ms(c.p99)} ms | ${ms(c.max)} ms | ${ms(f.floor?.p50)} / ${ms(f.floor?.p99)} ms | ${f.floor ? Math.round((c.p99 / f.floor.p99) * 100) / 100 : "–"}× | ${(f.cpuPerInstance ?? []).join(" + ")} (${ms(f.floorCpu)}) | ${ms(f.framesPerMutation)} | ${f.missing} | ${f.gapsDetected} | ${f.lost} | ${f.duplicated} | ${Math.round(f.pollingBaseline30s.p50 / 100) / 10} s / ${Math.round(f.pollingBaseline30s.p99 / 100) / 10} s |`,
      );
    }
    push("");
  }

  if (r.browser) {
    const b = r.browser;
    push(
      "## 2. Browser freshness: click → DOM updated in other browsers",
      "",
      "Playwright drives Debian's Chromium: one actor and several observer contexts, on both instances. Times are",
      "taken inside the pages (`performance.timeOrigin + performance.now()`, which agree across contexts).",
      "",
      "| mutations | observations | p50 | p95 | p99 | max |",
      "| --- | --- | --- | --- | --- | --- |",
      `| ${b.mutations ?? "–"} | ${b.clickToUpdateMs?.count ?? "–"} | ${ms(b.clickToUpdateMs?.p50)} ms | ${ms(b.clickToUpdateMs?.p95)} ms | ${ms(b.clickToUpdateMs?.p99)} ms | ${ms(b.clickToUpdateMs?.max)} ms |`,
      "",
    );
  }

  if (r.cache) {
    const row = (x: Any) =>
      `| ${x.label} | ${x.readsPerSecond} | ${ms(x.readMs.p50)} / ${ms(x.readMs.p99)} ms | ${x.writes} | ${pct(x.cache.hitRatio)} | ${pct(x.cache.withoutDatabaseRatio)} | ${x.cache.miss} | ${x.cache.refreshes} | ${x.staleReads} |`;
    push(
      "## 3. Cache: a read-heavy mix",
      "",
      "32 virtual users in a closed loop over both instances: 95 % reads (feed pages 40 %, project pages 50 % with",
      "Zipf-like popularity, leaderboard 10 %) and 5 % project edits. Every edit writes a new version into the",
      "title; a checker compares each read with the newest version whose write had answered before the read was",
      "sent. *Served from an entry*: the value was in the cache. *Without a query of its own*: also counts reads",
      "that waited for a load already in flight (another reader's, or the refill the writing instance starts right",
      "after invalidating, ADR 010). Loads (misses + refills) are the database work the cache still does.",
      "",
      "| run | reads/s | read p50 / p99 | writes | served from an entry | without a query of its own | misses | refills | stale reads |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      row(r.cache.cached),
    );
    if (r.cache.uncached) push(row(r.cache.uncached));
    push("", `Cached reads/s ÷ uncached reads/s: **${ms(r.cache.speedup)}×**.`, "");
  }

  if (r.reads) {
    push(
      "### Reads only, per endpoint",
      "",
      `One instance on ${r.reads.data.projects} projects and ${r.reads.data.users} users with votes, threaded comments and badges;`,
      `the cache warmed, then ${r.reads.concurrency} requests in flight over keep-alive sockets for ${r.reads.secondsPerScenario} s per endpoint,`,
      "once with the cache and once with `CACHE_DISABLED` (every read, session lookups included, goes to the database).",
      "A cached read is one Redis round trip (a Lua script reads the generations and the entry) plus sending a string",
      "that is already JSON; uncached reads queue for the 10 database connections.",
      "",
      "| endpoint | cached p50 / p99 | cached req/s | uncached p50 / p99 | uncached req/s | gain |",
      "| --- | --- | --- | --- | --- | --- |",
      ...r.reads.scenarios.map(
        (x: Any) =>
          `| ${x.scenario} | ${x.cached.p50} / ${x.cached.p99} ms | ${x.cached.rps} | ${x.uncached.p50} / ${x.uncached.p99} ms | ${x.uncached.rps} | ${x.speedup}× |`,
      ),
      "",
    );
  }

  if (r.burst) {
    const b = r.burst;
    push(
      "## 4. Burst: many votes on one project while hundreds of pages watch it",
      "",
      `${b.votes} votes in ${b.voteSeconds} s on one project, ${b.watchers} open project pages. The pages run the web`,
      "client's own freshness code headless (RealtimeClient, RefetchScheduler, TanStack Query), so the refetch",
      "count is what browsers would do; *naive* is one refetch per event received.",
      "",
      "| votes ok | envelopes received | refetches, naive | refetches | per page | database transactions/s | cache loads | counts = rows |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      `| ${b.votesOk}/${b.votes} | ${b.envelopesReceived} | ${b.refetchesNaive} | ${b.refetches} | ${b.refetchesPerWatcher} | ${b.databaseTransactionsPerSecond} | ${b.cacheLoads} | ${b.countsMatchRows ? "yes" : "NO"} |`,
      "",
    );
  }

  if (r.external) {
    push(
      "## 5. Writes from outside the API",
      "",
      "`UPDATE projects …` through a plain PostgreSQL connection pool at rising rates; latency from the commit to the",
      "`cache:invalidate` a subscribed client receives. The path *lags* when p99 exceeds",
      `${r.external.lagThresholdP99Ms} ms or deliveries go missing: ${r.external.lagsAtRate ? `from **${r.external.lagsAtRate} writes/s**` : "**not at any tested rate**"}.`,
      "",
      "| writes/s asked | achieved | delivered | p50 | p95 | p99 | max |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const s of r.external.steps)
      push(
        `| ${s.rate} | ${s.achievedRate} | ${s.delivered}/${s.sent} | ${ms(s.commitToEventMs.p50)} ms | ${ms(s.commitToEventMs.p95)} ms | ${ms(s.commitToEventMs.p99)} ms | ${ms(s.commitToEventMs.max)} ms |`,
      );
    push("");
  }

  if (r.faults) {
    const f = r.faults;
    push(
      "## 6. Faults: Redis restarted, an app instance killed",
      "",
      `${f.clients} clients on both instances, comments at a steady rate, and a checker reading and editing project`,
      `pages for ${f.seconds} s. Redis (a server of the run's own) is stopped for 1.5 s, later instance 1 is killed`,
      "with SIGKILL and started again. A client that misses events must be told (a sequence gap, a resync, a",
      "reconnect); *lost silently* counts comments missing at a client that never was.",
      "",
      "| timeline | |",
      "| --- | --- |",
      ...f.timeline.map((e: string) => `| ${e.split(" ")[0]} | ${e.split(" ").slice(1).join(" ")} |`),
      "",
      "| comments committed | missed, then repaired | lost silently | duplicated | Redis recovery | instance restart | clients back | reads | stale reads |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      `| ${f.commentsCommitted} (+${f.commentsAmbiguous} unknown) | ${f.eventsMissedButRepaired} | ${f.eventsLostSilently} | ${f.duplicated} | ${f.redisRecoveryMs} ms | ${f.instanceRestartMs} ms | ${f.clientsReconnectedMs} ms | ${f.reads} | ${f.staleReads} |`,
      "",
    );
  }
  push(...renderCrash(r), ...renderSoak(r), ...renderEntries(r));
  renderIssue11(r, push);
  renderOutboxCost(r.outboxCost, push);
  renderDelivery(r, push);
  push(...browserKindsSection(r), ...lighthouseSection(r));
  push(
    "## Notes",
    "",
    "- Timing targets are reported, not enforced: the CI's quick run fails only on lost, duplicated or stale data.",
    "- `at` has millisecond resolution, so commit → event figures carry up to 1 ms of rounding.",
    "- The 2-core machine runs the clients too. At 1,000 clients a mutation is about 1,200 envelope deliveries",
    "  (the feed, its project room, a throttled `leaderboard:updated`), i.e. some 120,000 per second at 100",
    "  mutations/s, each a WebSocket frame written by the server and read by a client on the same two cores; the",
    "  bare Socket.IO floor at the same rate shows what the machine can do at all. The runs at 25 and 50",
    "  mutations/s show where the capacity ends.",
    "- Tails move between runs of the same code on this VM far more than medians do. Two full runs on",
    "  2026-12-02, an hour apart, both on a quiet machine: fan-out 1,000 × 25 p99 72 ms and then 479 ms (the floor",
    "  31 and 82 ms), 1,000 × 100 p99 851 and 3,589 ms; the cache mix with the cache 474, then 339, then (alone,",
    "  minutes later) 698 reads/s. At 100 × 100 the machine is about 90 % busy: the load generator ~50 % of a core, each",
    "  instance ~45 %, PostgreSQL ~20 %, Redis ~5 % (`top`, same scenario): a p99 there measures scheduling as",
    "  much as the app. Compare ratios within one run, and read one run's p99 as one sample.",
    "- The disk's flush stalls too: a one-row durable commit took p99 354 ms / max 513 ms in one pgbench run",
    "  and p99 7.5 ms in this one (section 14; ADR 022).",
    "",
  );
  return lines.join("\n");
}

const CRASH_VARIANTS: [string, string][] = [
  ["kill", "an instance SIGKILLed"],
  ["postgresRestart", "PostgreSQL crashed and restarted"],
  ["redisStall", "instance 2's Redis link stalled"],
  ["postgresStall", "instance 2's PostgreSQL link stalled"],
];
const crashVariants = (r: Any): [string, string, Any][] =>
  CRASH_VARIANTS.filter(([k]) => r.crash?.variants?.[k]).map(([k, label]) => [k, label, r.crash.variants[k]]);
const crashStale = (r: Any): number => crashVariants(r).reduce((n, [, , v]) => n + v.staleReads, 0);
const crashLost = (r: Any): number =>
  crashVariants(r).reduce((n, [, , v]) => n + v.lostSilently + v.undeliveredToWatcher + v.duplicated, 0);

/** Section: the crash scenario, every variant in one table, then each variant's timeline. */
function renderCrash(r: Any): string[] {
  if (!r.crash?.variants) return [];
  const c = r.crash;
  const out = [
    "## 7. Crash: instances killed, PostgreSQL restarted, links stalled",
    "",
    `Three instances, ${c.clients} socket clients over all of them, comments at ${c.rate}/s, and per project one writer of`,
    "versions and two readers, on the instances that are up; a PostgreSQL and a Redis of the run's own. One phase per",
    "fault: an instance SIGKILLed every few seconds (then started again); PostgreSQL stopped with `-m immediate` (a",
    "crash: every session cut) and started again; instance 2's link to Redis, then to PostgreSQL, stalled (a proxy",
    "stops forwarding without closing; new connections hang too). The checker takes every comment committed from the",
    "database, answered or not. *Stale*: a read showing a version older than one committed more than 1 s before the",
    "read began. *Undelivered*: comments a watcher that stayed connected neither received nor was told to refetch",
    "after their commit (a gap, a resync, a reconnect). *Lost silently*: comments missing at a pool client that got",
    "no such signal. *Changes hit*: those whose writer died before answering (kill), that were in flight while",
    "PostgreSQL was down, or that were written through the stalled instance during its stall; their completion is",
    "commit → the first `comment:added` a watcher received (from `created_at`, the statement's start: an upper",
    "bound when the machine is loaded), and from when the fault let go of them (the kill: their writer was gone; the",
    "end of the restart or stall).",
    "",
    "| fault | faults | comments committed (unanswered) | reads | stale | undelivered | missed, then repaired | lost silently | duplicated | changes hit | their completion after commit p50 / p99 / max | after the fault let go p50 / max | all comments p50 / p99 | resync envelopes per fault |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [, label, v] of crashVariants(r)) {
    const h = v.completionOfHitMs;
    out.push(
      `| ${label} | ${v.faults} | ${v.commentsCommitted} (${v.commentsUnanswered}) | ${v.reads} | ${v.staleReads} | ${v.undeliveredToWatcher} | ${v.missedThenRepaired} | ${v.lostSilently} | ${v.duplicated} | ${h.hit} | ${ms(h.p50)} / ${ms(h.p99)} / ${ms(h.max)} ms | ${ms(v.completionAfterFaultMs?.p50)} / ${ms(v.completionAfterFaultMs?.max)} ms | ${ms(v.commitToFirstSeenMs.p50)} / ${ms(v.commitToFirstSeenMs.p99)} ms | ${v.resyncEnvelopesPerFault} |`,
    );
  }
  out.push(
    "",
    `The cost of the outbox: ${c.throughput.writesPerSecond} writes/s at saturation (vote toggles, 32 in flight over the three instances, p99 ${ms(c.throughput.latencyMs.p99)} ms).`,
    "",
  );
  for (const [, label, v] of crashVariants(r)) {
    out.push(`<details><summary>Timeline: ${label}</summary>`, "", "| at | |", "| --- | --- |");
    for (const e of v.timeline) out.push(`| ${e.split(" ")[0]} | ${e.split(" ").slice(1).join(" ")} |`);
    out.push("", "</details>", "");
  }
  return out;
}

const mib = (b: unknown) => (typeof b === "number" ? `${(b / 2 ** 20).toFixed(2)} MiB` : "–");

/** Section: Redis memory and keys during the soak, and what the cache held at its end. */
function renderSoak(r: Any): string[] {
  const s = r.soak;
  if (!s) return [];
  const per = Object.entries(s.entriesPerLiveProject ?? {})
    .map(([k, v]) => `\`${k}\` ${v}`)
    .join(", ");
  const out = [
    "## 8. Soak: does Redis memory track live data?",
    "",
    `${s.seconds} s of writes at ${s.rate}/s through two instances (comments 40 %, vote toggles 30 %, project edits 20 %,`,
    "comment votes 10 %) with readers on both (project pages anonymous and signed in, feed pages, profiles, the",
    "leaderboard), on a Redis of the run's own, sampled all along. Every write moves generations, so every write",
    "supersedes entries; if superseded entries stayed for their TTL, memory would grow with writes × TTL. The fill",
    "script deletes the entry a new one supersedes, so memory should follow the live data (the entries of what",
    "exists) plus the exactly-once marks of published envelopes, which live 2 minutes each by design (ADR 014).",
    "",
    "| | start | warm (a fifth in) | end | max |",
    "| --- | --- | --- | --- | --- |",
    `| Redis \`used_memory\` | ${mib(s.usedMemory.start)} | ${mib(s.usedMemory.warm)} | ${mib(s.usedMemory.end)} | ${mib(s.usedMemory.max)} |`,
    `| keys | ${s.keys.start} | ${s.keys.warm} | ${s.keys.end} | ${s.keys.max} |`,
    "",
    `${s.writes} writes (${s.writesFailed} failed), ${s.reads} reads (${s.readErrors} errors). At the end Redis held ${s.entries.end} cache entries`,
    `(${mib(s.entries.bytesEnd)}, ${s.entries.supersededEnd} of them superseded) of the ${s.fills} stored during the run, which kept for`,
    `their TTL would have been about ${mib(s.writesTimesTtlBytes)}; the most entries one name held at once: ${s.maxEntriesPerName}.`,
    `Entries per live project: ${per || "–"}. Marks: ${s.marksEnd}; generations: ${s.generationsEnd}.`,
    "",
    "| t (s) | used_memory | keys | entries | entry bytes | superseded | generations | marks |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const x of s.samples)
    out.push(
      `| ${x.t} | ${mib(x.usedMemory)} | ${x.keys} | ${x.entries} | ${mib(x.entryBytes)} | ${x.superseded} | ${x.generations} | ${x.marks} |`,
    );
  out.push("");
  return out;
}

/** Section: what each kind of cache entry weighs. */
function renderEntries(r: Any): string[] {
  const e = r.entries;
  if (!e) return [];
  const out = [
    "## 9. What the cache holds",
    "",
    "One instance on the `reads` data set plus project pages with 0, 10, 100 and 1,000 comments (the largest in",
    `${e.threads} threads: the page shows the newest 200, ${e.shown} comments); every kind of read once, anonymous and signed in;`,
    "then every entry measured: its value's bytes, and Redis' `MEMORY USAGE` (key and overhead included).",
    "",
    "| project page | entries | bytes | Redis bytes | response bytes (uncompressed) |",
    "| --- | --- | --- | --- | --- |",
    ...e.projectDetail.map(
      (d: Any) =>
        `| ${d.comments} comments | ${[...d.entries].sort().join(" + ")} | ${d.entryBytes} | ${d.redisBytes} | ${d.responseBytes} |`,
    ),
    "",
    `Per comment on the page: ${e.perComment.entryBytes} bytes in the cache, ${e.perComment.responseBytes} in the response.`,
    "",
    "| kind | entries | mean bytes | max bytes | Redis bytes (mean) |",
    "| --- | --- | --- | --- | --- |",
    ...e.kinds.map(
      (k: Any) => `| \`${k.kind}\` | ${k.entries} | ${k.bytesMean} | ${k.bytesMax} | ${k.redisBytesMean} |`,
    ),
    "",
  ];
  return out;
}

/** Grouped bars: p50 / p95 / p99 of Zerostale and of the bare Socket.IO floor, per client count. */
export function renderSvg(r: Any): string {
  const runs = (r.fanout ?? []).filter((f: Any) => !f.error);
  const label = (f: Any) => `${f.clients} @ ${f.rate}/s`;
  const W = 760;
  const H = 360;
  const pad = { l: 60, r: 20, t: 50, b: 60 };
  const series = runs.flatMap((f: Any) => [
    { label: label(f), kind: "Zerostale", v: [f.commitToEvent.p50, f.commitToEvent.p95, f.commitToEvent.p99] },
    { label: label(f), kind: "floor", v: [f.floor?.p50 ?? 0, f.floor?.p95 ?? 0, f.floor?.p99 ?? 0] },
  ]);
  // Log scale: 2 ms and 5 s on one chart.
  const lo = 1;
  const hi = Math.max(100, ...series.flatMap((s: Any) => s.v)) * 1.5;
  const y = (v: number) =>
    pad.t +
    (H - pad.t - pad.b) * (1 - (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
  const groupW = (W - pad.l - pad.r) / Math.max(1, runs.length);
  const barW = groupW / 8;
  const colours = { Zerostale: ["#2563eb", "#60a5fa", "#bfdbfe"], floor: ["#6b7280", "#9ca3af", "#e5e7eb"] };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${pad.l}" y="20" font-size="14" font-weight="600">Commit → event received, ms (log scale): p50, p95, p99</text>`,
    `<text x="${pad.l}" y="36" fill="#555">blue: Zerostale, two instances · grey: a bare Socket.IO server, same clients, same rate</text>`,
  ];
  for (const v of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].filter((t) => t <= hi)) {
    out.push(
      `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${pad.l - 8}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v}</text>`,
    );
  }
  out.push(
    `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(50)}" y2="${y(50)}" stroke="#dc2626" stroke-dasharray="4 3"/>`,
    `<text x="${pad.l + 4}" y="${y(50) - 4}" fill="#dc2626">target p99 50 ms</text>`,
  );
  runs.forEach((f: Any, i: number) => {
    const x0 = pad.l + i * groupW + barW;
    (["Zerostale", "floor"] as const).forEach((kind, k) => {
      const s = series.find((s: Any) => s.label === label(f) && s.kind === kind);
      s.v.forEach((v: number, j: number) => {
        const x = x0 + (k * 3 + j) * barW;
        out.push(
          `<rect x="${x}" y="${y(v)}" width="${barW - 2}" height="${Math.max(0, H - pad.b - y(v))}" fill="${colours[kind][j]}"><title>${kind} p${[50, 95, 99][j]}: ${v} ms</title></rect>`,
        );
      });
    });
    out.push(`<text x="${x0 + 3 * barW}" y="${H - pad.b + 20}" text-anchor="middle">${f.clients} clients</text>`);
    out.push(
      `<text x="${x0 + 3 * barW}" y="${H - pad.b + 36}" text-anchor="middle" fill="#555">${f.rate} mutations/s</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** Search and tag pages, and a maker with thousands of followers posting (issue 11). */
function renderIssue11(r: Any, push: (...l: string[]) => void) {
  if (r.search) {
    const s = r.search;
    const row = (label: string, x: Any) =>
      `| ${label} | ${x.concurrency} | ${x.reads} | ${ms(x.ms.p50)} ms | ${ms(x.ms.p95)} ms | ${ms(x.ms.p99)} ms | ${ms(x.ms.max)} ms |`;
    push(
      "## 10. Search and tag pages",
      "",
      `${s.projects} projects whose titles, descriptions and tags come from a vocabulary of 1,000 words and 30 tags`,
      `(a word matches a few hundred projects); ${s.queries} queries: one word, two words, a tag, a word and a tag.`,
      "Search and tag orders are ranked by PostgreSQL on every read (GIN indexes; ADR 015); project summaries are",
      "cached. *Cold*: a query's first read (its results' summaries mostly not cached); *warm*: the same again. One",
      "request in flight is what a user waits; with the machine saturated, queueing dominates, so the plain feed",
      "(cached order and summaries) under the same load is the baseline.",
      "",
      "| reads | in flight | n | p50 | p95 | p99 | max |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      row("search cold", s.cold),
      row("search warm", s.warm),
      ...(s.coldLoaded ? [row("search cold", s.coldLoaded), row("search warm", s.warmLoaded)] : []),
      row("plain feed (baseline)", s.feedBaseline),
      ...(s.feedBaselineLoaded ? [row("plain feed (baseline)", s.feedBaselineLoaded)] : []),
      "",
      `Under concurrent title edits (${s.underEdits.writes} edits, ${s.underEdits.reads} searches for the edited titles' words,`,
      `each checked against the versions whose edit had been answered before the search was sent): p50`,
      `${ms(s.underEdits.ms.p50)} / p99 ${ms(s.underEdits.ms.p99)} ms, **${s.underEdits.staleReads} stale results**.`,
      "",
    );
  }
  if (r.followPost) {
    const f = r.followPost;
    push(
      "## 11. A maker with many followers posts",
      "",
      `${f.followers} followers, ${f.connected} of them connected (each subscribed to its own room), readers of the`,
      "following feed before, during and after. The notification rows are written in the post's own transaction",
      "(one INSERT … SELECT) and handed off to the outbox before the answer.",
      "",
      "| followers | connected | post answered | every notification row | every connected follower's event (p50 / p99 / last) | missing | following feed p50 / p99 (reads) |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      `| ${f.followers} | ${f.connected} | ${ms(f.responseMs)} ms | ${ms(f.allRowsMs)} ms | ${ms(f.eventMs.p50)} / ${ms(f.eventMs.p99)} / ${ms(f.allEventsMs)} ms | ${f.eventsMissing} | ${ms(f.followingFeedMs.p50)} / ${ms(f.followingFeedMs.p99)} ms (${f.followingFeedReads}) |`,
      "",
    );
  }
}

/** The per-socket delivery layer alone against bare Socket.IO, same clients and rates (issue 14). */
function renderDelivery(r: Any, push: (...l: string[]) => void) {
  if (!r.delivery?.length) return;
  push(
    "## 12. Delivery layer against bare Socket.IO",
    "",
    "One process broadcasting to N clients on the same machine, alternating bare `io.to(room).emit` and the app's",
    "delivery (per-socket queue, slow-consumer bound, corked writes), twice each: what the delivery layer costs per",
    "frame without the database, Redis and HTTP around it.",
    "",
    "| clients | rate | via | round | p50 | p95 | p99 | max | frames | CPU | frames per CPU second |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.delivery.map(
      (d: Any) =>
        `| ${d.clients} | ${d.rate}/s | ${d.via} | ${d.round + 1} | ${ms(d.broadcastToArrival.p50)} ms | ${ms(d.broadcastToArrival.p95)} ms | ${ms(d.broadcastToArrival.p99)} ms | ${ms(d.broadcastToArrival.max)} ms | ${d.broadcastToArrival.count} | ${ms(d.cpu)} | ${ms(d.framesPerCpuSecond)} |`,
    ),
    "",
  );
}

/** The newest `bench/outbox-cost.ts` run (a comparison of two builds, run on its own), with its file name. */
export async function latestOutboxCost(): Promise<Any> {
  const files = (await readdir("bench/results")).filter((f) => f.startsWith("outbox-cost-")).sort();
  const last = files.at(-1);
  if (!last) return undefined;
  return { file: `bench/results/${last}`, ...JSON.parse(await readFile(`bench/results/${last}`, "utf8")) };
}

/** Issue 9's budget: the outbox may cost at most 15 % of write throughput, and fan-out p99 stays within noise. */
function renderOutboxCost(c: Any, push: (...l: string[]) => void) {
  if (!c) return;
  const s = c.summary;
  push(
    "## 13. What the transactional outbox costs",
    "",
    `A separate run (\`node --import tsx bench/outbox-cost.ts <checkout before the outbox>\`, ${c.startedAt}, [\`${c.file}\`](../${c.file})):`,
    "the build before the outbox (`da6cd0a^1`) and this one, each with its own harness, alternating, on a fresh",
    "cluster each time. Writes: 32 clients voting as fast as answers come, 15 s. Fan-out: 1,000 clients, 50 mutations/s, 15 s.",
    "Budget: at most 15 % lower throughput, fan-out p99 within noise.",
    "",
    "| round | build | writes/s | write p50 / p99 | fan-out p50 / p99 | missing | lost |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...c.runs.map(
      (x: Any) =>
        `| ${x.round + 1} | ${x.label} | ${x.throughput.writesPerSecond} | ${ms(x.throughput.latencyMs.p50)} / ${ms(x.throughput.latencyMs.p99)} ms | ${ms(x.fanout.commitToEvent.p50)} / ${ms(x.fanout.commitToEvent.p99)} ms | ${x.fanout.missing} | ${x.fanout.lost} |`,
    ),
    "",
    `${s.statistic === "median" ? "Median" : "Mean"} throughput ${s.throughputBefore} → ${s.throughputAfter} writes/s (**${c.throughputChangePercent} %**, ${yes(c.throughputChangePercent >= -15)} the budget); ${s.statistic === "median" ? "median" : "mean"} fan-out p99 ${s.fanoutP99Before} → ${s.fanoutP99After} ms${s.fanoutP99RangeBefore ? ` (each build's range over its rounds: ${s.fanoutP99RangeBefore.join("–")} ms before, ${s.fanoutP99RangeAfter.join("–")} ms after)` : ""}.`,
    ...(c.note ? ["", `Note: ${c.note}.`] : []),
    "",
  );
}

/** Per kind of change (bench/scenarios/browser-kinds.ts): click → the other browser's DOM, against the p95 target. */
export function browserKindsSection(r: Any): string[] {
  const kinds = r.browserKinds as Record<string, Any> | undefined;
  if (!kinds || Object.keys(kinds).length === 0) return [];
  const target = r.targets?.browserP95Ms ?? 100;
  const event = (v: Any) => (v?.toEvent ? `${ms(v.toEvent.p50)} / ${ms(v.toEvent.p95)} ms` : "–");
  const noWait = r.browserKindsNoCommitWait as Record<string, Any> | undefined;
  const c = r.commitLatency;
  return [
    "## 14. Browser freshness per kind of change",
    "",
    "Each kind changed on instance 0 by an in-page request (stamped like a click) and watched on instance 1 by a",
    "page that shows it (project page, Newest, profile, conversation, intros, notifications, the header's bell),",
    "stamped by a MutationObserver. *Event* is the server's part: the action to the change's WebSocket frame at",
    "the observer; the rest is the page's (a patch from the event, or a refetch, then the render).",
    "",
    ...(c
      ? [
          `Every change waits for one durable commit. On this machine a bare one-row commit (${c.rate}/s, same run) took`,
          `p50 ${ms(c.p50)} / p95 ${ms(c.p95)} / p99 ${ms(c.p99)} / max ${ms(c.max)} ms: the WAL flush stalls now and then, and`,
          "a change that lands on a stall inherits it.",
          ...(noWait
            ? [
                "The last column repeats each kind in a second cluster whose commits do not wait for the flush",
                "(`synchronous_commit=off`, a diagnostic only: the app commits durably, ADR 022): the app's own cost.",
              ]
            : []),
          "",
        ]
      : []),
    `| kind | p50 | p95 | event at the observer (p50 / p95) | missed | p95 < ${target} ms |${noWait ? " p50 / p95 without the flush wait |" : ""}`,
    `| --- | --- | --- | --- | --- | --- |${noWait ? " --- |" : ""}`,
    ...Object.entries(kinds).map(([kind, v]) => {
      const w = noWait?.[kind];
      const extra = noWait ? ` ${w ? `${ms(w.p50)} / ${ms(w.p95)} ms` : "–"} |` : "";
      return `| ${kind} | ${ms(v.p50)} ms | ${ms(v.p95)} ms | ${event(v)} | ${v.missed ?? 0} | ${yes(v.p95 < target && !v.missed)} |${extra}`;
    }),
    "",
  ];
}

/** Lighthouse (bench/scenarios/lighthouse.ts): each page and form factor, the median run, against the targets. */
export function lighthouseSection(r: Any): string[] {
  const pages = r.lighthouse as Record<string, Record<string, Any>> | undefined;
  if (!pages || Object.keys(pages).length === 0) return [];
  const categories = ["performance", "accessibility", "best-practices", "seo"] as const;
  const rows: string[] = [];
  for (const [page, forms] of Object.entries(pages))
    for (const [form, run] of Object.entries(forms)) {
      const targets = LIGHTHOUSE_TARGETS[form as keyof typeof LIGHTHOUSE_TARGETS];
      const cell = (c: (typeof categories)[number]) =>
        `${ms(run[c])}${targets && run[c] < targets[c] ? ` (< ${targets[c]})` : ""}`;
      const met = targets ? categories.every((c) => run[c] >= targets[c]) : false;
      const m = run.metrics ?? {};
      const runs = run.performanceRuns?.length > 1 ? ` (runs: ${run.performanceRuns.join(", ")})` : "";
      rows.push(
        `| ${page} | ${form} | ${cell("performance")}${runs} | ${cell("accessibility")} | ${cell("best-practices")} | ${cell("seo")} | ${ms(m.FCP)} / ${ms(m.LCP)} / ${ms(m.TBT)} ms / ${ms(m.CLS)} | ${ms(run.load)} | ${yes(met)} |`,
      );
    }
  const t = LIGHTHOUSE_TARGETS;
  return [
    "## 15. Lighthouse",
    "",
    `Lighthouse 12.2.3 with Debian's Chromium; targets: mobile performance ≥ ${t.mobile.performance}, desktop ≥ ${t.desktop.performance},`,
    `accessibility ${t.mobile.accessibility}, best practices ≥ ${t.mobile["best-practices"]}, SEO ≥ ${t.mobile.seo}. Mobile is simulated: its network is`,
    "modelled, its main-thread tasks are measured here and multiplied by four, so total blocking time follows the",
    "machine's load (the 1-minute load average is shown). Median of the runs by performance score.",
    "",
    "| page | form | performance | accessibility | best practices | SEO | FCP / LCP / TBT / CLS | load | targets |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ];
}
