/**
 * Scenario 6, faults: under steady load (comments, socket clients on both
 * instances, and a checker reading project pages), Redis is restarted and later
 * one app instance is killed (SIGKILL) and started again. Measures what clients
 * missed and whether each was told to refetch (nothing may be lost silently),
 * duplicates, the time until everything is healthy again, and stale reads
 * (a read showing a version older than one whose write had answered).
 */
import { startOwnRedis } from "../../server/test/redis-server.js";
import { ClientPool } from "../lib/clients.js";
import { type Cluster, startCluster, waitHealthy } from "../lib/cluster.js";
import { getJson, send } from "../lib/http.js";
import { progress } from "../lib/log.js";
import { now } from "../lib/stats.js";

const VERSION = / · v(\d+)$/;

export async function faults(opts: { clients: number; seconds: number; rate: number }) {
  const redis = await startOwnRedis();
  const cluster = await startCluster({ redisUrl: redis.url });
  try {
    return await run(cluster, redis, opts);
  } finally {
    await cluster.stop();
    await redis.stop();
  }
}

async function run(
  cluster: Cluster,
  redis: Awaited<ReturnType<typeof startOwnRedis>>,
  opts: { clients: number; seconds: number; rate: number },
) {
  const urls = cluster.instances.map((i) => i.url);
  const up = new Set(urls);
  const projects = cluster.projectIds.slice(0, 5);
  const owners = new Map(
    (
      await cluster.sql.query<{ id: string; owner: string }>(`SELECT id::text, owner_id::text AS owner FROM projects`)
    ).rows.map((r) => [r.id, r.owner]),
  );
  const tokenOf = new Map(cluster.users.map((u) => [u.id, u.token]));
  const known = new Map(projects.map((p) => [p, 0]));
  for (const [i, p] of projects.entries())
    await send("PATCH", `${urls[0]}/api/projects/${p}`, tokenOf.get(owners.get(p)!)!, {
      title: `Fault project ${i} · v0`,
    });

  progress(`faults: ${opts.clients} clients, ${opts.rate} comments/s, stale-read checker, ${opts.seconds}s`);
  const pool = await ClientPool.start({ mode: "app", urls, projects, clients: opts.clients });
  const deadline = now() + opts.seconds * 1000;
  let commentsOk = 0;
  let commentsAmbiguous = 0;
  let reads = 0;
  let stale = 0;
  let unavailable = 0;
  let writes = 0;
  const timeline: string[] = [];
  const mark = (what: string) =>
    timeline.push(`${((now() - (deadline - opts.seconds * 1000)) / 1000).toFixed(1)}s ${what}`);

  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const alive = () => urls.filter((u) => up.has(u));
  const comments = (async () => {
    let i = 0;
    const t0 = now();
    while (now() < deadline) {
      const wait = t0 + (i++ * 1000) / opts.rate - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const base = pick(alive());
      fetch(`${base}/api/projects/${pick(projects)}/comments`, {
        method: "POST",
        headers: { authorization: `Bearer ${pick(cluster.users).token}`, "content-type": "application/json" },
        body: JSON.stringify({ body: `fault comment ${i}` }),
      }).then(
        async (r) => {
          await r.arrayBuffer();
          if (r.ok) commentsOk++;
          else if (r.status >= 500) commentsAmbiguous++; // may or may not have committed
        },
        () => commentsAmbiguous++, // the connection died with the instance: unknown
      );
    }
  })();
  const checker = async (p: string) => {
    while (now() < deadline) {
      const base = pick(alive());
      try {
        if (Math.random() < 0.1) {
          const v = known.get(p)! + 1;
          const status = await send("PATCH", `${base}/api/projects/${p}`, tokenOf.get(owners.get(p)!)!, {
            title: `Fault project ${projects.indexOf(p)} · v${v}`,
          });
          if (status === 200) {
            known.set(p, Math.max(known.get(p)!, v));
            writes++;
          }
          continue;
        }
        const expect = known.get(p)!;
        const res = await getJson(`${base}/api/projects/${p}`);
        if (res.status !== 200) {
          unavailable++;
          continue;
        }
        reads++;
        const v = Number(VERSION.exec(res.body.title)?.[1] ?? -1);
        if (v < expect) stale++;
      } catch {
        unavailable++;
      }
    }
  };
  // One checker per project keeps each project's writes in order (versions only grow).
  const checkers = Promise.all(projects.map((p) => checker(p)));

  const healthyAll = async () => {
    for (const u of urls) await waitHealthy(u, 30_000);
  };
  await new Promise((r) => setTimeout(r, (opts.seconds * 1000) / 4));
  mark("redis stopped");
  await redis.stop();
  await new Promise((r) => setTimeout(r, 1500));
  await redis.start();
  const redisBack = now();
  mark("redis started");
  await healthyAll();
  const redisRecoveryMs = Math.round(now() - redisBack);
  mark(`all instances trust redis again (${redisRecoveryMs} ms)`);

  await new Promise((r) => setTimeout(r, (opts.seconds * 1000) / 4));
  mark("instance 1 killed");
  up.delete(urls[1]!);
  cluster.kill(1);
  await new Promise((r) => setTimeout(r, 1500));
  const restartAt = now();
  mark("instance 1 starting");
  await cluster.start(1);
  up.add(urls[1]!);
  const instanceRecoveryMs = Math.round(now() - restartAt);
  mark(`instance 1 healthy (${instanceRecoveryMs} ms)`);
  let reconnectMs: number | null = null;
  for (let t = 0; t < 20_000; t += 50) {
    const r = await pool.report();
    if (r.connected === opts.clients) {
      reconnectMs = Math.round(now() - restartAt);
      break;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  mark(`all clients connected again (${reconnectMs} ms after the restart began)`);

  await comments;
  await checkers;
  await new Promise((r) => setTimeout(r, 2000));
  const r = await pool.report();
  await pool.close();
  // A client missed a comment silently if it never got a signal to refetch (gap, resync, reconnect).
  let missedRepaired = 0;
  let missedSilently = 0;
  for (const c of r.perClient) {
    const missing = Math.max(0, commentsOk - c.feedComments);
    if (missing === 0) continue;
    if (c.repairs > 0) missedRepaired += missing;
    else missedSilently += missing;
  }
  return {
    clients: opts.clients,
    seconds: opts.seconds,
    timeline,
    commentsCommitted: commentsOk,
    commentsAmbiguous,
    eventsMissedButRepaired: missedRepaired,
    eventsLostSilently: missedSilently,
    duplicated: r.duplicated,
    resyncsReceived: r.resyncs,
    reconnects: r.reconnects,
    redisRecoveryMs,
    instanceRestartMs: instanceRecoveryMs,
    clientsReconnectedMs: reconnectMs,
    reads,
    writes,
    unavailableReads: unavailable,
    staleReads: stale,
  };
}
