/**
 * Playwright fixtures in the epic-stack manner: each one creates what a test
 * needs through the real API and removes it afterwards, so tests share the
 * run's two app instances without seeing each other's leftovers.
 *
 * - `createUser` / `createAdmin`: accounts made through POST /api/auth/signup
 *   (admins through ADMIN_EMAILS), deleted from the database after the test.
 * - `openBrowser`: a browser context of its own per person, signed in by
 *   putting the session cookie in (no time spent on the signup form), on
 *   instance 0 or 1, with the in-page latency probe and the app's debug log on.
 * - `people`: both at once, alternating instances, so a change made by A on
 *   one instance has to travel through Redis to reach B on the other.
 * - `latency`: click-to-update measurements, attached to the test for the
 *   summary the latency reporter prints.
 */
import { randomUUID } from "node:crypto";
import { type BrowserContext, test as base, expect, type Page, type TestInfo } from "@playwright/test";
import pg from "pg";
import {
  type AppEnv,
  AppInstance,
  clearRedisPrefix,
  createDatabase,
  dropDatabase,
  freePort,
  readAppEnv,
} from "./support/app-server";
import { addProbe, type Measured, measureClickToUpdate, type Observation } from "./support/freshness-probe";

export { expect };

export const PASSWORD = "correct horse battery staple";

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
  token: string;
  role: "user" | "admin";
}

export interface Person {
  user: TestUser | null;
  context: BrowserContext;
  page: Page;
  /** The app instance this browser talks to. */
  url: string;
  instance: number;
  /**
   * Navigates and waits until the page is live and subscribed to every room
   * it shows (feed, the user's own room, the project's room), so what happens
   * next reaches it as an event rather than through the initial load.
   */
  goto(path: string): Promise<void>;
}

export interface PersonSpec {
  name: string;
  admin?: boolean;
  instance?: number;
}

type Json = Record<string, unknown> | unknown[];

/** The JSON API as one user (or anonymous), over plain HTTP. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  async request<T = unknown>(method: string, path: string, body?: Json): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.baseUrl}/api${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get = <T = unknown>(path: string) => this.request<T>("GET", path);
  post = <T = unknown>(path: string, body: Json = {}) => this.request<T>("POST", path, body);
  patch = <T = unknown>(path: string, body: Json) => this.request<T>("PATCH", path, body);
}

export interface LatencyRecorder {
  /** `measureClickToUpdate`, with every result recorded under `scenario`. */
  measure(scenario: string, actor: Page, act: () => Promise<unknown>, observations: Observation[]): Promise<Measured[]>;
}

interface WorkerFixtures {
  app: AppEnv;
  /** A direct connection to the run's database (cleanup, and writes "from outside"). */
  sql: pg.Client;
}

interface TestFixtures {
  api: (user?: TestUser | null) => Api;
  createUser: (opts?: { name?: string; email?: string; password?: string }) => Promise<TestUser>;
  createAdmin: (opts?: { name?: string }) => Promise<TestUser>;
  createProject: (
    owner: TestUser,
    body?: { title?: string; description?: string; url?: string; tags?: string[] },
  ) => Promise<{ id: string; title: string }>;
  /** Deletes, after the test, a user made outside `createUser` (through the signup form). */
  deleteUserAfter: (email: string) => void;
  openBrowser: (
    user: TestUser | null,
    opts?: { instance?: number; url?: string; viewport?: { width: number; height: number } },
  ) => Promise<Person>;
  /** An app instance of the test's own (same database and Redis), to stop and restart. */
  startOwnInstance: () => Promise<AppInstance>;
  /** An app with a database and Redis prefix of the test's own, for pages that must show only the test's data. */
  startIsolatedApp: () => Promise<{ url: string; api: (user?: TestUser | null) => Api; instance: AppInstance }>;
  people: (...specs: (string | PersonSpec)[]) => Promise<Person[]>;
  latency: LatencyRecorder;
}

/** Per page: the app's debug log lines, to see which rooms it has joined. */
const logs = new WeakMap<Page, string[]>();

const uniq = () => randomUUID().slice(0, 6);

