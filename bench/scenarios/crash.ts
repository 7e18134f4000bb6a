/**
 * Scenario crash (issue 9): three instances, writers and readers on all of
 * them, under four kinds of fault, one phase each, on a PostgreSQL and a Redis
 * of the run's own (restarting the shared ones would disturb everyone else):
 * - `kill`: one instance SIGKILLed every few seconds (then started again);
 * - `postgresRestart`: the PostgreSQL server crashes (`pg_ctl stop -m
 *   immediate`: every session cut, crash recovery at start) and comes back;
 * - `redisStall`: instance 2's link to Redis stops forwarding for a few
 *   seconds without closing (its connections and any new one hang);
 * - `postgresStall`: the same for instance 2's link to PostgreSQL.
 *
 * One checker reports for each, from every change committed (read from the
 * database, answered or not):
 * - stale reads: a read showing a version older than one committed more than
 *   1 s before the read began (must be 0);
 * - committed comments that a client which stayed connected neither received
 *   nor was told to refetch after their commit (must be 0); and comments
 *   missing at a pool client that got no repair signal (lost silently, 0);
 * - commit → completion (the first `comment:added` seen by a watcher) of the
 *   changes the fault hit: those whose writer died before answering (kill),
 *   those in flight while PostgreSQL was down, and those written through the
 *   stalled instance during its stall;
 * - resync envelopes per fault;
 * - the cost: write throughput at saturation (vote toggles, 32 in flight).
 *
 * While working on it: BENCH_CRASH_VARIANTS=redisStall,postgresStall runs only
 * those phases; BENCH_DEBUG_CRASH=1 prints what each watcher saw and missed,
 * and logs the linked instance at level info.
 */
import pg from "pg";
import { io } from "socket.io-client";
import { type OwnRedis, startOwnRedis, startProxy, type TcpProxy } from "../../server/test/redis-server.js";
import { ClientPool } from "../lib/clients.js";
import { type Cluster, startCluster, waitHealthy } from "../lib/cluster.js";
import { getJson } from "../lib/http.js";
import { progress } from "../lib/log.js";
import { type OwnPostgres, startOwnPostgres } from "../lib/postgres.js";
import { now, percentiles } from "../lib/stats.js";

const VERSION = / · v(\d+)$/;
const STALE_AFTER_MS = 1000;
/** After a phase's load: time for relays to finish and events to land before counting. */
const SETTLE_MS = 2000;
/** The instance whose links to Redis and PostgreSQL go through proxies (stalled in the stall phases). */
const LINKED = 2;

export type CrashVariant = "kill" | "postgresRestart" | "redisStall" | "postgresStall";

export interface CrashOptions {
  clients: number;
  /** Comments per second over the alive instances. */
  rate: number;
  throughputSeconds: number;
  kill: { seconds: number; everyMs: number };
  postgresRestart: { seconds: number; restarts: number; downMs: number };
  redisStall: { seconds: number; stalls: number; stallMs: number };
  postgresStall: { seconds: number; stalls: number; stallMs: number };
}

interface World {
  cluster: Cluster;
  redis: OwnRedis;
  postgres: OwnPostgres;
  toRedis: TcpProxy;
  toPostgres: TcpProxy;
  /** The bench's own connections (a pool survives a restart of the server). */
  db: pg.Pool;
  projects: string[];
  owners: Map<string, string>;
  tokenOf: Map<string, string>;
  /** Per project: the versions committed so far and when (at the latest). */
  commits: Map<string, { v: number; at: number }[]>;
  /** Socket clients of every phase: a watcher per instance (in this process) and the pool. */
  watchers: Watcher[];
  pool: ClientPool;
}

/** A fault as the phase injected it: when it began and ended, and which instance it hit (null: all). */
interface Fault {
  kind: CrashVariant;
  start: number;
  end: number;
  instance: number | null;
}

