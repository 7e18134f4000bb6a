/**
 * Soak (issue 9): writes at a steady rate through two instances for minutes
 * (comments, vote toggles, project edits, comment votes), readers on both
 * (feed pages, project pages anonymous and signed in, profiles, the
 * leaderboard), and Redis (a server of the run's own, so its memory is ours
 * alone) sampled all along: `used_memory`, the number of keys, and what they
 * are. The question is whether memory tracks live data (flat once warm) or
 * writes × TTL: every write moves generations, so without the fill script's
 * deletion of the entry a new one supersedes, each write would leave a dead
 * entry behind for the TTL.
 */
import { Redis } from "ioredis";
import { startOwnRedis } from "../../server/test/redis-server.js";
import { type Cluster, startCluster } from "../lib/cluster.js";
import { counter, getJson } from "../lib/http.js";
import { progress } from "../lib/log.js";
import { now } from "../lib/stats.js";

export interface SoakOptions {
  seconds: number;
  /** Writes per second, over both instances. */
  rate: number;
  sampleEveryMs: number;
  /** Readers in a closed loop. */
  readers: number;
}

interface Sample {
  t: number;
  usedMemory: number;
  dataset: number;
  keys: number;
  /** Cache entries (values), and their bytes. */
  entries: number;
  entryBytes: number;
  /** Entries still held after a newer one of the same name was stored (the `|^` pointer names another). */
  superseded: number;
  generations: number;
  /** Exactly-once marks of published envelopes (2 min TTL each, ADR 014). */
  marks: number;
  other: number;
}

export async function soak(opts: SoakOptions) {
  const redis = await startOwnRedis();
  const cluster = await startCluster({ redisUrl: redis.url, users: 300, projects: 50 });
  try {
    return await run(cluster, opts);
  } finally {
    await cluster.stop();
    await redis.stop();
  }
}

/** Every key of the run, classified (SCAN: a few milliseconds per thousand keys). */
async function sample(r: Redis, prefix: string, t: number): Promise<Sample & { names: Map<string, number> }> {
  const info = await r.info("memory");
  const num = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, "m").exec(info)?.[1] ?? 0);
  const entries: string[] = [];
  const pointers: string[] = [];
  const s = { generations: 0, marks: 0, other: 0, keys: 0 };
  let cursor = "0";
  do {
    const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 2000);
    cursor = next;
    for (const k of keys) {
      s.keys++;
      const key = k.slice(prefix.length);
      if (key.startsWith("c:")) {
        if (key.endsWith("|^")) pointers.push(k);
        else if (!key.endsWith(":lease")) entries.push(k);
        else s.other++;
      } else if (key.startsWith("g:")) s.generations++;
      else if (key.startsWith("o:")) s.marks++;
      else s.other++;
    }
  } while (cursor !== "0");
  const pipe = r.pipeline();
  for (const k of entries) pipe.strlen(k);
  for (const k of pointers) pipe.get(k);
  const out = ((await pipe.exec()) ?? []).map(([, v]) => v);
  const entryBytes = out.slice(0, entries.length).reduce<number>((a, n) => a + Number(n), 0);
  const newest = new Set(out.slice(entries.length) as string[]);
  // Entries per name (the part before `|generations`), to find names holding more than one.
  const names = new Map<string, number>();
  for (const k of entries) {
    const name = k.slice(prefix.length + 2, k.lastIndexOf("|"));
    names.set(name, (names.get(name) ?? 0) + 1);
  }
  return {
    t,
    usedMemory: num("used_memory"),
    dataset: num("used_memory_dataset"),
    keys: s.keys,
    entries: entries.length,
    entryBytes,
    superseded: entries.filter((k) => !newest.has(k)).length,
    generations: s.generations,
    marks: s.marks,
    other: s.other,
    names,
  };
}

