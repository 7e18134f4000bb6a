/**
 * Read latency and throughput with and without the read-through cache, per
 * endpoint: project detail (anonymous and signed in), feed pages and the
 * leaderboard. One app instance in server mode on a realistic data set, the
 * cache warmed, then `concurrency` requests in flight over keep-alive sockets;
 * the same again with CACHE_DISABLED.
 */
import http from "node:http";
import type pg from "pg";
import { hashPassword } from "../../server/src/modules/auth/passwords.js";
import { startCluster } from "../lib/cluster.js";
import { progress } from "../lib/log.js";

const DATA = { users: 50, projects: 200 };
const WARMUP_SECONDS = 0.5;

/** Fills the database in a few set-based statements; the triggers keep every counter exact. */
export async function richFill(sql: pg.Client) {
  const hash = await hashPassword("bench-password");
  await sql.query("SELECT setseed(0.42)");
  await sql.query(
    `INSERT INTO users (email, password_hash, name, bio, created_at)
     SELECT 'maker' || i || '@bench.test', $1, 'Maker ' || i, 'Builds things, mostly on weekends. Maker number ' || i || '.',
            now() - (60 - i) * interval '1 day'
       FROM generate_series(1, $2::int) i`,
    [hash, DATA.users],
  );
  await sql.query(
    `WITH u AS (SELECT array_agg(id ORDER BY email) AS ids FROM users)
     INSERT INTO projects (owner_id, title, description, url, tags, created_at)
     SELECT u.ids[1 + (i % $2::int)], 'Project ' || i || ': ' || (ARRAY['Realtime', 'Tiny', 'Open', 'Pocket', 'Quiet'])[1 + i % 5]
              || ' ' || (ARRAY['dashboard', 'compiler', 'garden', 'notebook', 'radio', 'map'])[1 + i % 6],
            repeat('A small tool that does one thing well and shows its work. ', 4 + i % 12),
            'https://example.com/projects/' || i,
            ARRAY['tag' || (i % 7), 'topic' || (i % 11)],
            now() - random() * interval '30 days'
       FROM generate_series(1, $1::int) i, u`,
    [DATA.projects, DATA.users],
  );
  await sql.query(
    `INSERT INTO votes (project_id, user_id, value)
     SELECT p.id, u.id, CASE WHEN random() < 0.85 THEN 1 ELSE -1 END
       FROM projects p CROSS JOIN users u WHERE random() < 0.3`,
  );
  await sql.query(
    `WITH u AS (SELECT array_agg(id ORDER BY email) AS ids FROM users)
     INSERT INTO comments (project_id, author_id, body, created_at)
     SELECT p.id, u.ids[1 + floor(random() * $1::int)::int],
            'Comment ' || g || ' on this one: nice work, how did you handle the edge cases?',
            p.created_at + random() * (now() - p.created_at)
       FROM projects p CROSS JOIN generate_series(1, 10) g, u WHERE random() < 0.6`,
    [DATA.users],
  );
  await sql.query(
    `WITH u AS (SELECT array_agg(id ORDER BY email) AS ids FROM users)
     INSERT INTO comments (project_id, author_id, parent_id, body, created_at)
     SELECT c.project_id, u.ids[1 + floor(random() * $1::int)::int], c.id, 'A reply: thanks, good question.',
            c.created_at + interval '1 minute'
       FROM comments c, u WHERE random() < 0.35`,
    [DATA.users],
  );
  await sql.query(
    `INSERT INTO comment_votes (comment_id, user_id, value)
     SELECT c.id, u.id, CASE WHEN random() < 0.8 THEN 1 ELSE -1 END
       FROM comments c CROSS JOIN users u WHERE random() < 0.08`,
  );
  await sql.query(
    `INSERT INTO badges (project_id, kind)
     SELECT id, (ARRAY['winner', 'runner_up', 'staff_pick', 'best_design', 'most_technical']::badge_kind[])[1 + n % 5]
       FROM (SELECT id, row_number() OVER (ORDER BY score DESC, id) AS n FROM projects) ranked WHERE n <= 25`,
  );
  await sql.query("ANALYZE");
  const counts = await sql.query(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM projects)::int AS projects,
            (SELECT count(*) FROM votes)::int AS votes, (SELECT count(*) FROM comments)::int AS comments,
            (SELECT count(*) FROM comment_votes)::int AS "commentVotes", (SELECT count(*) FROM badges)::int AS badges`,
  );
  return counts.rows[0] as Record<string, number>;
}

let agent = new http.Agent({ keepAlive: true });

function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

interface Scenario {
  name: string;
  /** The path of the i-th request. */
  path: (i: number) => string;
  token?: string;
}

interface Result {
  scenario: string;
  cache: "on" | "off";
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Mean response body size. */
  bytes: number;
}

let SECONDS = 4;
let CONCURRENCY = 32;

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;
const round = (n: number) => Math.round(n * 100) / 100;

/** `CONCURRENCY` workers, each sending its next request when the last one answered, for `seconds`. */
async function load(base: string, s: Scenario, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const i = next++;
      const start = performance.now();
      const res = await get(base + s.path(i), s.token).catch(() => ({ status: 0, body: "" }));
      latencies.push(performance.now() - start);
      bytes += res.body.length;
      if (res.status !== 200) errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, errors, bytes, elapsed: (performance.now() - started) / 1000 };
}

async function measure(base: string, s: Scenario, cache: "on" | "off"): Promise<Result> {
  await load(base, s, WARMUP_SECONDS);
  const { latencies, errors, bytes, elapsed } = await load(base, s, SECONDS);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    scenario: s.name,
    cache,
    requests: sorted.length,
    errors,
    seconds: round(elapsed),
    rps: Math.round(sorted.length / elapsed),
    p50: round(quantile(sorted, 0.5)),
    p90: round(quantile(sorted, 0.9)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
    bytes: Math.round(bytes / (sorted.length || 1)),
  };
}

export async function readLatency(opts: { seconds: number; concurrency: number }) {
  SECONDS = opts.seconds;
  CONCURRENCY = opts.concurrency;
  agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });
  const results: Result[] = [];
  try {
    for (const cache of ["on", "off"] as const) {
      progress(`reads: starting the app (cache ${cache}) on ${DATA.projects} projects, ${DATA.users} users`);
      const cluster = await startCluster({
        instances: 1,
        fill: richFill,
        env: { CACHE_DISABLED: cache === "off" ? "true" : "false" },
      });
      try {
        const base = cluster.instances[0]!.url;
        const projectIds = cluster.projectIds;
        // The signed-in reader is the user with the most votes (myVote varies per page).
        const voterId = (
          await cluster.sql.query(
            "SELECT user_id::text AS id FROM votes GROUP BY user_id ORDER BY count(*) DESC LIMIT 1",
          )
        ).rows[0].id as string;
        const token = cluster.users.find((u) => u.id === voterId)!.token;
        const feedPaths = ["trending", "newest", "top"].flatMap((sort) =>
          [1, 2, 3, 4, 5].map((page) => `/api/projects?sort=${sort}&page=${page}&pageSize=20`),
        );
        const scenarios: Scenario[] = [
          {
            name: "project detail (anonymous)",
            path: (i) => `/api/projects/${projectIds[(i * 7919) % projectIds.length]}`,
          },
          {
            name: "project detail (signed in, with myVote)",
            path: (i) => `/api/projects/${projectIds[(i * 7919) % projectIds.length]}`,
            token,
          },
          { name: "feed page (3 sorts x 5 pages)", path: (i) => feedPaths[i % feedPaths.length]! },
          { name: "leaderboard", path: () => "/api/leaderboard" },
        ];
        // Warm: every project page, feed page and the leaderboard once.
        for (const p of [...projectIds.map((id) => `/api/projects/${id}`), ...feedPaths, "/api/leaderboard"]) {
          const res = await get(base + p);
          if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${res.body.slice(0, 200)}`);
        }
        for (const s of scenarios) {
          const r = await measure(base, s, cache);
          results.push(r);
          progress(`reads: ${s.name}, cache ${cache}: p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.rps} req/s`);
        }
      } finally {
        await cluster.stop();
      }
    }
  } finally {
    agent.destroy();
  }
  const byScenario = [...new Set(results.map((r) => r.scenario))].map((scenario) => {
    const on = results.find((r) => r.scenario === scenario && r.cache === "on")!;
    const off = results.find((r) => r.scenario === scenario && r.cache === "off")!;
    return { scenario, cached: on, uncached: off, speedup: Math.round((on.rps / off.rps) * 10) / 10 };
  });
  return { concurrency: CONCURRENCY, secondsPerScenario: SECONDS, data: DATA, scenarios: byScenario };
}
