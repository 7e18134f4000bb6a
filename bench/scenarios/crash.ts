/**
 * Scenario crash (issue 9): three instances, writers and readers on all of
 * them, and one instance SIGKILLed every few seconds (then started again). A
 * checker takes every committed change from the database (answered or not) and
 * reports:
 * - stale reads: a read showing a version older than one committed more than
 *   1 s before the read began (must be 0);
 * - committed comments that a client which stayed connected neither received
 *   nor was told to refetch (must be 0);
 * - commit → completion time of the changes whose writer died (the first
 *   `comment:added` seen by a watcher on a surviving instance);
 * - resync envelopes per kill;
 * - the cost: write throughput at saturation (vote toggles, 32 in flight).
 */
import { io, type Socket } from "socket.io-client";
import { ClientPool } from "../lib/clients.js";
import type { Cluster } from "../lib/cluster.js";
import { getJson } from "../lib/http.js";
import { progress } from "../lib/log.js";
import { now, percentiles } from "../lib/stats.js";

const VERSION = / · v(\d+)$/;
const STALE_AFTER_MS = 1000;

export async function crash(
  cluster: Cluster,
  opts: { clients: number; seconds: number; rate: number; killEveryMs: number },
) {
  const urls = cluster.instances.map((i) => i.url);
  const up = new Set(urls);
  const alive = () => urls.filter((u) => up.has(u));
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const projects = cluster.projectIds.slice(0, 6);
  const owners = new Map(
    (
      await cluster.sql.query<{ id: string; owner: string }>(`SELECT id::text, owner_id::text AS owner FROM projects`)
    ).rows.map((r) => [r.id, r.owner]),
  );
  const tokenOf = new Map(cluster.users.map((u) => [u.id, u.token]));
  for (const [i, p] of projects.entries())
    await fetch(`${urls[0]}/api/projects/${p}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${tokenOf.get(owners.get(p)!)}`, "content-type": "application/json" },
      body: JSON.stringify({ title: `Crash project ${i} · v0` }),
    });

  // Watchers in this process, one per instance, subscribed to the feed: when did each comment reach a client?
  const firstSeen = new Map<string, number>();
  const seenByStayer = new Set<string>(); // instance 0's watcher: never killed, stays connected
  const resyncsSeen = { n: 0 };
  const watchers: Socket[] = urls.map((u, i) => {
    const s = io(u, { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 500 });
    const join = () => s.emit("subscribe", { room: "feed" }, () => {});
    s.on("connect", join);
    s.on("comment:added", (e: { data: { commentId: string } }) => {
      if (!firstSeen.has(e.data.commentId)) firstSeen.set(e.data.commentId, Date.now());
      if (i === 0) seenByStayer.add(e.data.commentId);
    });
    s.on("cache:invalidate", (e: { data: { resource: string } }) => {
      if (e.data.resource === "*") resyncsSeen.n++;
    });
    return s;
  });

  progress(
    `crash: ${urls.length} instances, ${opts.clients} clients, ${opts.rate} comments/s, a SIGKILL every ${opts.killEveryMs} ms, ${opts.seconds}s`,
  );
  const pool = await ClientPool.start({ mode: "app", urls, projects, clients: opts.clients });
  const started = now();
  const deadline = started + opts.seconds * 1000;
  const tag = `crash-${Date.now().toString(36)}`;
  let answered = 0;
  let unanswered = 0;

  const comments = (async () => {
    let i = 0;
    while (now() < deadline) {
      const wait = started + (i++ * 1000) / opts.rate - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      fetch(`${pick(alive())}/api/projects/${pick(projects)}/comments`, {
        method: "POST",
        headers: { authorization: `Bearer ${pick(cluster.users).token}`, "content-type": "application/json" },
        body: JSON.stringify({ body: `${tag} ${i}` }),
      }).then(
        async (r) => {
          await r.arrayBuffer();
          if (r.ok) answered++;
          else unanswered++;
        },
        () => unanswered++,
      );
    }
  })();

  // Per project, one writer of versions (in order) and readers on every instance.
  const commits = new Map<string, { v: number; at: number }[]>(projects.map((p) => [p, [{ v: 0, at: 0 }]]));
  const reads: { p: string; start: number; v: number }[] = [];
  const writer = async (p: string, i: number) => {
    let v = 0;
    while (now() < deadline) {
      v++;
      await fetch(`${pick(alive())}/api/projects/${p}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${tokenOf.get(owners.get(p)!)}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Crash project ${i} · v${v}` }),
      }).then(
        (r) => r.arrayBuffer(),
        () => null,
      );
      // Answered or not: what committed is in the database. It committed at the latest now (updated_at is
      // the transaction's start, which may be well before its commit under load).
      const row = (await cluster.sql.query<{ title: string }>(`SELECT title FROM projects WHERE id = $1`, [p]))
        .rows[0]!;
      const got = Number(VERSION.exec(row.title)?.[1] ?? -1);
      if (got === v) commits.get(p)!.push({ v, at: Date.now() });
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
  const load = Promise.all([
    ...projects.map((p, i) => writer(p, i)),
    ...projects.map((p) => reader(p)),
    ...projects.map((p) => reader(p)),
  ]);

  // The faults: every few seconds SIGKILL an instance that is up (never instance 0, whose watcher and
  // clients stay connected throughout), and start it again in the background (a start takes seconds).
  const kills: { at: number; instance: number }[] = [];
  const restarts: Promise<void>[] = [];
  let victim = 0;
  while (now() + opts.killEveryMs < deadline) {
    await new Promise((r) => setTimeout(r, opts.killEveryMs));
    const candidates = urls.map((_, i) => i).filter((i) => i > 0 && up.has(urls[i]!));
    if (!candidates.length) continue;
    victim = candidates.find((i) => i !== victim) ?? candidates[0]!;
    const i = victim;
    up.delete(urls[i]!);
    kills.push({ at: Date.now(), instance: i });
    cluster.kill(i);
    restarts.push(
      (async () => {
        await new Promise((r) => setTimeout(r, 300));
        await cluster.start(i).catch(() => {});
        up.add(urls[i]!);
      })(),
    );
  }
  await Promise.all(restarts);
  await comments;
  await load;
  await new Promise((r) => setTimeout(r, 2500)); // relays finish, events land
  const report = await pool.report();
  await pool.close();
  for (const w of watchers) w.disconnect();

  // Every comment committed, from the database (answered or not).
  const committed = (
    await cluster.sql.query<{ id: string; at: Date }>(
      `SELECT id::text, created_at AS at FROM comments WHERE body LIKE $1`,
      [`${tag} %`],
    )
  ).rows;
  let lostSilently = 0;
  for (const c of report.perClient) {
    const missing = Math.max(0, committed.length - c.feedComments);
    if (missing > 0 && c.repairs === 0) lostSilently += missing;
  }
  // Comments no watcher on instance 0 (never killed) ever saw: undelivered to a client that stayed connected.
  const neverSeen = committed.filter((c) => !seenByStayer.has(c.id)).length;
  // Commit → completion when the writer died: comments committed at most 1.5 s before a kill, first seen
  // by a watcher after the kill (their writer did not complete them). From the commit (created_at is the
  // statement's start, so this over-counts under load) and from the kill (the commit was before it).
  const orphans = committed.flatMap((c) => {
    const k = kills.find((k) => c.at.getTime() <= k.at && k.at - c.at.getTime() < 1500);
    const seen = firstSeen.get(c.id);
    return k && seen !== undefined && seen > k.at ? [{ fromCommit: seen - c.at.getTime(), fromKill: seen - k.at }] : [];
  });
  const completion = orphans.map((o) => o.fromCommit);
  const afterKill = orphans.map((o) => o.fromKill);
  let stale = 0;
  for (const r of reads) {
    const newest = commits
      .get(r.p)!
      .filter((c) => c.at < r.start - STALE_AFTER_MS)
      .reduce((m, c) => Math.max(m, c.v), 0);
    if (r.v < newest) stale++;
  }
  const pct = percentiles(completion);
  return {
    instances: urls.length,
    seconds: opts.seconds,
    kills: kills.length,
    commentsCommitted: committed.length,
    commentsAnswered: answered,
    commentsUnanswered: unanswered,
    reads: reads.length,
    staleReads: stale,
    undeliveredToWatcher: neverSeen,
    lostSilently,
    duplicated: report.duplicated,
    completionAfterWriterDiedMs: { n: completion.length, ...pct },
    completionAfterKillMs: percentiles(afterKill),
    resyncEnvelopesPerKill: kills.length ? Math.round(((report.resyncs + resyncsSeen.n) / kills.length) * 10) / 10 : 0,
    reconnects: report.reconnects,
  };
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