export async function crashScenario(opts: CrashOptions) {
  const [redis, postgres] = await Promise.all([startOwnRedis(), startOwnPostgres()]);
  const toRedis = await startProxy(redis.port);
  const toPostgres = await startProxy(postgres.port);
  const cleanup = async () => {
    await toRedis.close();
    await toPostgres.close();
    await redis.stop();
    await postgres.stop();
  };
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      instances: 3,
      users: 300,
      redisUrl: redis.url,
      adminDatabaseUrl: postgres.url,
      instanceEnv: (i, { databaseUrl }): Record<string, string> => {
        if (i !== LINKED) return {};
        const viaProxy = new URL(databaseUrl);
        viaProxy.port = new URL(toPostgres.url).port;
        return {
          REDIS_URL: toRedis.url,
          DATABASE_URL: viaProxy.toString(),
          ...(process.env.BENCH_DEBUG_CRASH && { LOG_LEVEL: "info" }),
        };
      },
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  let closeClients = async () => {};
  const db = new pg.Pool({ connectionString: cluster.databaseUrl, max: 4 });
  db.on("error", () => {}); // idle connections cut by a restart: the pool replaces them
  try {
    const projects = cluster.projectIds.slice(0, 6);
    const owners = new Map(
      (
        await cluster.sql.query<{ id: string; owner: string }>(`SELECT id::text, owner_id::text AS owner FROM projects`)
      ).rows.map((r) => [r.id, r.owner]),
    );
    const tokenOf = new Map(cluster.users.map((u) => [u.id, u.token]));
    for (const [i, p] of projects.entries())
      await fetch(`${cluster.instances[0]!.url}/api/projects/${p}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${tokenOf.get(owners.get(p)!)}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Crash project ${i} · v0` }),
      }).then((r) => r.arrayBuffer());
    const urls = cluster.instances.map((i) => i.url);
    const watchers = urls.map((u, i) => watch(u, i));
    const pool = await ClientPool.start({ mode: "app", urls, projects, clients: opts.clients });
    closeClients = async () => {
      await pool.close();
      for (const w of watchers) w.close();
    };
    const world: World = {
      cluster,
      watchers,
      pool,
      redis,
      postgres,
      toRedis,
      toPostgres,
      db,
      projects,
      owners,
      tokenOf,
      commits: new Map(projects.map((p) => [p, [{ v: 0, at: 0 }]])),
    };

    const throughput = await writeThroughput(cluster, { seconds: opts.throughputSeconds, concurrency: 32 });
    progress(
      `crash: write throughput at saturation ${throughput.writesPerSecond}/s (p99 ${throughput.latencyMs.p99} ms)`,
    );
    const variants: Partial<Record<CrashVariant, PhaseResult>> = {};
    const only = process.env.BENCH_CRASH_VARIANTS?.split(",");
    const want = (v: CrashVariant) => !only || only.includes(v);
    if (want("kill"))
      variants.kill = await phase(world, opts, "kill", opts.kill.seconds, (ctl) => killEvery(ctl, opts.kill.everyMs));
    if (want("postgresRestart"))
      variants.postgresRestart = await phase(world, opts, "postgresRestart", opts.postgresRestart.seconds, (ctl) =>
        spread(ctl, opts.postgresRestart.restarts, async () => {
          const start = Date.now();
          ctl.mark("PostgreSQL stopped (immediate)");
          await postgres.restart({ mode: "immediate", downMs: opts.postgresRestart.downMs });
          ctl.mark("PostgreSQL accepting connections again");
          ctl.faults.push({ kind: "postgresRestart", start, end: Date.now(), instance: null });
        }),
      );
    for (const [kind, proxy, label] of [
      ["redisStall", toRedis, "Redis"],
      ["postgresStall", toPostgres, "PostgreSQL"],
    ] as const) {
      const o = opts[kind];
      if (!want(kind)) continue;
      variants[kind] = await phase(world, opts, kind, o.seconds, (ctl) =>
        spread(ctl, o.stalls, async () => {
          const start = Date.now();
          const n = proxy.stall(undefined, { newConnections: true });
          ctl.mark(`instance ${LINKED}'s link to ${label} stalled (${n} connections, new ones too)`);
          await new Promise((r) => setTimeout(r, o.stallMs));
          proxy.unstall();
          ctl.mark(`instance ${LINKED}'s link to ${label} flows again`);
          ctl.faults.push({ kind, start, end: Date.now(), instance: LINKED });
        }),
      );
    }
    return { instances: cluster.instances.length, clients: opts.clients, rate: opts.rate, throughput, variants };
  } finally {
    await closeClients();
    await db.end().catch(() => {});
    await cluster.stop();
    await cleanup();
  }
}

