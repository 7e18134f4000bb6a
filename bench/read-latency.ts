/**
 * Read latency with and without the read-through cache.
 *
 *   node --import tsx bench/read-latency.ts
 *
 * Creates a PostgreSQL database of its own (migrated, filled with 50 users,
 * 200 projects, votes, threaded comments, comment votes and badges), starts the
 * app in server mode as a separate process (`server/src/server.ts`, as
 * `npm start` runs it) against it and Redis, warms the cache, then fires
 * concurrent GETs over keep-alive sockets at project detail (anonymous and
 * signed in), feed pages and the leaderboard. Then the same with
 * CACHE_DISABLED=true. Prints p50/p99 and requests/s, writes
 * bench/results/read-latency-<date>.json, and removes the database and its
 * Redis keys.
 *
 * Env: BENCH_DATABASE_URL (an admin connection, default the local postgres),
 * BENCH_REDIS_URL, BENCH_SECONDS (per scenario, default 4), BENCH_CONCURRENCY
 * (requests in flight, default 32).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import http from "node:http";
import { createServer } from "node:net";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { migrate } from "../server/src/db/migrate.js";
import { withRawPostgres } from "../server/src/db/postgres.js";
import { hashPassword } from "../server/src/modules/auth/passwords.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WARMUP_SECONDS = 0.5;
const DATA = { users: 50, projects: 200 };
const PASSWORD = "bench-password";
const JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

const t0 = Date.now();
const log = (msg: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------

/** Fills the database in a few set-based statements; the triggers keep every counter exact. */
async function seed(sql: pg.Client) {
  const hash = await hashPassword(PASSWORD);
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

// ---------------------------------------------------------------------------
// The app, as its own process
// ---------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Server {
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(databaseUrl: string, prefix: string, cacheDisabled: boolean): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server/src/server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      JWT_SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      REDIS_KEY_PREFIX: prefix,
      CACHE_DISABLED: cacheDisabled ? "true" : "false",
      NODE_ENV: "production",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} while starting`);
    const health = await get(`${base}/api/health`).catch(() => null);
    if (health?.status === 200) break;
    if (Date.now() > deadline) throw new Error("the app did not become healthy within 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    child,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------
// HTTP load
// ---------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });

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

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  const name = `zs_bench_read_${Date.now().toString(36)}_${randomUUID().slice(0, 4)}`;
  const prefix = `zsbench:${randomUUID().slice(0, 8)}:`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const sql = new pg.Client({ connectionString: databaseUrl });
  const results: Result[] = [];
  // The machine may be shared: the load average before and after says how quiet it was.
  const loadBefore = loadavg().map(round);
  let server: Server | null = null;
  try {
    log(`database ${name}: migrating`);
    await withRawPostgres(databaseUrl, (raw) => migrate(raw));
    await sql.connect();
    log("seeding");
    const data = await seed(sql);
    log(
      `seeded ${Object.entries(data)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`,
    );
    const projectIds = (await sql.query("SELECT id::text FROM projects ORDER BY id")).rows.map((r) => r.id as string);
    const voter = (
      await sql.query(
        "SELECT u.email FROM users u JOIN votes v ON v.user_id = u.id GROUP BY u.email ORDER BY count(*) DESC LIMIT 1",
      )
    ).rows[0].email as string;

    const feedPaths = ["trending", "newest", "top"].flatMap((sort) =>
      [1, 2, 3, 4, 5].map((page) => `/api/projects?sort=${sort}&page=${page}&pageSize=20`),
    );
    const scenarios = (token: string): Scenario[] => [
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

    for (const cache of ["on", "off"] as const) {
      log(`starting the app (server mode, cache ${cache})`);
      server = await startServer(databaseUrl, prefix, cache === "off");
      const login = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          `${server!.base}/api/auth/login`,
          { method: "POST", agent, headers: { "content-type": "application/json" } },
          (res) => {
            let body = "";
            res.on("data", (c) => {
              body += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ email: voter, password: PASSWORD }));
      });
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.body}`);
      const token = JSON.parse(login.body).token as string;
      log("warming: every project page, feed page and the leaderboard once");
      for (const p of [...projectIds.map((id) => `/api/projects/${id}`), ...feedPaths, "/api/leaderboard"]) {
        const res = await get(server.base + p);
        if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${res.body.slice(0, 200)}`);
      }
      for (const s of scenarios(token)) {
        log(`${s.name}, cache ${cache}: ${CONCURRENCY} in flight for ${SECONDS} s`);
        const r = await measure(server.base, s, cache);
        results.push(r);
        log(
          `  p50 ${r.p50} ms  p99 ${r.p99} ms  ${r.rps} req/s  (${r.requests} requests${r.errors ? `, ${r.errors} errors` : ""})`,
        );
      }
      await server.stop();
      server = null;
    }

    printTable(results);
    const date = new Date().toISOString().replace(/:/g, "-").replace(/\..*/, "");
    const out = `${ROOT}bench/results/read-latency-${date}.json`;
    await mkdir(`${ROOT}bench/results`, { recursive: true });
    await writeFile(
      out,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: {
            cpus: cpus().length,
            cpu: cpus()[0]?.model,
            memoryGb: round(totalmem() / 2 ** 30),
            node: process.version,
            loadAverage: { before: loadBefore, after: loadavg().map(round) },
          },
          settings: {
            concurrency: CONCURRENCY,
            secondsPerScenario: SECONDS,
            warmupSeconds: WARMUP_SECONDS,
            keepAlive: true,
          },
          data,
          results,
        },
        null,
        2,
      )}\n`,
    );
    log(`wrote ${out.slice(ROOT.length)}`);
  } finally {
    await server?.stop().catch(() => {});
    agent.destroy();
    await sql.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
    await admin.end();
    await clearPrefix(prefix);
  }
}

function printTable(results: Result[]) {
  const rows = [...new Set(results.map((r) => r.scenario))].map((scenario) => {
    const on = results.find((r) => r.scenario === scenario && r.cache === "on")!;
    const off = results.find((r) => r.scenario === scenario && r.cache === "off")!;
    return [
      scenario.padEnd(40),
      `${on.p50}/${on.p99}`.padStart(14),
      `${off.p50}/${off.p99}`.padStart(14),
      String(on.rps).padStart(8),
      String(off.rps).padStart(8),
      `${(on.rps / off.rps).toFixed(1)}x`.padStart(7),
    ].join(" ");
  });
  const header = [
    "".padEnd(40),
    "cached p50/p99".padStart(14),
    "uncached".padStart(14),
    "req/s".padStart(8),
    "uncached".padStart(8),
    "gain".padStart(7),
  ].join(" ");
  process.stdout.write(`\n${header}\n${rows.join("\n")}\n(latencies in ms, ${CONCURRENCY} requests in flight)\n\n`);
}

async function clearPrefix(prefix: string) {
  const r = new Redis(REDIS_URL, { lazyConnect: true });
  try {
    await r.connect();
    let cursor = "0";
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== "0");
  } finally {
    r.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
