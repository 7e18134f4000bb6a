/**
 * Integration test helpers: real PostgreSQL (a database per test file, cloned
 * from the migrated template), real Redis (a key prefix per app group), the
 * real app through `inject`, and real socket.io-client connections.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { AuthResponse } from "@shared/contracts/auth";
import type { Envelope, EventType } from "@shared/realtime/events";
import type { SessionEnded } from "@shared/realtime/socket-events";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import pg from "pg";
import { io as connect, type Socket } from "socket.io-client";
import { inject as provided } from "vitest";
import { buildApp } from "../src/app.js";
import { type Config, loadConfig } from "../src/config/env.js";
import { clearRedisPrefix, freePort } from "./redis-server.js";

export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret-123456";

/** A database of this test file's own, dropped by `drop()`. */
export async function createDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const admin = provided("adminDatabaseUrl");
  const name = `zs_test_${provided("testRun")}_${randomUUID().slice(0, 8)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  // CREATE DATABASE … TEMPLATE fails while another session uses the template: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await c.query(`CREATE DATABASE "${name}" TEMPLATE "${provided("templateDatabase")}"`);
      break;
    } catch (err) {
      if (attempt > 50 || !/being accessed by other users/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await d.end();
    },
  };
}

export function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({
      DATABASE_URL: databaseUrl,
      REDIS_URL: overrides.redisUrl ?? provided("redisUrl"),
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: "silent",
    }),
    redisKeyPrefix: `zst:${randomUUID().slice(0, 8)}:`,
    // Off by default, deliberately: a test file signs up dozens of users and writes
    // hundreds of rows from one address within seconds, past SPEC's per-hour limits
    // by design. The limit tests (plugins/limits.test.ts) turn them on; the login
    // limiter is on regardless (auth tests cover it).
    rateLimits: false,
    ...overrides,
  };
}

export interface TestContext {
  app: FastifyInstance;
  db: { url: string; name: string };
  config: Config;
  /** A direct connection to the test database, for assertions and "external" writes. */
  sql: pg.Client;
  close: () => Promise<void>;
}

/**
 * Builds the app in server mode against a fresh database and Redis. Pass
 * `share` to build a second instance on the same database and key prefix.
 */
export interface SetupOptions {
  config?: Partial<Config>;
  /** Another instance on this one's database and Redis key prefix (closing it keeps both). */
  share?: TestContext;
  listen?: boolean;
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

export async function setupApp(opts: SetupOptions = {}): Promise<TestContext> {
  const created = opts.share ? null : await createDatabase();
  const db = opts.share?.db ?? created!;
  const config = testConfig(db.url, {
    ...(opts.share ? { redisKeyPrefix: opts.share.config.redisKeyPrefix } : {}),
    ...opts.config,
  });
  // TEST_LOG=debug shows the app's logs (one line of JSON each) while a test runs.
  const logger = process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false;
  // validateResponses: every response the tests see is checked against its documented schema (ADR 018).
  const app = await buildApp({
    config,
    logger,
    web: false,
    validateResponses: true,
    ...(opts.onRoute && { onRoute: opts.onRoute }),
  });
  if (opts.listen) await app.listen({ port: 0, host: "127.0.0.1" });
  else await app.ready();
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  return {
    app,
    db,
    config,
    sql,
    close: async () => {
      await sql.end();
      await app.close();
      if (created) {
        await created.drop();
        await clearRedisPrefix(config.redisUrl, config.redisKeyPrefix);
      }
    },
  };
}

export const baseUrl = (app: FastifyInstance) => {
  const addr = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${addr.port}`;
};

type Json = Record<string, unknown> | unknown[] | string | number | boolean | null;

// biome-ignore lint/suspicious/noExplicitAny: tests read every response shape of the API loosely
type AnyJson = any;

