/**
 * The app as the e2e suite runs it: server mode (PostgreSQL + Redis), real
 * processes started exactly like `npm start` starts the server, on free ports,
 * against a database of the run's own. Shared by global setup (the two
 * instances every spec uses) and by specs that need an instance of their own
 * to stop and restart.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { clearRedisPrefix, freePort } from "../../server/test/redis-server.js";

export { clearRedisPrefix, freePort };

export const ROOT = join(import.meta.dirname, "..", "..");
export const ARTIFACTS = join(ROOT, "e2e", "artifacts");
const ADMIN_DATABASE_URL = process.env.E2E_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** What workers need to reach the app; global setup passes it in `process.env.ZS_E2E`. */
export interface AppEnv {
  urls: string[];
  databaseUrl: string;
  databaseName: string;
  redisUrl: string;
  redisKeyPrefix: string;
  jwtSecret: string;
  /** Emails that become admins on signup, one per parallel worker slot. */
  adminEmails: string[];
}

export function readAppEnv(): AppEnv {
  const raw = process.env.ZS_E2E;
  if (!raw)
    throw new Error("ZS_E2E is not set: run the suite through `npm run test:e2e` (global setup starts the app)");
  return JSON.parse(raw) as AppEnv;
}

export async function createDatabase(): Promise<{ url: string; name: string }> {
  const name = `zs_e2e_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

export async function dropDatabase(name: string) {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Builds web/dist when it is missing or older than its sources, as `npm start` does (scripts/build-web.mjs). */
export function buildWebIfNeeded() {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/build-web.mjs"), "--if-stale"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("the web build failed");
}

/** Compiles the server into dist/server when it is missing or older than its sources, as `npm start` does. */
export function buildServerIfNeeded() {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/build-server.mjs"), "--if-stale"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("the server build failed");
}

export async function waitHealthy(url: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok && ((await r.json()) as { status: string }).status === "ok") return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs} ms`);
}

/**
 * One app process on a fixed port. `stop()` sends SIGTERM and resolves with
 * the exit code (the SPEC's drain exits 0); `start()` brings it back on the
 * same port. Logs go to e2e/artifacts/logs/<name>.log.
 */
export class AppInstance {
  private child: ChildProcess | null = null;
  readonly url: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: AppEnv,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start() {
    if (this.running) return;
    mkdirSync(join(ARTIFACTS, "logs"), { recursive: true });
    const log = createWriteStream(join(ARTIFACTS, "logs", `${this.name}.log`), { flags: "a" });
    buildServerIfNeeded();
    // Plain `node` on the compiled server, as `npm start` runs it: this pid owns the server, so SIGTERM reaches it.
    const child = spawn(process.execPath, ["dist/server/server.js"], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: this.env.databaseUrl,
        REDIS_URL: this.env.redisUrl,
        REDIS_KEY_PREFIX: this.env.redisKeyPrefix,
        JWT_SECRET: this.env.jwtSecret,
        ADMIN_EMAILS: this.env.adminEmails.join(","),
        PORT: String(this.port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        INSTANCE_ID: this.name,
        // Every spec signs people up from 127.0.0.1, past the per-address signup limit by design.
        RATE_LIMITS: "off",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`${this.name} exited with ${code} while starting; see its log`))),
    );
    exited.catch(() => {});
    await Promise.race([waitHealthy(this.url), exited]);
  }

  /** SIGTERM, then the exit code (SIGKILL after `graceMs` if it does not drain). */
  async stop(graceMs = 15_000): Promise<number | null> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    const code = new Promise<number | null>((resolve) => c.once("exit", (code) => resolve(code)));
    c.kill("SIGTERM");
    const timer = setTimeout(() => c.kill("SIGKILL"), graceMs);
    const result = await code;
    clearTimeout(timer);
    this.child = null;
    return result;
  }
}