interface PhaseControl {
  cluster: Cluster;
  /** Instance URLs a client may use now (a killed one is left out until it is healthy again). */
  up: Set<string>;
  deadline: number;
  faults: Fault[];
  mark(what: string): void;
}

/** Runs `count` faults spread evenly over the phase (the first after a quarter of it). */
async function spread(ctl: PhaseControl, count: number, fault: () => Promise<void>) {
  const seconds = (ctl.deadline - now()) / 1000;
  for (let k = 0; k < count; k++) {
    const at = ctl.deadline - seconds * 1000 + ((k + 0.5) / count) * seconds * 1000 * 0.8;
    const wait = at - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await fault();
  }
}

/**
 * Every `everyMs` SIGKILLs an instance that is up (never instance 0, whose
 * clients stay connected throughout), and starts it again in the background.
 */
async function killEvery(ctl: PhaseControl, everyMs: number) {
  const urls = ctl.cluster.instances.map((i) => i.url);
  const restarts: Promise<void>[] = [];
  let victim = 0;
  while (now() + everyMs < ctl.deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    const candidates = urls.map((_, i) => i).filter((i) => i > 0 && ctl.up.has(urls[i]!));
    if (!candidates.length) continue;
    victim = candidates.find((i) => i !== victim) ?? candidates[0]!;
    const i = victim;
    ctl.up.delete(urls[i]!);
    const at = Date.now();
    ctl.cluster.kill(i);
    ctl.mark(`instance ${i} killed`);
    restarts.push(
      (async () => {
        await new Promise((r) => setTimeout(r, 300));
        await ctl.cluster.start(i).catch(() => {});
        ctl.up.add(urls[i]!);
        ctl.faults.push({ kind: "kill", start: at, end: Date.now(), instance: i });
        ctl.mark(`instance ${i} healthy again`);
      })(),
    );
  }
  await Promise.all(restarts);
}