async function run(cluster: Cluster, opts: SoakOptions) {
  const urls = cluster.instances.map((i) => i.url);
  const projects = cluster.projectIds;
  const owners = new Map(
    (
      await cluster.sql.query<{ id: string; owner: string }>(`SELECT id::text, owner_id::text AS owner FROM projects`)
    ).rows.map((r) => [r.id, r.owner]),
  );
  const tokenOf = new Map(cluster.users.map((u) => [u.id, u.token]));
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const r = new Redis(cluster.redisUrl);
  // Start from a settled state: the fill's own changes (a bulk write from outside the API) completed.
  for (let t = 0; t < 30_000; t += 200) {
    const left = await cluster.sql.query("SELECT count(*)::int AS n FROM zerostale_outbox");
    if (!Number(left.rows[0].n)) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  await new Promise((res) => setTimeout(res, 500));
  const started = now();
  const deadline = started + opts.seconds * 1000;
  progress(
    `soak: ${opts.seconds}s, ${opts.rate} writes/s through ${urls.length} instances, ${opts.readers} readers, Redis sampled every ${opts.sampleEveryMs / 1000}s`,
  );
  const fillsAt = async () =>
    (await counter(urls, "zs_cache_requests_total", { result: "miss" })) +
    (await counter(urls, "zs_cache_refreshes_total"));
  const fillsBefore = await fillsAt();

  // Writes: comments 40 %, vote toggles 30 %, project edits 20 %, comment votes 10 %.
  let writes = 0;
  let failed = 0;
  let edits = 0;
  const comments: string[] = [];
  const writer = (async () => {
    const inflight = new Set<Promise<void>>();
    for (let i = 0; now() < deadline; i++) {
      const wait = started + (i * 1000) / opts.rate - now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const base = urls[i % urls.length]!;
      const p = pick(projects);
      const user = pick(cluster.users);
      const k = i % 10;
      const req: [string, string, string, unknown?] =
        k < 4
          ? ["POST", `/api/projects/${p}/comments`, user.token, { body: `soak comment ${i}` }]
          : k < 7
            ? ["POST", `/api/projects/${p}/${i % 2 ? "upvote" : "downvote"}`, user.token]
            : k < 9
              ? [
                  "PATCH",
                  `/api/projects/${p}`,
                  tokenOf.get(owners.get(p)!)!,
                  { title: `Soak project, edit ${edits++}` },
                ]
              : comments.length
                ? ["POST", `/api/comments/${pick(comments)}/vote`, user.token, { value: i % 3 ? 1 : -1 }]
                : ["POST", `/api/projects/${p}/upvote`, user.token];
      const done = fetch(`${base}${req[1]}`, {
        method: req[0],
        headers: {
          authorization: `Bearer ${req[2]}`,
          ...(req[3] === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(req[3] === undefined ? {} : { body: JSON.stringify(req[3]) }),
      })
        .then(async (res) => {
          const body = await res.text();
          if (!res.ok) return void failed++;
          writes++;
          if (k < 4 && comments.length < 5000) comments.push(JSON.parse(body).id);
        })
        .catch(() => void failed++)
        .finally(() => inflight.delete(done));
      inflight.add(done);
    }
    await Promise.all(inflight);
  })();

  // Readers: what pages show, anonymous and (a quarter of the project pages) signed in.
  let reads = 0;
  let readErrors = 0;
  const readers = Array.from({ length: opts.readers }, async (_, w) => {
    for (let i = 0; now() < deadline; i++) {
      const base = urls[(w + i) % urls.length]!;
      const k = i % 10;
      const p = pick(projects);
      const [path, token] =
        k < 4
          ? [`/api/projects/${p}`, undefined]
          : k < 6
            ? [`/api/projects/${p}`, pick(cluster.users.slice(0, 40)).token]
            : k < 8
              ? [`/api/projects?sort=${pick(["trending", "newest", "top"])}&page=${1 + (i % 3)}&pageSize=20`, undefined]
              : k < 9
                ? [`/api/users/${owners.get(p)}`, undefined]
                : ["/api/leaderboard", undefined];
      try {
        const res = await getJson(`${base}${path}`, token);
        if (res.status === 200) reads++;
        else readErrors++;
      } catch {
        readErrors++;
      }
    }
  });

  const samples: Sample[] = [];
  let maxPerName = 0;
  const sampler = (async () => {
    for (let next = started; now() < deadline; next += opts.sampleEveryMs) {
      const wait = next - now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const { names, ...s } = await sample(r, cluster.prefix, Math.round((now() - started) / 100) / 10);
      maxPerName = Math.max(maxPerName, ...names.values());
      samples.push(s);
      if (samples.length % Math.max(1, Math.round(30_000 / opts.sampleEveryMs)) === 1)
        progress(
          `soak ${s.t}s: used_memory ${(s.usedMemory / 2 ** 20).toFixed(2)} MiB, ${s.keys} keys (${s.entries} entries, ${s.superseded} superseded, ${s.generations} generations, ${s.marks} marks), ${writes} writes, ${reads} reads`,
        );
    }
  })();
  await writer;
  await Promise.all(readers);
  await sampler;
  const fills = (await fillsAt()) - fillsBefore;
  const last = await sample(r, cluster.prefix, Math.round((now() - started) / 100) / 10);
  r.disconnect();
  const { names, ...end } = last;
  samples.push(end);

  // Entries per live resource: the names that belong to one project, per project that exists.
  const live = Number((await cluster.sql.query("SELECT count(*)::int AS n FROM projects")).rows[0].n);
  const perProject: Record<string, number> = {};
  for (const [name, n] of names) {
    const kind = name.slice(0, name.indexOf(":"));
    if (["summary", "project-comments", "comments", "myvotes"].includes(kind))
      perProject[kind] = (perProject[kind] ?? 0) + n;
  }
  for (const k of Object.keys(perProject)) perProject[k] = Math.round((perProject[k]! / live) * 100) / 100;
  const meanEntry = end.entries ? end.entryBytes / end.entries : 0;
  // Warm once a fifth of the run has passed: from there, memory should move with live data only.
  const warm = samples.find((s) => s.t >= opts.seconds / 5) ?? samples[0]!;
  const mem = samples.map((s) => s.usedMemory);
  const result = {
    seconds: opts.seconds,
    rate: opts.rate,
    writes,
    writesFailed: failed,
    reads,
    readErrors,
    liveProjects: live,
    commentsWritten: comments.length,
    usedMemory: { start: samples[0]!.usedMemory, warm: warm.usedMemory, end: end.usedMemory, max: Math.max(...mem) },
    keys: {
      start: samples[0]!.keys,
      warm: warm.keys,
      end: end.keys,
      max: Math.max(...samples.map((s) => s.keys)),
    },
    entries: { warm: warm.entries, end: end.entries, bytesEnd: end.entryBytes, supersededEnd: end.superseded },
    /** The most entries one name held at any sample (1: each write's new entry replaced the old one). */
    maxEntriesPerName: Math.max(maxPerName, ...names.values()),
    entriesPerLiveProject: perProject,
    marksEnd: end.marks,
    generationsEnd: end.generations,
    /** Entries stored during the run, and what keeping each for the TTL would have held. */
    fills,
    writesTimesTtlBytes: Math.round(fills * meanEntry),
    samples,
  };
  progress(
    `soak: used_memory start ${mb(result.usedMemory.start)} / warm ${mb(result.usedMemory.warm)} / end ${mb(result.usedMemory.end)} / max ${mb(result.usedMemory.max)} MiB; keys ${result.keys.start} / ${result.keys.warm} / ${result.keys.end} / max ${result.keys.max}; ${end.entries} entries (${mb(end.entryBytes)} MiB) held of ${fills} stored (${mb(result.writesTimesTtlBytes)} MiB if each stayed for its TTL), at most ${result.maxEntriesPerName} per name; per live project ${JSON.stringify(perProject)}; ${end.marks} marks; ${writes} writes (${failed} failed), ${reads} reads (${readErrors} errors)`,
  );
  return result;
}

const mb = (b: number) => (b / 2 ** 20).toFixed(2);
