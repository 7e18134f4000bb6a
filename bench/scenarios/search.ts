/**
 * Issue 11's scenarios.
 *
 * `search`: full-text search and tag pages on 10,000 projects, cold (each
 * query's first read, with empty project-summary caches) and warm (the same
 * queries again), with one request in flight (what a user waits) and with the
 * machine saturated (next to the plain feed under the same load), then under concurrent title edits with a checker: a stale
 * result is one that shows an older title version than an edit whose response
 * had already arrived when the search was sent (as the cache scenario checks).
 *
 * `follow-post`: a maker with N followers posts; how long until every
 * follower's notification row exists, and until every connected follower's
 * socket has its `notification:created`; the following feed's read latency
 * while that happens.
 */
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { hashPassword } from "../../server/src/modules/auth/passwords.js";
import type { Cluster } from "../lib/cluster.js";
import { getJson, send } from "../lib/http.js";
import { progress } from "../lib/log.js";
import { now, percentiles } from "../lib/stats.js";

/**
 * 1,000 made-up three-syllable words: each appears in a few hundred of the
 * 10,000 projects (a common word of a real catalogue), not in a quarter of
 * them (which would measure a stop word).
 */
const SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "ze"];
const WORDS = Array.from(
  { length: 1000 },
  (_, i) => `${SYLLABLES[i % 10]}${SYLLABLES[Math.floor(i / 10) % 10]}${SYLLABLES[Math.floor(i / 100) % 10]}n`,
);
const TAGS = Array.from({ length: 30 }, (_, i) => `topic${i}`);

/** 10,000 projects whose titles, descriptions and tags are drawn from a small vocabulary (many matches per word). */
export async function fillSearchData(sql: pg.Client, projects: number) {
  const hash = await hashPassword("bench-password");
  const users = (
    await sql.query<{ id: string }>(
      `INSERT INTO users (email, password_hash, name)
       SELECT 'search' || g || '@example.test', $1, 'Search User ' || g FROM generate_series(1, 100) g RETURNING id::text`,
      [hash],
    )
  ).rows.map((r) => r.id);
  await sql.query(
    `INSERT INTO projects (owner_id, title, description, tags, created_at)
     SELECT ($1::uuid[])[1 + (g % 100)],
            initcap(w[1 + (g * 7) % cardinality(w)]) || ' ' || w[1 + (g * 13) % cardinality(w)] || ' ' || g,
            (SELECT string_agg(w[1 + ((g * k * 31) % cardinality(w))], ' ') FROM generate_series(1, 12) k),
            ARRAY[($3::text[])[1 + g % 30], ($3::text[])[1 + (g * 11) % 30]],
            now() - (g || ' minutes')::interval
       FROM generate_series(1, $4) g, (SELECT $2::text[] AS w) v`,
    [users, WORDS, TAGS, projects],
  );
  await sql.query("ANALYZE projects");
}

export interface SearchOptions {
  queries: number;
  seconds: number;
  concurrency: number;
}

const VERSION = / · v(\d+)$/;