export const test = base.extend<TestFixtures, WorkerFixtures>({
  app: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as a destructured object
    async ({}, use) => {
      await use(readAppEnv());
    },
    { scope: "worker" },
  ],

  sql: [
    async ({ app }, use) => {
      const client = new pg.Client({ connectionString: app.databaseUrl });
      await client.connect();
      await use(client);
      await client.end();
    },
    { scope: "worker" },
  ],

  api: async ({ app }, use) => {
    await use((user) => new Api(app.urls[0]!, user?.token));
  },

  createUser: async ({ app, sql }, use) => {
    const created: string[] = [];
    let n = 0;
    await use(async (opts = {}) => {
      const name = opts.name ?? `Person ${++n}`;
      const email = opts.email ?? `user-${uniq()}@e2e.test`;
      const password = opts.password ?? PASSWORD;
      const body = await new Api(app.urls[0]!).post<{ user: { id: string; role: "user" | "admin" }; token: string }>(
        "/auth/signup",
        { email, password, name },
      );
      created.push(body.user.id);
      return { id: body.user.id, email, name, password, token: body.token, role: body.user.role };
    });
    // Deleting the users takes their projects, votes, comments, intros and
    // messages with them (ON DELETE CASCADE); the triggers tell the app.
    if (created.length) await sql.query("DELETE FROM users WHERE id = ANY($1::uuid[])", [created]);
  },

  deleteUserAfter: async ({ sql }, use) => {
    const emails: string[] = [];
    await use((email) => emails.push(email));
    if (emails.length) await sql.query("DELETE FROM users WHERE email = ANY($1::text[])", [emails]);
  },

  startOwnInstance: async ({ app }, use, testInfo) => {
    const started: AppInstance[] = [];
    await use(async () => {
      const instance = new AppInstance(`own-${testInfo.parallelIndex}-${started.length}`, await freePort(), app);
      started.push(instance);
      await instance.start();
      return instance;
    });
    await Promise.all(started.map((i) => i.stop()));
  },

  createAdmin: async ({ app, createUser }, use, testInfo) => {
    await use(async (opts = {}) => {
      // One admin email per worker slot; the account is deleted after each test, so the next can sign up again.
      const email = app.adminEmails[testInfo.parallelIndex % app.adminEmails.length]!;
      const admin = await createUser({ name: opts.name ?? "Admin", email });
      expect(admin.role, "ADMIN_EMAILS makes this signup an admin").toBe("admin");
      return admin;
    });
  },

  createProject: async ({ api }, use) => {
    await use(async (owner, body = {}) =>
      api(owner).post<{ id: string; title: string }>("/projects", {
        title: body.title ?? `Project ${uniq()}`,
        description: body.description ?? "A project made by the end-to-end tests.",
        ...(body.url ? { url: body.url } : {}),
        tags: body.tags ?? [],
      }),
    );
  },

  startIsolatedApp: async ({ app }, use, testInfo) => {
    const cleanups: (() => Promise<void>)[] = [];
    await use(async () => {
      const db = await createDatabase();
      const env: AppEnv = {
        ...app,
        databaseUrl: db.url,
        databaseName: db.name,
        redisKeyPrefix: `${app.redisKeyPrefix}iso${cleanups.length}:`,
      };
      const instance = new AppInstance(`isolated-${testInfo.parallelIndex}-${cleanups.length}`, await freePort(), env);
      cleanups.push(async () => {
        await instance.stop();
        await dropDatabase(db.name);
        await clearRedisPrefix(env.redisUrl, env.redisKeyPrefix);
      });
      await instance.start();
      return { url: instance.url, api: (user) => new Api(instance.url, user?.token), instance };
    });
    for (const cleanup of cleanups) await cleanup();
  },

  // Depends on the fixtures that own users and servers, so browsers close
  // before their users are deleted and before their servers stop (a server
  // drains faster with no page to reconnect to it).
  openBrowser: async (
    { browser, app, createUser: _u, deleteUserAfter: _d, startOwnInstance: _o, startIsolatedApp: _i },
    use,
  ) => {
    const contexts: BrowserContext[] = [];
    await use(async (user, opts = {}) => {
      const instance = (opts.instance ?? 0) % app.urls.length;
      const url = opts.url ?? app.urls[instance]!;
      const context = await browser.newContext({
        baseURL: url,
        ...(opts.viewport ? { viewport: opts.viewport } : {}),
      });
      contexts.push(context);
      await addProbe(context);
      // The app's own debug switch: it logs each room it joins, which tells us when a page is listening.
      await context.addInitScript(() => {
        try {
          localStorage.setItem("zerostaleDebug", "1");
        } catch {
          // about:blank has no storage
        }
      });
      if (user) {
        await context.addCookies([{ name: "zs_session", value: user.token, url, httpOnly: true, sameSite: "Lax" }]);
      }
      const page = await context.newPage();
      const lines: string[] = [];
      logs.set(page, lines);
      page.on("console", (m) => {
        if (m.text().startsWith("[zerostale]")) lines.push(m.text());
      });
      const goto = async (path: string) => {
        // A new document joins its rooms again; a jump to a #hash on the same page does not.
        const from = new URL(page.url() === "about:blank" ? url : page.url());
        const to = new URL(path, url);
        const sameDocument = to.hash !== "" && from.pathname === to.pathname && from.search === to.search;
        if (!sameDocument) lines.length = 0;
        await page.goto(path);
        await waitUntilListening(page, user, path);
      };
      return { user, context, page, url, instance, goto };
    });
    await Promise.all(contexts.map((c) => c.close()));
  },

  people: async ({ createUser, createAdmin, openBrowser }, use) => {
    await use(async (...specs) => {
      const tag = uniq();
      const users = await Promise.all(
        specs.map((s) => {
          const spec = typeof s === "string" ? { name: s } : s;
          const name = `${spec.name} ${tag}`;
          return spec.admin ? createAdmin({ name }) : createUser({ name });
        }),
      );
      return Promise.all(
        users.map((u, i) => {
          const spec = specs[i]!;
          return openBrowser(u, { instance: typeof spec === "string" ? i : (spec.instance ?? i) });
        }),
      );
    });
  },

  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as a destructured object
  latency: async ({}, use, testInfo) => {
    const samples: { scenario: string; label: string; ms: number }[] = [];
    await use({
      async measure(scenario, actor, act, observations) {
        const measured = await measureClickToUpdate(actor, act, observations);
        for (const m of measured) samples.push({ scenario, label: m.label, ms: m.ms });
        return measured;
      },
    });
    await attachLatencies(testInfo, samples);
  },
});

