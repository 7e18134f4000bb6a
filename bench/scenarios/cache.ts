/**
 * Scenario 3, cache: a read-heavy mix (95 % reads of feed pages, project pages
 * and the leaderboard; 5 % project edits) from concurrent virtual users, once
 * with the cache and once without. A checker compares every read with the last
 * version it knows was committed when the read was sent: a stale read is one
 * that shows an older title than a write whose response had already arrived.
 */
import type { Cluster } from "../lib/cluster.js";
import { counter, getJson, send } from "../lib/http.js";
import { progress } from "../lib/log.js";
import { now, percentiles } from "../lib/stats.js";

export interface CacheOptions {
  durationMs: number;
  concurrency: number;
  writeShare?: number;
}

const VERSION = / · v(\d+)$/;

export async function cacheMix(cluster: Cluster, opts: CacheOptions, label: string) {
  const urls = cluster.instances.map((i) => i.url);
  const owners = new Map(
    (
      await cluster.sql.query<{ id: string; owner: string }>(`SELECT id::text, owner_id::text AS owner FROM projects`)
    ).rows.map((r) => [r.id, r.owner]),
  );
  const tokens = new Map(cluster.users.map((u) => [u.id, u.token]));
  const projects = cluster.projectIds;
  const known = new Map<string, number>(projects.map((p) => [p, 0]));
  const writing = new Set<string>();
  // Version 0: every title gets a version suffix before the run starts.
  await Promise.all(
    projects.map((p, i) =>
      send("PATCH", `${urls[i % urls.length]}/api/projects/${p}`, tokens.get(owners.get(p)!)!, {
        title: `Project ${i} · v0`,
      }),
    ),
  );
  const before = await cacheCounters(urls);
  const latencies = { read: [] as number[], write: [] as number[] };
  let reads = 0;
  let writes = 0;
  let stale = 0;
  let errors = 0;
  const staleExamples: string[] = [];
  const check = (what: string, items: { id: string; title: string }[], snapshot: Map<string, number>) => {
    for (const it of items) {
      const v = Number(VERSION.exec(it.title)?.[1] ?? -1);
      const k = snapshot.get(it.id);
      if (k !== undefined && v < k) {
        stale++;
        if (staleExamples.length < 5) staleExamples.push(`${what}: ${it.id} showed v${v}, v${k} was committed`);
      }
    }
  };
  // Project popularity is skewed, as it is on real sites (Zipf-like).
  const pick = () => projects[Math.floor(projects.length * Math.random() ** 2.5)]!;
  const deadline = now() + opts.durationMs;
  let n = 0;
  const worker = async (w: number) => {
    while (now() < deadline) {
      const base = urls[(w + n++) % urls.length]!;
      const t = now();
      try {
        if (Math.random() < (opts.writeShare ?? 0.05)) {
          const p = pick();
          if (writing.has(p)) continue; // one writer per project at a time: versions are ordered
          writing.add(p);
          const v = known.get(p)! + 1;
          const status = await send("PATCH", `${base}/api/projects/${p}`, tokens.get(owners.get(p)!)!, {
            title: `Project ${projects.indexOf(p)} · v${v}`,
          });
          writing.delete(p);
          if (status !== 200) errors++;
          else known.set(p, v);
          latencies.write.push(now() - t);
          writes++;
          continue;
        }
        const snapshot = new Map(known);
        const r = Math.random();
        if (r < 0.4) {
          const sort = ["trending", "newest", "top"][Math.floor(Math.random() * 3)];
          const page = Math.random() < 0.8 ? 1 : 2;
          const res = await getJson(`${base}/api/projects?sort=${sort}&page=${page}`);
          if (res.status !== 200) errors++;
          else check("feed", res.body.items, snapshot);
        } else if (r < 0.9) {
          const p = pick();
          const res = await getJson(`${base}/api/projects/${p}`);
          if (res.status !== 200) errors++;
          else check("project", [res.body], snapshot);
        } else {
          const res = await getJson(`${base}/api/leaderboard`);
          if (res.status !== 200) errors++;
          else
            check(
              "leaderboard",
              res.body.projects.map((x: { project: { id: string; title: string } }) => x.project),
              snapshot,
            );
        }
        latencies.read.push(now() - t);
        reads++;
      } catch {
        errors++;
      }
    }
  };
  progress(`cache (${label}): ${opts.concurrency} virtual users for ${opts.durationMs / 1000}s`);
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  const after = await cacheCounters(urls);
  const d = {
    hit: after.hit - before.hit,
    miss: after.miss - before.miss,
    joined: after.joined - before.joined,
    bypass: after.bypass - before.bypass,
    refreshes: after.refreshes - before.refreshes,
  };
  const lookups = d.hit + d.miss + d.joined + d.bypass;
  const seconds = opts.durationMs / 1000;
  return {
    label,
    reads,
    writes,
    errors,
    readsPerSecond: Math.round(reads / seconds),
    readMs: percentiles(latencies.read),
    writeMs: percentiles(latencies.write),
    cache: {
      ...d,
      hitRatio: lookups ? round4(d.hit / lookups) : null,
      withoutDatabaseRatio: lookups ? round4((d.hit + d.joined) / lookups) : null,
    },
    staleReads: stale,
    staleExamples,
  };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

async function cacheCounters(urls: string[]) {
  const c = (result: string) => counter(urls, "zs_cache_requests_total", { result });
  return {
    hit: await c("hit"),
    miss: await c("miss"),
    joined: await c("joined"),
    bypass: await c("bypass"),
    refreshes: await counter(urls, "zs_cache_refreshes_total"),
  };
}
