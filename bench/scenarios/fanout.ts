/**
 * Scenario 1, fan-out: N clients across the instances, each subscribed to the
 * feed and one of a few project rooms; mutations at a steady rate; latency from
 * commit to arrival in every client; events missing, gaps detected (each makes a
 * client refetch), events lost silently (missing without a gap) and duplicated. Baselines
 * in the same run: a bare Socket.IO broadcast (the floor) and a 30 s poller.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { ClientPool } from "../lib/clients.js";
import type { Cluster } from "../lib/cluster.js";
import { progress } from "../lib/log.js";
import { mutate, pollingStaleness } from "../lib/mutator.js";

export interface FanoutOptions {
  clients: number;
  rate: number;
  durationMs: number;
  projectRooms?: number;
}

/** CPU time (user + system, seconds) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** Commands Redis has run so far (all clients: meaningful on a Redis of the run's own, BENCH_REDIS_URL). */
async function redisCommands(url: string): Promise<number> {
  const r = new Redis(url, { lazyConnect: true });
  try {
    await r.connect();
    const info = await r.info("commandstats");
    return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  } catch {
    return Number.NaN;
  } finally {
    r.disconnect();
  }
}

export async function fanout(cluster: Cluster, opts: FanoutOptions) {
  const k = opts.projectRooms ?? 5;
  const projects = cluster.projectIds.slice(0, k);
  progress(`fan-out: connecting ${opts.clients} clients to ${cluster.instances.length} instances`);
  const pool = await ClientPool.start({
    mode: "app",
    urls: cluster.instances.map((i) => i.url),
    projects,
    clients: opts.clients,
  });
  try {
    progress(`fan-out: ${opts.rate} mutations/s for ${opts.durationMs / 1000}s to ${opts.clients} clients`);
    const cpu0 = cluster.instances.map((i) => cpuSeconds(i.child?.pid));
    const redis0 = await redisCommands(cluster.redisUrl);
    const t0 = performance.now();
    const m = await mutate(cluster, {
      rate: opts.rate,
      durationMs: opts.durationMs,
      projects,
      label: `fan-out ${opts.clients}`,
    });
    // CPU while the mutations ran, per instance (100 % = one core busy).
    const wallS = (performance.now() - t0) / 1000;
    const cpuUsed = cluster.instances.map((inst, i) => cpuSeconds(inst.child?.pid) - cpu0[i]!);
    const cpuPerInstance = cpuUsed.map((c) => Math.round((c / wallS) * 100) / 100);
    const redisCalls = (await redisCommands(cluster.redisUrl)) - redis0;
    await new Promise((r) => setTimeout(r, 2000)); // let the last envelopes land
    const r = await pool.report();
    // Every client should get every comment once in the feed, and those of its project room.
    const perProject = projects.map((_, p) => Math.floor(opts.clients / k) + (p < opts.clients % k ? 1 : 0));
    const commentTotal = [...m.comments.values()].reduce((a, b) => a + b, 0);
    const expectedFeed = commentTotal * opts.clients;
    const expectedProject = projects.reduce((sum, id, p) => sum + (m.comments.get(id) ?? 0) * perProject[p]!, 0);
    const missing = expectedFeed - r.commentsFeed + (expectedProject - r.commentsProject);
    // Lost silently: comments missing at a client that was never told to refetch (no gap, no resync, no reconnect).
    const lostSilently = r.perClient.reduce(
      (sum, c) => sum + (c.repairs === 0 ? Math.max(0, commentTotal - c.feedComments) : 0),
      0,
    );
    return {
      clients: opts.clients,
      rate: opts.rate,
      durationS: opts.durationMs / 1000,
      mutations: { issued: m.issued, ok: m.ok, failed: m.failed, httpMs: m.http },
      commitToEvent: r.comment.summary(),
      cpuPerInstance,
      /** WebSocket frames (envelopes) received by all clients per successful mutation. */
      framesPerMutation: m.ok ? Math.round((r.all.count / m.ok) * 10) / 10 : Number.NaN,
      /** Frames received per CPU second of the instances (all their work: HTTP, database, Redis, sockets). */
      framesPerCpuSecond: Math.round(r.all.count / cpuUsed.reduce((a, b) => a + b, 0)),
      wallSeconds: Math.round(wallS * 10) / 10,
      /** Redis commands (a script counts as one, plus the commands it runs) per successful mutation. */
      redisCommandsPerMutation: m.ok ? Math.round((redisCalls / m.ok) * 10) / 10 : Number.NaN,
      allEnvelopes: r.all.summary(),
      delivered: r.commentsFeed + r.commentsProject,
      expected: expectedFeed + expectedProject,
      missing: Math.max(0, missing),
      gapsDetected: r.gaps,
      lost: lostSilently,
      duplicated: r.duplicated,
      pollingBaseline30s: pollingStaleness(m.committedAt),
    };
  } finally {
    await pool.close();
  }
}

/** The floor: a bare Socket.IO server broadcasting to the same number of clients at the same rate. */
export async function rawFloor(opts: { clients: number; rate: number; durationMs: number; viaDelivery?: boolean }) {
  const child = fork(new URL("../lib/raw-server.ts", import.meta.url), opts.viaDelivery ? ["delivery"] : [], {
    execArgv: ["--import", "tsx"],
  });
  const port = await new Promise<number>((resolve) => child.once("message", (m: { port: number }) => resolve(m.port)));
  const pool = await ClientPool.start({
    mode: "raw",
    urls: [`http://127.0.0.1:${port}`],
    projects: [],
    clients: opts.clients,
  });
  try {
    progress(
      `floor: ${opts.viaDelivery ? "the app's delivery layer" : "bare Socket.IO"} broadcast to ${opts.clients} clients at ${opts.rate}/s`,
    );
    const cpu0 = cpuSeconds(child.pid);
    const t0 = performance.now();
    child.send({ cmd: "run", rate: opts.rate, durationMs: opts.durationMs });
    await new Promise((resolve) => child.once("message", resolve));
    const cpuUsed = cpuSeconds(child.pid) - cpu0;
    const cpu = Math.round((cpuUsed / ((performance.now() - t0) / 1000)) * 100) / 100;
    await new Promise((r) => setTimeout(r, 500));
    const r = await pool.report();
    return {
      clients: opts.clients,
      rate: opts.rate,
      broadcastToArrival: r.all.summary(),
      cpu,
      framesPerCpuSecond: Math.round(r.all.count / cpuUsed),
    };
  } finally {
    await pool.close();
    child.kill("SIGTERM");
  }
}
