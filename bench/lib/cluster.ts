/**
 * Starts the app in server mode as the benchmarks need it: a fresh PostgreSQL
 * database (migrated, filled with bench data), Redis, and N app instances as
 * separate processes, exactly as `npm start` runs them. Everything it creates
 * is removed by `stop()`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { openSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { SignJWT } from "jose";
import pg from "pg";
import { migrate } from "../../server/src/db/migrate.js";
import { withRawPostgres } from "../../server/src/db/postgres.js";
import { hashPassword } from "../../server/src/modules/auth/passwords.js";
import { clearRedisPrefix, freePort } from "../../server/test/redis-server.js";
import { progress } from "./log.js";

export const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const DEFAULT_REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123";

export interface BenchUser {
  id: string;
  token: string;
}

export interface Instance {
  url: string;
  port: number;
  child: ChildProcess | null;
}

export interface Cluster {
  instances: Instance[];
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  sql: pg.Client;
  users: BenchUser[];
  projectIds: string[];
  /** SIGKILLs instance i (a crash, no drain). */
  kill(i: number): void;
  /** Starts instance i again on its port and waits until it is healthy. */
  start(i: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  instances?: number;
  redisUrl?: string;
  /** The PostgreSQL server to create the run's database on (default: ADMIN_DATABASE_URL). */
  adminDatabaseUrl?: string;
  /** Per-instance overrides of the environment (e.g. one instance reaching Redis through a proxy). */
  instanceEnv?: (i: number, urls: { databaseUrl: string; redisUrl: string }) => Record<string, string>;
  users?: number;
  projects?: number;
  /** Fills the database instead of the default bench data (users get sessions and tokens either way). */
  fill?: (sql: pg.Client) => Promise<unknown>;
  env?: Record<string, string>;
  /** Extra Node.js flags for the instances (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const name = `zs_bench_${Date.now().toString(36)}_${randomUUID().slice(0, 4)}`;
  if (spawnSync(process.execPath, ["scripts/build-server.mjs", "--if-stale"], { stdio: "inherit" }).status !== 0)
    throw new Error("the server build failed");
  const adminUrl = opts.adminDatabaseUrl ?? ADMIN_DATABASE_URL;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await withRawPostgres(databaseUrl, (raw) => migrate(raw));
  const sql = new pg.Client({ connectionString: databaseUrl });
  // A scenario may restart the PostgreSQL server: a dropped connection must not take the run down.
  sql.on("error", (err) => progress(`cluster: the bench's database connection failed (${err.message})`));
  await sql.connect();
  if (opts.fill) await opts.fill(sql);
  else await fill(sql, opts.users ?? 200, opts.projects ?? 50);
  const users = await mintTokens(sql);
  const projectIds = (
    await sql.query<{ id: string }>("SELECT id::text FROM projects ORDER BY created_at DESC, id")
  ).rows.map((r) => r.id);

  const redisUrl = opts.redisUrl ?? DEFAULT_REDIS_URL;
  const prefix = `zsb:${name}:`;
  const instances: Instance[] = [];
  for (let i = 0; i < (opts.instances ?? 2); i++) {
    const port = await freePort();
    instances.push({ url: `http://127.0.0.1:${port}`, port, child: null });
  }
  const env = (i: number) => ({
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_SECRET,
    PORT: String(instances[i]!.port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    REDIS_KEY_PREFIX: prefix,
    INSTANCE_ID: `bench-${i}`,
    // Load generators act as thousands of users from one address: past any abuse limit by design.
    RATE_LIMITS: "off",
    ...opts.env,
    ...opts.instanceEnv?.(i, { databaseUrl, redisUrl }),
  });
  const start = async (i: number) => {
    const inst = instances[i]!;
    // Warnings and errors of each instance go to bench/results/logs/ (pino writes to stdout).
    await mkdir("bench/results/logs", { recursive: true });
    const log = openSync(`bench/results/logs/${name}-instance-${i}.log`, "a");
    // The compiled server under plain node, as `npm start` and the production image run it.
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), "dist/server/server.js"], {
      env: env(i),
      stdio: ["ignore", log, log],
    });
    inst.child = child;
    child.once("exit", () => {
      if (inst.child === child) inst.child = null;
    });
    await waitHealthy(inst.url);
  };
  const stop = async () => {
    await Promise.all(
      instances.map(
        (inst) =>
          new Promise<void>((resolve) => {
            const c = inst.child;
            if (!c || c.exitCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
            setTimeout(() => c.kill("SIGKILL"), 10_000).unref();
          }),
      ),
    );
    // (A connection a restart of PostgreSQL broke may never answer its goodbye.)
    await Promise.race([sql.end().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await a.end();
    await clearRedisPrefix(redisUrl, prefix);
  };
  try {
    await Promise.all(instances.map((_, i) => start(i)));
  } catch (err) {
    await stop().catch(() => {}); // nothing left behind when an instance does not come up
    throw err;
  }
  progress(`cluster up: ${instances.length} instances on ${instances.map((i) => i.port).join(", ")}, database ${name}`);

  return {
    instances,
    databaseUrl,
    redisUrl,
    prefix,
    sql,
    users,
    projectIds,
    kill: (i) => instances[i]!.child?.kill("SIGKILL"),
    start,
    stop,
  };
}

export async function waitHealthy(base: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok && (await r.json()).status === "ok") return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} did not become healthy`);
}

/** The default bench data, inserted in bulk (the triggers keep every counter exact). */
async function fill(sql: pg.Client, userCount: number, projectCount: number) {
  const hash = await hashPassword("bench-password");
  const users = (
    await sql.query<{ id: string }>(
      `INSERT INTO users (email, password_hash, name)
       SELECT 'bench' || g || '@example.test', $1, 'Bench User ' || g FROM generate_series(1, $2) g RETURNING id::text`,
      [hash, userCount],
    )
  ).rows.map((r) => r.id);
  const projectIds = (
    await sql.query<{ id: string }>(
      `INSERT INTO projects (owner_id, title, description, tags, created_at)
       SELECT ($1::uuid[])[1 + (g % array_length($1::uuid[], 1))], 'Bench project ' || g,
              'A project made for the benchmark, with a description of a realistic length. ' || repeat('Lorem ipsum dolor sit amet. ', 8),
              ARRAY['bench', 'tag' || (g % 7)], now() - (g || ' hours')::interval
       FROM generate_series(1, $2) g RETURNING id::text`,
      [users, projectCount],
    )
  ).rows.map((r) => r.id);
  // A few votes and comments so pages look like real ones.
  await sql.query(
    `INSERT INTO votes (project_id, user_id, value)
     SELECT p, u, CASE WHEN random() < 0.8 THEN 1 ELSE -1 END
       FROM unnest($1::uuid[]) p, unnest($2::uuid[]) u WHERE random() < 0.1`,
    [projectIds, users.slice(0, 100)],
  );
  await sql.query(
    `INSERT INTO comments (project_id, author_id, body)
     SELECT p, ($2::uuid[])[1 + floor(random() * array_length($2::uuid[], 1))::int], 'A thoughtful bench comment.'
       FROM unnest($1::uuid[]) p, generate_series(1, 5)`,
    [projectIds, users],
  );
}

/**
 * A session and a token for every user. Tokens are minted for sessions
 * inserted here (the bench knows JWT_SECRET), which spares a password hash per login.
 */
async function mintTokens(sql: pg.Client): Promise<BenchUser[]> {
  const key = new TextEncoder().encode(JWT_SECRET);
  const exp = Math.floor(Date.now() / 1000) + 24 * 3600;
  const sessions = (
    await sql.query<{ id: string; user_id: string }>(
      `INSERT INTO sessions (user_id, expires_at) SELECT id, now() + interval '1 day' FROM users ORDER BY created_at, id
       RETURNING id::text, user_id::text`,
    )
  ).rows;
  return Promise.all(
    sessions.map(async (s) => ({
      id: s.user_id,
      token: await new SignJWT({ sid: s.id })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(s.user_id)
        .setExpirationTime(exp)
        .sign(key),
    })),
  );
}
