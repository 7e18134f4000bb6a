/**
 * What the cache holds (issue 9: "project-detail entries were 166 kB, measure
 * what they hold"): one instance on a realistic data set (the `reads` data
 * plus projects with 0, 10, 100 and 1,000 comments; the largest has 250
 * threads, of which the page shows the newest 200), every kind of public read
 * made once (anonymous and signed in), then every cache entry under the run's
 * prefix measured: its value's bytes (STRLEN) and what Redis spends on it
 * (MEMORY USAGE, key and overhead included), per kind of entry.
 */
import { Redis } from "ioredis";
import type pg from "pg";
import { startCluster } from "../lib/cluster.js";
import { getJson } from "../lib/http.js";
import { progress } from "../lib/log.js";
import { richFill } from "./reads.js";

/** Comment counts of the measured project pages; the largest gets `THREADS` threads. */
const SIZES = [0, 10, 100, 1000] as const;
const THREADS = 250;

/** Comment bodies of realistic lengths (a sentence to a short paragraph), picked at random. */
const BODIES = [
  "Nice!",
  "Congrats on the launch, this looks really polished.",
  "How does it handle conflicts when two people edit the same thing at once?",
  "I've been looking for exactly this. Is there a self-hosted version, or is it cloud only for now? Pricing page is a bit unclear.",
  "Tried it this morning: onboarding took two minutes and the sync just works. The keyboard shortcuts could use a cheat sheet, but otherwise great job.",
  "We evaluated three tools in this space last quarter and ended up building our own because none of them handled offline edits well. Curious how you approached that — CRDTs, or last-writer-wins with a merge step? Would love a write-up.",
];

async function fillEntries(sql: pg.Client) {
  const counts = await richFill(sql);
  await sql.query("SELECT setseed(0.17)");
  for (const n of SIZES) {
    const owner = (await sql.query<{ id: string }>("SELECT id::text FROM users ORDER BY email LIMIT 1")).rows[0]!.id;
    const project = (
      await sql.query<{ id: string }>(
        `INSERT INTO projects (owner_id, title, description, url, tags, created_at)
         VALUES ($1, $2, repeat('A project page measured by the entries bench. ', 6), 'https://example.com/measured',
                 ARRAY['measured', 'bench'], now() - interval '1 minute') RETURNING id::text`,
        [owner, `Measured project with ${n} comments`],
      )
    ).rows[0]!.id;
    if (!n) continue;
    const roots = Math.min(n, THREADS);
    // Top-level comments first, then replies to random earlier comments (threads of varying depth).
    await sql.query(
      `WITH u AS (SELECT array_agg(id ORDER BY email) AS ids FROM users)
       INSERT INTO comments (project_id, author_id, body, created_at)
       SELECT $1::uuid, u.ids[1 + floor(random() * array_length(u.ids, 1))::int],
              ($3::text[])[1 + floor(random() * array_length($3::text[], 1))::int],
              now() - interval '10 days' + g * interval '1 minute'
         FROM generate_series(1, $2::int) g, u`,
      [project, roots, BODIES],
    );
    for (let made = roots; made < n; ) {
      const batch = Math.min(n - made, roots);
      await sql.query(
        `WITH u AS (SELECT array_agg(id ORDER BY email) AS ids FROM users),
              parents AS (SELECT id, created_at FROM comments WHERE project_id = $1::uuid ORDER BY random() LIMIT $2::int)
         INSERT INTO comments (project_id, author_id, parent_id, body, created_at)
         SELECT $1::uuid, u.ids[1 + floor(random() * array_length(u.ids, 1))::int], parents.id,
                ($3::text[])[1 + floor(random() * array_length($3::text[], 1))::int],
                parents.created_at + random() * interval '3 days'
           FROM parents, u`,
        [project, batch, BODIES],
      );
      made += batch;
    }
  }
  await sql.query("ANALYZE");
  return counts;
}

export interface EntryKind {
  kind: string;
  entries: number;
  /** Value bytes (what the app stores), mean and max. */
  bytesMean: number;
  bytesMax: number;
  /** Redis' MEMORY USAGE (value, key and overhead), mean. */
  redisBytesMean: number;
}

/** Measures every cache entry under `prefix`, grouped by kind (the part of the name before its first `:`). */
export async function measureEntries(redisUrl: string, prefix: string) {
  const redis = new Redis(redisUrl);
  try {
    const sizes = new Map<string, { bytes: number; memory: number }>();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}c:*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        // `|^` points at the newest entry of a name; `:lease` is a fill in progress.
        if (key.endsWith("|^") || key.endsWith(":lease")) continue;
        const [bytes, memory] = await Promise.all([redis.strlen(key), redis.memory("USAGE", key)]);
        sizes.set(key.slice(prefix.length + 2), { bytes, memory: Number(memory ?? 0) });
      }
    } while (cursor !== "0");
    return sizes;
  } finally {
    redis.disconnect();
  }
}