/** A query of the bench's own that waits out a restart of PostgreSQL. */
async function query<T extends pg.QueryResultRow>(db: pg.Pool, text: string, params: unknown[] = []) {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await db.query<T>(text, params)).rows;
    } catch (err) {
      if (attempt > 300) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** One watcher per instance, in this process: what reached a client, and what told it to refetch. */
interface Watcher {
  instance: number;
  seen: Map<string, number>;
  /** When it was told to refetch: a sequence gap, a resync, a reconnect. */
  repairs: number[];
  resyncs: number;
  disconnected: boolean;
  connected(): boolean;
  /** Starts a new phase: forgets what it saw. */
  reset(): void;
  close(): void;
}

function watch(url: string, instance: number): Watcher {
  const w: Watcher = {
    instance,
    seen: new Map(),
    repairs: [],
    resyncs: 0,
    disconnected: false,
    connected: () => s.connected,
    reset: () => {
      w.seen = new Map();
      w.repairs = [];
      w.resyncs = 0;
      w.disconnected = !s.connected;
    },
    close: () => s.disconnect(),
  };
  let last: number | undefined;
  const s = io(url, { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 500 });
  let connectedOnce = false;
  s.on("connect", () => {
    if (connectedOnce) w.repairs.push(Date.now());
    connectedOnce = true;
    s.emit(
      "subscribe",
      last === undefined ? { room: "feed" } : { room: "feed", lastSeq: last },
      (ack: { seq?: number }) => {
        if (typeof ack?.seq === "number") last = ack.seq;
      },
    );
  });
  s.on("disconnect", (reason) => {
    if (reason !== "io client disconnect") w.disconnected = true;
  });
  // SPEC's rule, as the web client's SeqTracker applies it: the next seq applies, the same one is a
  // duplicate, anything else (a gap, a jump, a step back) makes the client refetch and go on from there.
  s.onAny((type: string, e: { room?: string; seq?: number; data?: { commentId?: string; resource?: string } }) => {
    if (e?.room !== "feed" || typeof e.seq !== "number") return;
    if (e.seq === last) return;
    if (last !== undefined && e.seq !== last + 1) w.repairs.push(Date.now());
    last = e.seq;
    if (type === "comment:added" && e.data?.commentId && !w.seen.has(e.data.commentId))
      w.seen.set(e.data.commentId, Date.now());
    if (type === "cache:invalidate" && e.data?.resource === "*") {
      w.resyncs++;
      w.repairs.push(Date.now());
    }
  });
  return w;
}

type PhaseResult = Awaited<ReturnType<typeof phase>>;

async function phase(
  world: World,
  opts: CrashOptions,
  variant: CrashVariant,
  seconds: number,
  inject: (ctl: PhaseControl) => Promise<void>,
) {
  const { cluster, db, projects, owners, tokenOf, commits, watchers, pool } = world;
  const urls = cluster.instances.map((i) => i.url);
  for (const u of urls) await waitHealthy(u, 30_000);
  const up = new Set(urls);
  const alive = () => {
    const a = urls.filter((u) => up.has(u));
    return a.length ? a : urls;
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  // Everyone reconnected after the last phase's faults, then counting starts afresh.
  for (
    let t = 0;
    t < 20_000 && ((await pool.report()).connected < opts.clients || watchers.some((w) => !w.connected()));
    t += 100
  )
    await new Promise((r) => setTimeout(r, 100));
  for (const w of watchers) w.reset();
  await pool.reset();
  const started = now();
  const deadline = started + seconds * 1000;
  const timeline: string[] = [];
  const ctl: PhaseControl = {
    cluster,
    up,
    deadline,
    faults: [],
    mark: (what) => timeline.push(`${((now() - started) / 1000).toFixed(1)}s ${what}`),
  };
  progress(`crash/${variant}: ${urls.length} instances, ${opts.clients} clients, ${opts.rate} comments/s, ${seconds}s`);
  const tag = `crash-${variant}-${Date.now().toString(36)}`;
  /** Per comment request (its index is in the body): where it went, when, and when it was answered. */
  const sent: { instance: number; at: number; answeredAt: number | null }[] = [];

  const comments = (async () => {
    const inflight: Promise<void>[] = [];
    for (let i = 0; now() < deadline; i++) {
      const wait = started + (i * 1000) / opts.rate - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const url = pick(alive());
      const req = { instance: urls.indexOf(url), at: Date.now(), answeredAt: null as number | null };
      sent[i] = req;
      inflight.push(
        fetch(`${url}/api/projects/${pick(projects)}/comments`, {
          method: "POST",
          headers: { authorization: `Bearer ${pick(cluster.users).token}`, "content-type": "application/json" },
          body: JSON.stringify({ body: `${tag} ${i}` }),
          signal: AbortSignal.timeout(30_000),
        }).then(
          async (r) => {
            await r.arrayBuffer();
            if (r.ok) req.answeredAt = Date.now();
          },
          () => {},
        ),
      );
    }
    await Promise.all(inflight);
  })();

  // Per project, one writer of versions (in order) and two readers, on the instances that are up.
  const reads: { p: string; start: number; v: number }[] = [];
  const writer = async (p: string) => {
    const mine = commits.get(p)!;
    let v = mine.at(-1)!.v;
    const i = projects.indexOf(p);
    while (now() < deadline) {
      v++;
      const answered = await fetch(`${pick(alive())}/api/projects/${p}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${tokenOf.get(owners.get(p)!)}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Crash project ${i} · v${v}` }),
        signal: AbortSignal.timeout(30_000),
      }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.ok ? Date.now() : null;
        },
        () => null,
      );
      // Answered or not: what committed is in the database. It committed at the latest when the answer
      // came, or else by the time this read returns (updated_at is the transaction's start, which may
      // be well before its commit under load).
      const row = (await query<{ title: string }>(db, `SELECT title FROM projects WHERE id = $1`, [p]))[0]!;
      const got = Number(VERSION.exec(row.title)?.[1] ?? -1);
      if (got === v) mine.push({ v, at: answered ?? Date.now() });
      else v = got; // not committed: the next write reuses the number
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const reader = async (p: string) => {
    while (now() < deadline) {
      const start = Date.now();
      try {
        const res = await getJson(`${pick(alive())}/api/projects/${p}`);
        if (res.status === 200) reads.push({ p, start, v: Number(VERSION.exec(res.body.title)?.[1] ?? -1) });
      } catch {}
    }
  };
  const load = Promise.all([...projects.map(writer), ...projects.map(reader), ...projects.map(reader)]);

  await inject(ctl);
  await comments;
  await load;
  await new Promise((r) => setTimeout(r, SETTLE_MS)); // relays finish, events land
  const report = await pool.report();

  // Every comment committed, from the database (answered or not).
  const committed = (
    await query<{ id: string; body: string; at: Date }>(
      db,
      `SELECT id::text, body, created_at AS at FROM comments WHERE body LIKE $1`,
      [`${tag} %`],
    )
  ).map((c) => ({ id: c.id, at: c.at.getTime(), req: sent[Number(c.body.slice(tag.length + 1))] }));
  let lostSilently = 0;
  for (const c of report.perClient) {
    const missing = Math.max(0, committed.length - c.feedComments);
    if (missing > 0 && c.repairs === 0) lostSilently += missing;
  }
  // A watcher that stayed connected must have received each comment, or been told to refetch after its commit.
  const stayers = watchers.filter((w) => !w.disconnected);
  const undelivered = new Set<string>();
  let repaired = 0;
  for (const w of stayers)
    for (const c of committed) {
      if (w.seen.has(c.id)) continue;
      if (w.repairs.some((t) => t >= c.at)) repaired++;
      else undelivered.add(c.id);
    }
  if (process.env.BENCH_DEBUG_CRASH) {
    const t0 = started;
    const rel = (t: number) => ((t - t0) / 1000).toFixed(2);
    for (const w of watchers)
      console.error(
        `watcher ${w.instance}: disconnected ${w.disconnected}, seen ${w.seen.size}/${committed.length}, repairs at ${w.repairs.map(rel).join(" ")}`,
      );
    for (const f of ctl.faults) console.error(`fault ${f.kind} on ${f.instance}: ${rel(f.start)}–${rel(f.end)}`);
    for (const c of committed)
      if (undelivered.has(c.id))
        console.error(
          `undelivered ${c.id}: sent to ${c.req?.instance} at ${rel(c.req?.at ?? 0)}, answered ${c.req?.answeredAt ? rel(c.req.answeredAt) : "no"}, created ${rel(c.at)}, missing at ${stayers.filter((w) => !w.seen.has(c.id)).map((w) => w.instance)}, first seen ${watchers
            .map((w) => w.seen.get(c.id))
            .filter(Boolean)
            .map((t) => rel(t!))}`,
        );
  }
  const firstSeen = (id: string) => {
    const ts = watchers.map((w) => w.seen.get(id)).filter((t): t is number => t !== undefined);
    return ts.length ? Math.min(...ts) : undefined;
  };
  // The changes the faults hit, with the fault that hit them.
  const hit = committed.flatMap((c) => {
    const f = ctl.faults.find((f) => {
      const r = c.req;
      if (!r) return false;
      if (f.kind === "kill") return r.instance === f.instance && r.answeredAt === null && r.at <= f.start;
      const inFlight = r.at <= f.end && (r.answeredAt ?? Number.POSITIVE_INFINITY) >= f.start;
      return inFlight && (f.instance === null || r.instance === f.instance);
    });
    return f ? [{ ...c, fault: f }] : [];
  });
  // From the commit (created_at is the statement's start: an upper bound under load), and from the
  // moment the fault let go (the kill itself: the writer was gone; or when PostgreSQL or the link was back).
  const completion: number[] = [];
  const afterFault: number[] = [];
  for (const c of hit) {
    const seen = firstSeen(c.id);
    if (seen === undefined) continue;
    completion.push(seen - c.at);
    afterFault.push(Math.max(0, seen - (c.fault.kind === "kill" ? c.fault.start : c.fault.end)));
  }
  const all = committed.flatMap((c) => {
    const seen = firstSeen(c.id);
    return seen === undefined ? [] : [seen - c.at];
  });
  let stale = 0;
  for (const r of reads) {
    const newest = commits
      .get(r.p)!
      .filter((c) => c.at < r.start - STALE_AFTER_MS)
      .reduce((m, c) => Math.max(m, c.v), 0);
    if (r.v < newest) stale++;
  }
  const resyncs = report.resyncs + watchers.reduce((n, w) => n + w.resyncs, 0);
  const result = {
    variant,
    seconds,
    faults: ctl.faults.length,
    timeline,
    commentsCommitted: committed.length,
    commentsAnswered: sent.filter((r) => r?.answeredAt !== null).length,
    commentsUnanswered: sent.filter((r) => r?.answeredAt === null).length,
    reads: reads.length,
    staleReads: stale,
    watchersStayedConnected: stayers.length,
    undeliveredToWatcher: undelivered.size,
    missedThenRepaired: repaired,
    lostSilently,
    duplicated: report.duplicated,
    /** Commit → first seen by a watcher, of the changes the faults hit (n: how many were seen). */
    completionOfHitMs: { hit: hit.length, ...percentiles(completion) },
    /** The same, from the kill (the writer was gone), or from the end of the restart or stall. */
    completionAfterFaultMs: percentiles(afterFault),
    commitToFirstSeenMs: percentiles(all),
    resyncEnvelopesPerFault: ctl.faults.length ? Math.round((resyncs / ctl.faults.length) * 10) / 10 : 0,
    reconnects: report.reconnects,
  };
  progress(
    `crash/${variant}: ${result.faults} faults, ${result.commentsCommitted} comments committed (${result.commentsUnanswered} unanswered), ${result.reads} reads, stale ${stale}, undelivered ${undelivered.size} (${stayers.length} watchers stayed connected, ${repaired} missed then repaired), lost silently ${lostSilently}, duplicated ${report.duplicated}, completion of the ${hit.length} changes hit p50 ${result.completionOfHitMs.p50} / p99 ${result.completionOfHitMs.p99} / max ${result.completionOfHitMs.max} ms after their commit (p50 ${result.completionAfterFaultMs.p50} / max ${result.completionAfterFaultMs.max} ms after the fault let go), resyncs per fault ${result.resyncEnvelopesPerFault}`,
  );
  return result;
}

/** Write throughput at saturation: vote toggles, `concurrency` in flight across the instances, for `seconds`. */
export async function writeThroughput(cluster: Cluster, opts: { seconds: number; concurrency: number }) {
  const urls = cluster.instances.map((i) => i.url);
  const deadline = now() + opts.seconds * 1000;
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  const worker = async (w: number) => {
    const user = cluster.users[w % cluster.users.length]!;
    for (let i = 0; now() < deadline; i++) {
      const p = cluster.projectIds[(w + i) % cluster.projectIds.length]!;
      const t = now();
      try {
        const r = await fetch(`${urls[(w + i) % urls.length]}/api/projects/${p}/${i % 2 ? "downvote" : "upvote"}`, {
          method: "POST",
          headers: { authorization: `Bearer ${user.token}` },
        });
        await r.arrayBuffer();
        if (r.ok) ok++;
        else failed++;
      } catch {
        failed++;
      }
      latencies.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  return { writesPerSecond: Math.round(ok / opts.seconds), failed, latencyMs: percentiles(latencies) };
}