/** `inject` with a JSON body and an optional bearer token; the body comes back parsed. */
export async function call(
  app: FastifyInstance,
  method: InjectOptions["method"],
  url: string,
  opts: { token?: string | undefined; body?: Json | undefined; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse & { json: () => AnyJson }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  return app.inject({
    method,
    url,
    headers,
    ...(opts.body !== undefined ? { payload: JSON.stringify(opts.body) } : {}),
  }) as never;
}

let counter = 0;
export interface TestUser {
  id: string;
  email: string;
  name: string;
  token: string;
  role: "user" | "admin";
}

export async function signup(
  app: FastifyInstance,
  overrides: { email?: string; name?: string; password?: string } = {},
): Promise<TestUser> {
  const n = ++counter;
  const email = overrides.email ?? `user${n}-${randomUUID().slice(0, 6)}@example.test`;
  const res = await call(app, "POST", "/api/auth/signup", {
    body: { email, password: overrides.password ?? "correct horse battery", name: overrides.name ?? `User ${n}` },
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as AuthResponse;
  return { id: body.user.id, email, name: body.user.name, token: body.token, role: body.user.role };
}

/** Users signed up at once, by key and name (fresh people per test keep per-pair rules clean). */
export async function signupAll<K extends string>(app: FastifyInstance, names: Record<K, string>) {
  const entries = Object.entries(names) as [K, string][];
  const users = await Promise.all(entries.map(([, name]) => signup(app, { name })));
  return Object.fromEntries(entries.map(([key], i) => [key, users[i]!])) as Record<K, TestUser>;
}

/** Makes a user an admin directly in the database (as an operator would). */
export async function makeAdmin(ctx: TestContext, user: TestUser) {
  await ctx.sql.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
  // The role is cached with the session; an external write invalidates it through NOTIFY.
  await waitFor(async () => (await call(ctx.app, "GET", "/api/me", { token: user.token })).json().role === "admin");
  user.role = "admin";
}

export async function createProject(app: FastifyInstance, user: TestUser, body: Record<string, unknown> = {}) {
  const res = await call(app, "POST", "/api/projects", {
    token: user.token,
    body: { title: `Project ${randomUUID().slice(0, 6)}`, description: "A test project", ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create project failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; title: string };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A connected socket.io client that records every envelope it receives. */
export interface TestSocket {
  socket: Socket;
  received: Envelope[];
  subscribe(room: string, lastSeq?: number): Promise<{ ok: boolean; seq?: number; missed?: boolean; error?: unknown }>;
  /** Resolves with the first envelope matching, waiting up to `timeoutMs`. */
  next<T extends EventType>(type: T, filter?: (e: Envelope<T>) => boolean, timeoutMs?: number): Promise<Envelope<T>>;
  of<T extends EventType>(type: T, room?: string): Envelope<T>[];
  /** Every `session:ended` the socket was told, in order. */
  ended: SessionEnded[];
  /** Resolves with the first `session:ended`, waiting up to `timeoutMs`. */
  sessionEnded(timeoutMs?: number): Promise<SessionEnded>;
  close(): void;
}

export async function connectSocket(app: FastifyInstance, token?: string): Promise<TestSocket> {
  const socket = connect(baseUrl(app), {
    transports: ["websocket"],
    auth: token ? { token } : {},
    reconnection: false,
    forceNew: true,
  });
  const received: Envelope[] = [];
  const ended: SessionEnded[] = [];
  socket.onAny((type: string, payload: unknown) => {
    if (type === "session:ended") ended.push(payload as SessionEnded);
    else if (payload && typeof payload === "object" && "seq" in payload) received.push(payload as Envelope);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => reject(err));
  });
  return {
    socket,
    received,
    subscribe: (room, lastSeq) =>
      socket.timeout(5000).emitWithAck("subscribe", lastSeq === undefined ? { room } : { room, lastSeq }),
    async next<T extends EventType>(type: T, filter: (e: Envelope<T>) => boolean = () => true, timeoutMs = 3000) {
      let found: Envelope<T> | undefined;
      await waitFor(
        () => {
          found = received.find((e) => e.type === type && filter(e as unknown as Envelope<T>)) as
            | Envelope<T>
            | undefined;
          return !!found;
        },
        timeoutMs,
        `${type} event`,
      );
      return found!;
    },
    of: <T extends EventType>(type: T, room?: string) =>
      received.filter((e) => e.type === type && (room === undefined || e.room === room)) as unknown as Envelope<T>[],
    ended,
    async sessionEnded(timeoutMs = 3000) {
      await waitFor(() => ended.length > 0, timeoutMs, "session:ended");
      return ended[0]!;
    },
    close: () => socket.disconnect(),
  };
}

/** Lets in-flight deliveries land (for asserting that something did NOT arrive). */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the app as a process of its own (server.ts, as `npm start` runs it) on
 * `share`'s database, Redis and key prefix, and waits until it answers. For
 * tests that kill or pause an instance. `exited` resolves with the time it exited.
 */
export async function startInstance(
  share: TestContext,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; base: string; exited: Promise<number> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server/src/server.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: share.db.url,
      REDIS_URL: share.config.redisUrl!,
      REDIS_KEY_PREFIX: share.config.redisKeyPrefix,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "fatal",
      INSTANCE_ID: `child-${port}`,
      ...env,
    },
    stdio: "ignore",
  });
  const exited = new Promise<number>((resolve) => child.once("exit", () => resolve(Date.now())));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () =>
      (await fetch(`${base}/api/health`).then(
        (r) => r.ok,
        () => false,
      )) || child.exitCode !== null,
    30_000,
    "the instance's process up",
  );
  return { child, base, exited };
}