export function byKind(sizes: Map<string, { bytes: number; memory: number }>): EntryKind[] {
  const kinds = new Map<string, { bytes: number; memory: number }[]>();
  for (const [name, s] of sizes) {
    const kind = name.slice(0, name.indexOf(":") < 0 ? name.indexOf("|") : name.indexOf(":"));
    kinds.set(kind, [...(kinds.get(kind) ?? []), s]);
  }
  return [...kinds]
    .map(([kind, xs]) => ({
      kind,
      entries: xs.length,
      bytesMean: Math.round(xs.reduce((a, x) => a + x.bytes, 0) / xs.length),
      bytesMax: Math.max(...xs.map((x) => x.bytes)),
      redisBytesMean: Math.round(xs.reduce((a, x) => a + x.memory, 0) / xs.length),
    }))
    .sort((a, b) => b.bytesMax - a.bytesMax);
}

export async function cacheEntries() {
  const cluster = await startCluster({ instances: 1, fill: fillEntries });
  try {
    const base = cluster.instances[0]!.url;
    const measured = (
      await cluster.sql.query<{ id: string; title: string; comments: number }>(
        `SELECT id::text, title, comment_count AS comments FROM projects WHERE title LIKE 'Measured project%'`,
      )
    ).rows;
    const voter = (
      await cluster.sql.query<{ id: string }>(
        "SELECT user_id::text AS id FROM votes GROUP BY user_id ORDER BY count(*) DESC LIMIT 1",
      )
    ).rows[0]!.id;
    const token = cluster.users.find((u) => u.id === voter)!.token;
    const ok = async (path: string, t?: string) => {
      const res = await getJson(`${base}${path}`, t);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
      return res.body;
    };
    // Every kind of public read once, anonymous and signed in (sessions, own votes).
    const responses = new Map<string, number>();
    for (const p of measured) {
      // The bytes as sent (without compression), not re-serialised.
      const text = await (
        await fetch(`${base}/api/projects/${p.id}`, { headers: { "accept-encoding": "identity" } })
      ).text();
      responses.set(p.id, Buffer.byteLength(text));
      const body = JSON.parse(text);
      await ok(`/api/projects/${p.id}`, token);
      if (body.commentsCursor) await ok(`/api/projects/${p.id}/comments?before=${body.commentsCursor}&limit=50`);
    }
    for (const id of cluster.projectIds.slice(0, 40)) await ok(`/api/projects/${id}`);
    for (const sort of ["trending", "newest", "top"])
      for (const page of [1, 2, 3]) await ok(`/api/projects?sort=${sort}&page=${page}&pageSize=20`);
    await ok("/api/projects?following=true", token);
    await ok("/api/leaderboard");
    await ok("/api/tags");
    const owners = (
      await cluster.sql.query<{ id: string }>("SELECT DISTINCT owner_id::text AS id FROM projects LIMIT 20")
    ).rows;
    for (const o of owners) await ok(`/api/users/${o.id}`);
    await ok("/api/me", token);

    const sizes = await measureEntries(cluster.redisUrl, cluster.prefix);
    const details = measured
      .map((p) => {
        // What the page's entries hold: one `project:` entry (before), or its `summary:` (shared with
        // the feed) and `project-comments:` entries (after).
        const own = [...sizes].filter(([name]) =>
          [`project:${p.id}|`, `project-comments:${p.id}|`, `summary:${p.id}|`].some((n) => name.startsWith(n)),
        );
        return {
          comments: Number(p.comments),
          entries: own.map(([name]) => name.slice(0, name.indexOf(":"))),
          entryBytes: own.reduce((n, [, s]) => n + s.bytes, 0),
          redisBytes: own.reduce((n, [, s]) => n + s.memory, 0),
          responseBytes: responses.get(p.id) ?? 0,
        };
      })
      .sort((a, b) => a.comments - b.comments);
    // Per comment on the page: the largest page's bytes beyond the empty one's, over the comments it shows.
    const largest = measured.find((p) => Number(p.comments) === SIZES.at(-1))!;
    const shown = (await ok(`/api/projects/${largest.id}`)).comments.length as number;
    const empty = details[0]!;
    const big = details.at(-1)!;
    const perComment = {
      entryBytes: Math.round((big.entryBytes - empty.entryBytes) / shown),
      responseBytes: Math.round((big.responseBytes - empty.responseBytes) / shown),
    };
    const kinds = byKind(sizes);
    for (const d of details)
      progress(
        `entries: project detail with ${d.comments} comments: entries (${d.entries.join(" + ")}) ${d.entryBytes} B (Redis ${d.redisBytes} B), response ${d.responseBytes} B`,
      );
    for (const k of kinds)
      progress(
        `entries: ${k.kind}: ${k.entries} entries, ${k.bytesMean} B mean, ${k.bytesMax} B max (Redis ${k.redisBytesMean} B mean)`,
      );
    progress(
      `entries: per comment shown (${shown} of ${big.comments}): entry ${perComment.entryBytes} B, response ${perComment.responseBytes} B`,
    );
    return { projectDetail: details, threads: THREADS, shown, perComment, kinds };
  } finally {
    await cluster.stop();
  }
}