async function attachLatencies(testInfo: TestInfo, samples: { scenario: string; label: string; ms: number }[]) {
  if (!samples.length) return;
  await testInfo.attach("latencies", { body: JSON.stringify(samples), contentType: "application/json" });
  const byLabel = new Map<string, number[]>();
  for (const s of samples) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s.ms]);
  for (const [label, values] of byLabel)
    testInfo.annotations.push({
      type: "latency",
      description: `${label}: ${values.map((v) => v.toFixed(1)).join(", ")} ms`,
    });
}

const projectIdIn = (path: string) => /^\/projects\/([0-9a-f-]{36})(?:[/?#]|$)/i.exec(path)?.[1]?.toLowerCase();

/** Live, and every room the page shows acknowledged (the app's debug log says "subscribed <room> at #n"). */
export async function waitUntilListening(page: Page, user: TestUser | null, path: string) {
  await expect(page.getByTestId("connection-status")).toHaveText("Live");
  const rooms = ["feed"];
  if (user) rooms.push(`user:${user.id}`);
  const projectId = projectIdIn(path);
  if (projectId && !path.endsWith("/edit")) rooms.push(`project:${projectId}`);
  const lines = logs.get(page) ?? [];
  await expect
    .poll(() => rooms.filter((r) => !lines.some((l) => l.includes(`subscribed ${r} at`))), {
      message: `${path} joins its rooms`,
    })
    .toEqual([]);
  // Listening now. Logging every event from here on would slow the page down and skew the latencies.
  await page.evaluate(() => localStorage.removeItem("zerostaleDebug"));
}
