/**
 * Scenario 5, writes from outside the API: `UPDATE projects …` through a plain
 * PostgreSQL connection, as psql would, at rising rates; latency from the
 * commit to the `cache:invalidate` a subscribed client receives, and the rate at
 * which the NOTIFY path starts to lag (p99 above 100 ms, or deliveries missing).
 */
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import type { Cluster } from "../lib/cluster.js";
import { progress } from "../lib/log.js";
import { now, percentiles } from "../lib/stats.js";

const LAG_P99_MS = 100;

export async function externalWrites(cluster: Cluster, opts: { rates: number[]; secondsPerRate: number }) {
  // Many projects, each written in order by its own chain: enough writers in parallel to find the limit.
  const projects = cluster.projectIds.slice(0, 40);
  // One client per instance, each in every project room: deliveries come from whichever instance claimed the change.
  const received = new Map<string, number[]>(projects.map((p) => [p, []]));
  const sockets: Socket[] = [];
  for (const inst of cluster.instances) {
    const s = io(inst.url, { transports: ["websocket"] });
    await new Promise<void>((resolve, reject) => {
      s.once("connect", resolve);
      s.once("connect_error", reject);
    });
    for (const p of projects) await s.timeout(5000).emitWithAck("subscribe", { room: `project:${p}` });
    sockets.push(s);
  }
  // Count each change once: both clients see it (each instance's client is in the room).
  sockets[0]!.on("cache:invalidate", (e: { room: string; data: { resource: string } }) => {
    if (e.data.resource !== "projects") return;
    received.get(e.room.slice("project:".length))?.push(now());
  });
  const pool = new pg.Pool({ connectionString: cluster.databaseUrl, max: 16 });
  const results = [];
  let lagsAt: number | null = null;
  try {
    for (const rate of opts.rates) {
      for (const list of received.values()) list.length = 0;
      const committed = new Map<string, number[]>(projects.map((p) => [p, []]));
      const total = Math.round(rate * opts.secondsPerRate);
      progress(`external writes: ${rate}/s for ${opts.secondsPerRate}s`);
      const t0 = now();
      const chains = new Map<string, Promise<void>>();
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const p = projects[i % projects.length]!;
        // Per project in order, so the k-th notification answers the k-th update.
        const chain = (chains.get(p) ?? Promise.resolve()).then(async () => {
          await pool.query(`UPDATE projects SET title = $2 WHERE id = $1`, [p, `External ${rate}/${i}`]);
          committed.get(p)!.push(now());
        });
        chains.set(p, chain);
      }
      await Promise.all(chains.values());
      const sendSeconds = (now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 1500));
      const lat: number[] = [];
      let delivered = 0;
      let sent = 0;
      for (const p of projects) {
        const c = committed.get(p)!;
        const r = received.get(p)!;
        sent += c.length;
        delivered += Math.min(c.length, r.length);
        for (let k = 0; k < Math.min(c.length, r.length); k++) lat.push(r[k]! - c[k]!);
      }
      const stats = percentiles(lat);
      const lagging = stats.p99 > LAG_P99_MS || delivered < sent;
      if (lagging && lagsAt === null) lagsAt = rate;
      results.push({
        rate,
        achievedRate: Math.round(sent / sendSeconds),
        sent,
        delivered,
        commitToEventMs: stats,
        lagging,
      });
      if (lagging && rate !== opts.rates.at(-1)) {
        progress(
          `external writes: lagging at ${rate}/s (p99 ${stats.p99} ms, ${delivered}/${sent} delivered); stopping the ramp`,
        );
        break;
      }
    }
  } finally {
    await pool.end();
    for (const s of sockets) s.disconnect();
  }
  return { lagThresholdP99Ms: LAG_P99_MS, lagsAtRate: lagsAt, steps: results };
}