export async function searchBench(cluster: Cluster, opts: SearchOptions) {
  const urls = cluster.instances.map((i) => i.url);
  const total = Number((await cluster.sql.query("SELECT count(*)::int AS n FROM projects")).rows[0].n);
  const queries: string[] = [];
  for (let i = 0; i < opts.queries; i++) {
    const r = i % 4;
    const w = (k: number) => WORDS[(i * 7 + k * 3) % WORDS.length]!;
    queries.push(
      r === 0
        ? `q=${w(0)}`
        : r === 1
          ? `q=${w(0)}%20${w(1)}`
          : r === 2
            ? `tag=${TAGS[i % 30]}`
            : `q=${w(0)}&tag=${TAGS[i % 30]}`,
    );
  }
  const measure = async (label: string, list: string[], concurrency: number) => {
    const lat: number[] = [];
    let errors = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        while (next < list.length) {
          const q = list[next++]!;
          const t = now();
          const res = await getJson(`${urls[w % urls.length]}/api/projects?${q}`);
          lat.push(now() - t);
          if (res.status !== 200) errors++;
        }
      }),
    );
    const ms = percentiles(lat);
    progress(
      `search ${label}, ${concurrency} in flight: ${lat.length} reads on ${total} projects, p50 ${ms.p50} / p99 ${ms.p99} ms`,
    );
    return { reads: lat.length, concurrency, errors, ms };
  };
  // One request in flight is the latency a user sees (the target); `concurrency` in flight
  // saturates the two cores, where queueing dominates: the plain feed (cached order and
  // summaries) under the same load is the machine's baseline for it.
  // Cold: a query's first read, with the summaries of most of its results not cached yet.
  const half = Math.floor(queries.length / 2);
  const [alone, loaded] = [queries.slice(0, half), queries.slice(half)];
  const cold = await measure("cold", alone, 1);
  const warm = await measure("warm", alone, 1);
  const coldLoaded = await measure("cold", loaded, opts.concurrency);
  const warmLoaded = await measure("warm", loaded, opts.concurrency);
  const feed = Array.from({ length: half }, () => "sort=newest");
  const feedBaseline = await measure("baseline: the plain feed", feed, 1);
  const feedBaselineLoaded = await measure("baseline: the plain feed", feed, opts.concurrency);

  // Concurrent edits: writers rename projects that searches find (a version suffix in the title),
  // readers search for the words of those titles and check every result against what was committed.
  const owners = new Map(
    (
      await cluster.sql.query<{ id: string; owner: string; title: string }>(
        "SELECT id::text, owner_id::text AS owner, title FROM projects ORDER BY created_at DESC LIMIT 200",
      )
    ).rows.map((r) => [r.id, r]),
  );
  const tokens = new Map(cluster.users.map((u) => [u.id, u.token]));
  const ids = [...owners.keys()];
  const known = new Map(ids.map((id) => [id, -1]));
  const writing = new Set<string>();
  let stale = 0;
  let reads = 0;
  let writes = 0;
  let errors = 0;
  const staleExamples: string[] = [];
  const lat: number[] = [];
  const deadline = now() + opts.seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, w) => {
      while (now() < deadline) {
        const base = urls[(w + n++) % urls.length]!;
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        const row = owners.get(id)!;
        if (w % 4 === 0) {
          if (writing.has(id)) continue;
          writing.add(id);
          const v = known.get(id)! + 1;
          const status = await send("PATCH", `${base}/api/projects/${id}`, tokens.get(row.owner)!, {
            title: `${row.title.replace(VERSION, "")} · v${v}`,
          });
          writing.delete(id);
          if (status === 200) known.set(id, v);
          else errors++;
          writes++;
          continue;
        }
        const snapshot = new Map(known);
        // The title's own words: the project must be among the results, with its latest version.
        const words = row.title.split(" ").slice(0, 3).join(" ");
        const t = now();
        const res = await getJson(`${base}/api/projects?q=${encodeURIComponent(words)}&pageSize=50`);
        lat.push(now() - t);
        reads++;
        if (res.status !== 200) {
          errors++;
          continue;
        }
        const hit = (res.body.items as { id: string; title: string }[]).find((p) => p.id === id);
        const k = snapshot.get(id)!;
        const v = hit ? Number(VERSION.exec(hit.title)?.[1] ?? -1) : -2;
        if (hit === undefined || v < k) {
          stale++;
          if (staleExamples.length < 5) staleExamples.push(`${id}: ${hit ? `v${v}` : "missing"}, v${k} committed`);
        }
      }
    }),
  );
  const underEdits = { reads, writes, errors, ms: percentiles(lat), staleReads: stale, staleExamples };
  progress(
    `search under edits: ${reads} reads, ${writes} edits, p50 ${underEdits.ms.p50} / p99 ${underEdits.ms.p99} ms, stale ${stale}`,
  );
  return {
    projects: total,
    queries: queries.length,
    cold,
    warm,
    coldLoaded,
    warmLoaded,
    feedBaseline,
    feedBaselineLoaded,
    underEdits,
  };
}

export interface FollowPostOptions {
  followers: number;
  /** How many of the followers have a socket open (each subscribed to its own room). */
  connected: number;
  readers: number;
}

/** Adds `followers` users following one maker; returns the maker's id. */
export async function fillFollowers(sql: pg.Client, followers: number) {
  const hash = await hashPassword("bench-password");
  const maker = (
    await sql.query<{ id: string }>(
      `INSERT INTO users (email, password_hash, name) VALUES ('maker@example.test', $1, 'Popular Maker') RETURNING id::text`,
      [hash],
    )
  ).rows[0]!.id;
  await sql.query(
    `WITH f AS (INSERT INTO users (email, password_hash, name)
                SELECT 'fan' || g || '@example.test', $1, 'Fan ' || g FROM generate_series(1, $2) g RETURNING id)
     INSERT INTO follows (follower_id, followee_id) SELECT id, $3::uuid FROM f`,
    [hash, followers, maker],
  );
  // The maker and a few others have some projects already (the following feed has something to merge).
  await sql.query(
    `INSERT INTO projects (owner_id, title, description, tags)
     SELECT $1::uuid, 'Earlier work ' || g, 'An older project', ARRAY['bench'] FROM generate_series(1, 20) g`,
    [maker],
  );
  return maker;
}

export async function followPost(cluster: Cluster, maker: string, opts: FollowPostOptions) {
  const urls = cluster.instances.map((i) => i.url);
  const makerToken = cluster.users.find((u) => u.id === maker)!.token;
  const fans = cluster.users.filter((u) => u.id !== maker);
  const connected = fans.slice(0, opts.connected);
  const sockets: Socket[] = [];
  const got = new Map<string, number>();
  let projectId = "";
  progress(`follow-post: connecting ${connected.length} of ${fans.length} followers`);
  for (let i = 0; i < connected.length; i += 50)
    await Promise.all(
      connected.slice(i, i + 50).map(async (u, k) => {
        const s = io(urls[(i + k) % urls.length]!, {
          transports: ["websocket"],
          auth: { token: u.token },
          forceNew: true,
          reconnection: false,
        });
        sockets.push(s);
        s.on("notification:created", (e: { data: { userId: string; kind: string } }) => {
          if (e.data.kind === "new_project" && !got.has(e.data.userId)) got.set(e.data.userId, now());
        });
        await new Promise<void>((resolve, reject) => {
          s.once("connect", () => resolve());
          s.once("connect_error", reject);
        });
        const ack = await s.timeout(10_000).emitWithAck("subscribe", { room: `user:${u.id}` });
        if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
      }),
    );
  // Following-feed readers, before, during and after the post.
  const readLat: number[] = [];
  let readErrors = 0;
  let reading = true;
  const readers = Array.from({ length: opts.readers }, async (_, w) => {
    while (reading) {
      const u = fans[Math.floor(Math.random() * fans.length)]!;
      const t = now();
      const res = await getJson(`${urls[w % urls.length]}/api/projects?following=true`, u.token);
      readLat.push(now() - t);
      if (res.status !== 200) readErrors++;
    }
  });
  await new Promise((r) => setTimeout(r, 1000));
  const rowsClient = new pg.Client({ connectionString: cluster.databaseUrl });
  await rowsClient.connect();
  const t0 = now();
  const res = await fetch(`${urls[0]}/api/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${makerToken}`, "content-type": "application/json" },
    body: JSON.stringify({ title: "The big launch", description: "Everyone who follows me hears of it" }),
  });
  const responseMs = now() - t0;
  projectId = (await res.json()).id;
  let rowsMs = Number.NaN;
  for (;;) {
    const c = await rowsClient.query(
      "SELECT count(*)::int AS n FROM notifications WHERE project_id = $1 AND kind = 'new_project'",
      [projectId],
    );
    if (c.rows[0].n >= fans.length) {
      rowsMs = now() - t0;
      break;
    }
    if (now() - t0 > 30_000) break;
  }
  const deadline = now() + 30_000;
  while (got.size < connected.length && now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const eventsMs = got.size ? Math.max(...got.values()) - t0 : Number.NaN;
  const perFollower = percentiles([...got.values()].map((t) => t - t0));
  await new Promise((r) => setTimeout(r, 1000));
  reading = false;
  await Promise.all(readers);
  await rowsClient.end();
  for (const s of sockets) s.disconnect();
  const result = {
    followers: fans.length,
    connected: connected.length,
    responseMs: Math.round(responseMs * 10) / 10,
    allRowsMs: Math.round(rowsMs * 10) / 10,
    allEventsMs: Math.round(eventsMs * 10) / 10,
    eventMs: perFollower,
    eventsMissing: connected.length - got.size,
    followingFeedReads: readLat.length,
    followingFeedErrors: readErrors,
    followingFeedMs: percentiles(readLat),
  };
  progress(
    `follow-post: ${fans.length} followers, response ${result.responseMs} ms, all rows ${result.allRowsMs} ms, all ${connected.length} events ${result.allEventsMs} ms (missing ${result.eventsMissing}); following feed p50 ${result.followingFeedMs.p50} / p99 ${result.followingFeedMs.p99} ms`,
  );
  return result;
}
