/**
 * The contract checked by a tool no one here wrote: Stoplight Prism's validation
 * proxy stands between a client and the compiled server (as `npm start` runs it,
 * server mode, real PostgreSQL and Redis, rate limits on) and checks every request
 * and response against /openapi.json. Realistic flows drive every operation of the
 * document through it; any request or response that breaks the document fails the
 * test with prism's own words (its `sl-violations` header).
 *
 * Two proxies on the same document:
 * - strict (`--errors`): for requests meant to be valid. Prism answers a request
 *   that breaks the document itself (422/401, never forwarded) and replaces a
 *   response that breaks it by a 500 of its own, so nothing slips through.
 * - lenient (no `--errors`): for bad input, which breaks the document on purpose.
 *   Prism forwards it, reports the request's violations (expected; where the
 *   document can express the rule, they must be there) and checks the app's 4xx
 *   against the documented error shape (no violation allowed there).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, TEST_JWT_SECRET, waitFor } from "./helpers.js";
import { clearRedisPrefix, freePort } from "./redis-server.js";

const PRISM = "node_modules/@stoplight/prism-cli/dist/index.js";
const METRICS_TOKEN = "prism-metrics-token-0123456789";
const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 6)}@example.test`;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface Violation {
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}
interface Exchange {
  via: "strict" | "lenient";
  op: string;
  url: string;
  status: number;
  /** The app answered (prism forwarded the request), rather than prism itself. */
  fromApp: boolean;
  violations: Violation[];
}
interface Proc {
  child: ChildProcess;
  output: () => string;
}

let db: Awaited<ReturnType<typeof createDatabase>>;
let redisPrefix: string;
let dir: string;
let app: Proc;
let appBase: string;
const proxies: Record<Exchange["via"], { base: string; proc: Proc }> = {} as never;
let documentOps: string[] = [];
const documentSuccess: Record<string, string> = {};
const inputlessOps = new Set<string>();
const exchanges: Exchange[] = [];
/** Everything prism objected to, as readable lines; the test fails unless it stays empty. */
const problems: string[] = [];

function start(args: string[], env: Record<string, string> = {}): Proc {
  let out = "";
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return { child, output: () => out };
}

async function stop(p: Proc | undefined) {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once("exit", r));
  p.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
}

async function startPrism(file: string, errors: boolean): Promise<{ base: string; proc: Proc }> {
  const port = await freePort();
  const args = [PRISM, "proxy", file, appBase, "--host", "127.0.0.1", "--port", String(port), "--cors=false"];
  const proc = start(errors ? [...args, "--errors"] : args);
  await waitFor(
    () => proc.output().includes("Prism is listening") || proc.child.exitCode !== null,
    60_000,
    "prism listening",
  );
  if (proc.child.exitCode !== null) throw new Error(`prism exited:\n${proc.output()}`);
  return { base: `http://127.0.0.1:${port}`, proc };
}

beforeAll(async () => {
  if (!existsSync(PRISM)) throw new Error(`${PRISM} is missing: run \`npm install\` (a devDependency)`);
  db = await createDatabase();
  redisPrefix = `zst:${randomUUID().slice(0, 8)}:`;
  dir = await mkdtemp(join(tmpdir(), "zs-prism-"));
  const port = await freePort();
  appBase = `http://127.0.0.1:${port}`;
  app = start(["dist/server/server.js"], {
    DATABASE_URL: db.url,
    REDIS_URL: inject("redisUrl"),
    REDIS_KEY_PREFIX: redisPrefix,
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ADMIN_EMAILS: ADMIN_EMAIL,
    METRICS_TOKEN,
  });
  await waitFor(
    async () =>
      (await fetch(`${appBase}/api/health`).then(
        (r) => r.ok,
        () => false,
      )) || app.child.exitCode !== null,
    60_000,
    "the app up",
  );
  if (app.child.exitCode !== null) throw new Error(`the app exited:\n${app.output()}`);

  // The document as the app serves it, read straight from the app (prism does not know /openapi.json).
  const text = await (await fetch(`${appBase}/openapi.json`)).text();
  const doc = JSON.parse(text) as {
    paths: Record<
      string,
      Record<
        string,
        { responses: Record<string, unknown>; parameters?: unknown[]; requestBody?: unknown; security?: object[] }
      >
    >;
  };
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const key = `${method.toUpperCase()} ${path}`;
      documentOps.push(key);
      documentSuccess[key] = Object.keys(op.responses).find((s) => /^2\d\d$/.test(s))!;
      // Takes nothing a caller could get wrong: no parameters, no body, and anyone may call it.
      if (!op.parameters?.length && !op.requestBody && op.security?.some((s) => Object.keys(s).length === 0))
        inputlessOps.add(key);
    }
  documentOps = documentOps.sort();
  const file = join(dir, "openapi.json");
  await writeFile(file, text);
  [proxies.strict, proxies.lenient] = await Promise.all([startPrism(file, true), startPrism(file, false)]);
}, 180_000);

afterAll(async () => {
  await Promise.all([stop(proxies.strict?.proc), stop(proxies.lenient?.proc), stop(app)]);
  await db?.drop();
  await clearRedisPrefix(inject("redisUrl"), redisPrefix);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Call {
  /** Path parameters of the document's path template. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  token?: string;
  cookie?: string;
  body?: unknown;
  /** A body sent as it is (with this content type), for input JSON cannot express. */
  raw?: { contentType: string; data: string };
  headers?: Record<string, string>;
  /** The status the app must answer. */
  expect: number;
  /** Bad input: sent through the lenient proxy, and the answer's error code. */
  code?: string;
  /** Bad input the document itself forbids: prism must name the request's violation. */
  docForbids?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: the flows read every response shape loosely
type AnyJson = any;

/** Sends one request through a proxy, records what prism said, and returns the parsed body. */
async function send(
  method: string,
  template: string,
  c: Call,
): Promise<{ status: number; json: AnyJson; headers: Headers }> {
  const via = c.code ? "lenient" : "strict";
  const op = `${method} ${template}`;
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = c.params?.[name];
    if (v === undefined) throw new Error(`${op}: no value for {${name}}`);
    return encodeURIComponent(v);
  });
  const qs = c.query ? `?${new URLSearchParams(c.query)}` : "";
  const headers: Record<string, string> = { ...c.headers };
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  if (c.cookie) headers.cookie = c.cookie;
  let body: string | undefined;
  if (c.raw) {
    headers["content-type"] = c.raw.contentType;
    body = c.raw.data;
  } else if (c.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(c.body);
  }
  const res = await fetch(`${proxies[via].base}${path}${qs}`, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  const violations = parseViolations(res.headers.get("sl-violations"));
  // Every answer of the app carries its request id; prism's own answers (422, 401, 500) do not.
  const fromApp = res.headers.has("x-request-id");
  const exchange: Exchange = { via, op, url: `${method} ${path}${qs}`, status: res.status, fromApp, violations };
  exchanges.push(exchange);
  let json: AnyJson = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  const where = `${exchange.url} (${via})`;
  // Prism's own answer with no violation header: a request it refused (422, 401, 404) or could not read.
  if (!fromApp && violations.length === 0) {
    const said = Array.isArray(json?.validation) ? json.validation.map(show).join("; ") : text.slice(0, 300);
    problems.push(`${where}: prism answered ${res.status} itself (${json?.title ?? "no title"}): ${said}`);
  }
  const requestViolations = violations.filter((v) => v.location[0] !== "response");
  const responseViolations = violations.filter((v) => v.location[0] === "response");
  if (via === "strict") {
    for (const v of violations) problems.push(`${where}: ${show(v)}`);
  } else {
    for (const v of responseViolations) problems.push(`${where}: ${show(v)}`);
    if (c.docForbids && requestViolations.length === 0)
      problems.push(`${where}: the app refuses this request, but prism found nothing in the document against it`);
    if (json?.error?.code !== c.code)
      problems.push(`${where}: expected error code ${c.code}, got ${JSON.stringify(json)}`);
  }
  if (res.status !== c.expect) {
    const log = res.status >= 500 ? `\nthe app's log ends:\n${app.output().slice(-3000)}` : "";
    throw new Error(
      `${where}: expected ${c.expect}, got ${res.status}: ${text.slice(0, 500)}\nprism objected to:\n${problems.join("\n")}${log}`,
    );
  }
  return { status: res.status, json, headers: res.headers };
}

const show = (v: Violation) => `[${v.severity}] ${v.location.join(".")}: ${v.message}`;

function parseViolations(header: string | null): Violation[] {
  if (!header) return [];
  try {
    return JSON.parse(header) as Violation[];
  } catch {
    // Prism truncates a long list ("Too many violations! …"): report it as it is.
    return [{ location: ["response"], severity: "Error", message: header }];
  }
}

/** One step of the story: fails on anything prism objected to during it. */
function flow(name: string, steps: () => Promise<void>) {
  it(name, { timeout: 60_000 }, async () => {
    const before = problems.length;
    await steps();
    const found = problems.slice(before);
    expect(found, `prism found requests or responses that break the document:\n${found.join("\n")}`).toEqual([]);
  });
}

const get = (template: string, c: Call) => send("GET", template, c);
const post = (template: string, c: Call) => send("POST", template, c);
const patch = (template: string, c: Call) => send("PATCH", template, c);
const del = (template: string, c: Call) => send("DELETE", template, c);

interface User {
  id: string;
  token: string;
  cookie: string;
  email: string;
}
const PASSWORD = "correct horse battery";

async function signupUser(name: string, email = `${name.toLowerCase()}-${randomUUID().slice(0, 6)}@example.test`) {
  const res = await post("/api/auth/signup", { body: { email, password: PASSWORD, name }, expect: 201 });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("zs_session="))!;
  expect(cookie, "signup sets the session cookie").toBeDefined();
  return { id: res.json.user.id, token: res.json.token, cookie: cookie.split(";")[0]!, email } as User;
}

describe("Prism's validation proxy in front of the app", () => {
  // The story's cast and what they make, shared by its steps (which run in order).
  const unknownId = randomUUID();
  let maker: User;
  let fan: User;
  let admin: User;
  let makerLogin: string;
  let project: string;
  let fanProject: string;
  let second: string;

  it("prism loaded every operation of the document", () => {
    // Prism lists the operations it understood at start (`GET http://…/api/tags`, one a line).
    const listed = [
      ...proxies.strict.proc.output().matchAll(/\b(GET|POST|PATCH|PUT|DELETE)\s+http:\/\/127\.0\.0\.1:\d+(\S+)/g),
    ]
      .map(([, method, path]) => `${method} ${path}`)
      .filter((op, i, all) => all.indexOf(op) === i);
    expect(documentOps.length).toBeGreaterThan(35);
    expect(listed.length).toBe(documentOps.length);
    // Prism lists each path with sample values in place of its parameters.
    const pattern = (op: string) => new RegExp(`^${op.replace(/\{\w+\}/g, "[^/]+")}$`);
    expect(documentOps.filter((op) => !listed.some((l) => pattern(op).test(l)))).toEqual([]);
  });

  flow("health, metrics, signup, login, sessions and profiles", async () => {
    const health = await get("/api/health", { expect: 200 });
    expect(health.json.status).toBe("ok");
    await get("/metrics", { token: METRICS_TOKEN, expect: 200 });
    await get("/metrics", { expect: 401, code: "UNAUTHORIZED" });
    expect((await get("/api/auth/session", { expect: 200 })).json.user).toBeNull();

    maker = await signupUser("Maker");
    fan = await signupUser("Fan");
    admin = await signupUser("Admin", ADMIN_EMAIL);
    await post("/api/auth/signup", {
      body: { email: maker.email, password: PASSWORD, name: "Again" },
      expect: 409,
      code: "EMAIL_TAKEN",
    });
    await post("/api/auth/signup", {
      body: { email: "no-password@example.test", name: "N" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await post("/api/auth/signup", {
      body: { email: "weak@example.test", password: "password123", name: "Weak" },
      expect: 400,
      code: "VALIDATION_ERROR",
    });
    // (Malformed JSON cannot reach the app through prism: prism parses JSON bodies itself and
    // answers 400 `invalid_json` on its own. server/test/fuzz.test.ts sends it straight to the app.)
    await post("/api/auth/signup", {
      raw: { contentType: "text/plain", data: "email=form@example.test" },
      expect: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      docForbids: true,
    });

    const login = await post("/api/auth/login", { body: { email: maker.email, password: PASSWORD }, expect: 200 });
    expect(login.json.user.id).toBe(maker.id);
    makerLogin = login.headers.getSetCookie()[0]!.split(";")[0]!;
    await post("/api/auth/login", {
      body: { email: maker.email, password: "not the password at all" },
      expect: 401,
      code: "INVALID_CREDENTIALS",
    });
    expect((await get("/api/me", { token: maker.token, expect: 200 })).json.id).toBe(maker.id);
    expect((await get("/api/me", { cookie: maker.cookie, expect: 200 })).json.id).toBe(maker.id);
    await get("/api/me", { expect: 401, code: "UNAUTHORIZED" });
    expect((await get("/api/auth/session", { token: admin.token, expect: 200 })).json.user.role).toBe("admin");

    await patch("/api/users/me", {
      token: maker.token,
      body: { name: "Maya Maker", bio: "Builds lockstep engines", avatarUrl: "https://example.com/maya.png" },
      expect: 200,
    });
    await patch("/api/users/me", {
      token: maker.token,
      body: { avatarUrl: 5 },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
  });

  flow("projects: create, read, edit, feature, award a badge", async () => {
    const created = await post("/api/projects", {
      token: maker.token,
      body: {
        title: "Lockstep",
        description: "Deterministic lockstep networking for browser games",
        url: "https://example.com/lockstep",
        tags: ["games", "networking"],
      },
      expect: 201,
    });
    project = created.json.id as string;
    await post("/api/projects", {
      token: maker.token,
      body: { description: "no title" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await post("/api/projects", { body: { title: "Anonymous" }, expect: 401, code: "UNAUTHORIZED" });
    await post("/api/projects", {
      token: maker.token,
      body: { title: "From elsewhere" },
      headers: { origin: "https://elsewhere.example" },
      expect: 403,
      code: "CROSS_SITE",
    });
    fanProject = (
      await post("/api/projects", { token: fan.token, body: { title: "Fan's tracker", tags: ["tools"] }, expect: 201 })
    ).json.id as string;

    await get("/api/projects/{id}", { params: { id: project }, expect: 200 });
    await get("/api/projects/{id}", { params: { id: project }, token: fan.token, expect: 200 });
    // Ids are case-insensitive (PostgreSQL's uuid is): the document must allow what the app accepts.
    await get("/api/projects/{id}", { params: { id: project.toUpperCase() }, expect: 200 });
    await get("/api/projects/{id}", { params: { id: unknownId }, expect: 404, code: "NOT_FOUND" });
    // A malformed id names nothing: 404, with the reason in details.
    await get("/api/projects/{id}", {
      params: { id: "not-a-uuid" },
      expect: 404,
      code: "NOT_FOUND",
      docForbids: true,
    });
    await patch("/api/projects/{id}", {
      params: { id: project },
      token: maker.token,
      body: { description: "Deterministic lockstep networking, now with rollback", tags: ["games", "netcode"] },
      expect: 200,
    });
    await patch("/api/projects/{id}", {
      params: { id: project },
      token: fan.token,
      body: { title: "Mine now" },
      expect: 403,
      code: "FORBIDDEN",
    });
    await patch("/api/projects/{id}", {
      params: { id: project },
      token: maker.token,
      body: { tags: "games" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await post("/api/projects/{id}/feature", {
      params: { id: project },
      token: admin.token,
      body: { featured: true },
      expect: 200,
    });
    await post("/api/projects/{id}/feature", {
      params: { id: project },
      token: fan.token,
      body: { featured: true },
      expect: 403,
      code: "FORBIDDEN",
    });
    await post("/api/projects/{id}/badges", {
      params: { id: project },
      token: admin.token,
      body: { kind: "staff_pick" },
      expect: 201,
    });
    await post("/api/projects/{id}/badges", {
      params: { id: project },
      token: admin.token,
      body: { kind: "staff_pick" },
      expect: 409,
      code: "CONFLICT",
    });
    await post("/api/projects/{id}/badges", {
      params: { id: project },
      token: admin.token,
      body: { kind: "gold_medal" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
  });

  flow("votes, all four ways", async () => {
    expect(
      (await post("/api/projects/{id}/upvote", { params: { id: project }, token: fan.token, expect: 200 })).json.myVote,
    ).toBe(1);
    await post("/api/projects/{id}/downvote", { params: { id: project }, token: fan.token, expect: 200 });
    await post("/api/projects/{id}/downvote", {
      params: { id: project },
      token: fan.token,
      headers: { "sec-fetch-site": "cross-site" },
      expect: 403,
      code: "CROSS_SITE",
    });
    await del("/api/projects/{id}/vote", { params: { id: project }, token: fan.token, expect: 200 });
    await post("/api/votes", { token: fan.token, body: { projectId: project, value: 1 }, expect: 200 });
    await post("/api/votes", { token: admin.token, body: { projectId: project, value: 0 }, expect: 200 });
    await post("/api/votes", {
      token: fan.token,
      body: { projectId: project, value: 2 },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await post("/api/projects/{id}/upvote", {
      params: { id: unknownId },
      token: fan.token,
      expect: 404,
      code: "NOT_FOUND",
    });
    await del("/api/projects/{id}/vote", { params: { id: project }, expect: 401, code: "UNAUTHORIZED" });
  });

  flow("comments, replies, edits, comment votes, and paging through older threads", async () => {
    const threads: string[] = [];
    for (const body of ["First!", "Does it handle packet loss?", "Rollback when?"])
      threads.push(
        (
          await post("/api/projects/{id}/comments", {
            params: { id: project },
            token: fan.token,
            body: { body },
            expect: 201,
          })
        ).json.id,
      );
    const reply = await post("/api/projects/{id}/comments", {
      params: { id: project },
      token: maker.token,
      body: { body: "It does: inputs are resent until acknowledged", parentId: threads[1] },
      expect: 201,
    });
    expect(reply.json.parentId).toBe(threads[1]);
    await post("/api/projects/{id}/comments", {
      params: { id: project },
      token: fan.token,
      body: { body: "" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await post("/api/projects/{id}/comments", {
      params: { id: project },
      token: fan.token,
      body: { body: "nul \u0000 inside" },
      expect: 400,
      code: "VALIDATION_ERROR",
    });
    await patch("/api/comments/{id}", {
      params: { id: threads[2]! },
      token: fan.token,
      body: { body: "Rollback when? (asking for a friend)" },
      expect: 200,
    });
    await patch("/api/comments/{id}", {
      params: { id: threads[2]! },
      token: maker.token,
      body: { body: "Never" },
      expect: 403,
      code: "FORBIDDEN",
    });
    await post("/api/comments/{id}/vote", {
      params: { id: threads[1]! },
      token: maker.token,
      body: { value: 1 },
      expect: 200,
    });
    await post("/api/comments/{id}/vote", {
      params: { id: threads[1]! },
      token: maker.token,
      body: { value: "up" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    const detail = await get("/api/projects/{id}", { params: { id: project }, token: maker.token, expect: 200 });
    expect(detail.json.comments.length).toBe(4);
    const page1 = await get("/api/projects/{id}/comments", {
      params: { id: project },
      query: { limit: "1" },
      expect: 200,
    });
    expect(page1.json.items).toHaveLength(1);
    expect(page1.json.nextCursor).toEqual(expect.any(String));
    const page2 = await get("/api/projects/{id}/comments", {
      params: { id: project },
      query: { before: page1.json.nextCursor, limit: "2" },
      token: fan.token,
      expect: 200,
    });
    expect(page2.json.items.length).toBeGreaterThan(0);
    const paged = [...page1.json.items, ...page2.json.items];
    expect(paged.some((t: AnyJson) => t.replies.length === 1)).toBe(true);
    await get("/api/projects/{id}/comments", {
      params: { id: project },
      query: { before: "not a cursor!" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await get("/api/projects/{id}/comments", {
      params: { id: project },
      query: { limit: "1000" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await del("/api/comments/{id}", {
      params: { id: threads[0]! },
      token: maker.token,
      expect: 403,
      code: "FORBIDDEN",
    });
    await del("/api/comments/{id}", { params: { id: threads[0]! }, token: fan.token, expect: 204 });
    await del("/api/comments/{id}", { params: { id: threads[2]! }, token: admin.token, expect: 204 });
  });

  flow("follows, the following feed, search with q, tag and following, tags, profiles", async () => {
    await post("/api/users/{id}/follow", { params: { id: maker.id }, token: fan.token, expect: 200 });
    expect(
      (await post("/api/users/{id}/follow", { params: { id: maker.id }, token: fan.token, expect: 200 })).json
        .following,
    ).toBe(true);
    await post("/api/users/{id}/follow", {
      params: { id: fan.id },
      token: fan.token,
      expect: 400,
      code: "VALIDATION_ERROR",
    });
    await post("/api/users/{id}/follow", {
      params: { id: unknownId },
      token: fan.token,
      expect: 404,
      code: "NOT_FOUND",
    });
    second = (
      await post("/api/projects", {
        token: maker.token,
        body: { title: "Rollback netcode kit", description: "Rollback for lockstep games", tags: ["games"] },
        expect: 201,
      })
    ).json.id as string;
    const following = await get("/api/projects", { query: { following: "true" }, token: fan.token, expect: 200 });
    expect(following.json.items.map((p: AnyJson) => p.id).sort()).toEqual([project, second].sort());
    await get("/api/projects", { query: { following: "true" }, expect: 401, code: "UNAUTHORIZED" });
    const search = await get("/api/projects", { query: { q: "lockstep" }, expect: 200 });
    expect(search.json.sort).toBe("relevance");
    expect(search.json.items.length).toBeGreaterThan(0);
    const tagged = await get("/api/projects", {
      query: { tag: "games", q: "rollback", sort: "newest", following: "true", page: "1", pageSize: "5" },
      token: fan.token,
      expect: 200,
    });
    expect(tagged.json.items[0].id).toBe(second);
    for (const sort of ["trending", "newest", "top"]) await get("/api/projects", { query: { sort }, expect: 200 });
    await get("/api/projects", {
      query: { sort: "oldest" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await get("/api/projects", {
      query: { pageSize: "1000" },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    expect((await get("/api/tags", { expect: 200 })).json[0]).toEqual({ tag: "games", count: 2 });
    const profile = await get("/api/users/{id}", { params: { id: maker.id }, token: fan.token, expect: 200 });
    expect(profile.json.followedByMe).toBe(true);
    await get("/api/users/{id}", { params: { id: fan.id }, expect: 200 });
    await get("/api/users/{id}", { params: { id: unknownId }, expect: 404, code: "NOT_FOUND" });
    await get("/api/leaderboard", { expect: 200 });
  });

  flow("intros: accepted, declined, answered by the wrong person", async () => {
    const intro = await post("/api/intros", {
      token: fan.token,
      body: { toUserId: maker.id, projectId: project, message: "Could I help with the rollback work?" },
      expect: 201,
    });
    const intro2 = await post("/api/intros", {
      token: admin.token,
      body: { toUserId: maker.id, message: "Want to demo at the meetup?" },
      expect: 201,
    });
    await post("/api/intros", {
      token: fan.token,
      body: { toUserId: fan.id, message: "Me, myself" },
      expect: 400,
      code: "VALIDATION_ERROR",
    });
    await post("/api/intros", {
      token: fan.token,
      body: { toUserId: maker.id },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    const intros = await get("/api/intros", { token: maker.token, expect: 200 });
    await get("/api/intros", { expect: 401, code: "UNAUTHORIZED" });
    expect(intros.json.received).toHaveLength(2);
    await post("/api/intros/{id}/accept", {
      params: { id: intro.json.id },
      token: fan.token,
      expect: 403,
      code: "FORBIDDEN",
    });
    await post("/api/intros/{id}/accept", { params: { id: intro.json.id }, token: maker.token, expect: 200 });
    await post("/api/intros/{id}/decline", { params: { id: intro2.json.id }, token: maker.token, expect: 200 });
    await post("/api/intros/{id}/decline", {
      params: { id: intro2.json.id },
      token: maker.token,
      expect: 409,
      code: "CONFLICT",
    });
    await get("/api/intros", { token: fan.token, expect: 200 });
  });

  flow("direct messages, conversations, reading them", async () => {
    const m1 = await post("/api/messages", {
      token: fan.token,
      body: { toUserId: maker.id, body: "Thanks for accepting!" },
      expect: 201,
    });
    await post("/api/messages", {
      token: fan.token,
      body: { toUserId: maker.id, body: "When can we talk?" },
      expect: 201,
    });
    await post("/api/messages", {
      token: fan.token,
      body: { toUserId: unknownId, body: "Anyone there?" },
      expect: 404,
      code: "NOT_FOUND",
    });
    await post("/api/messages", {
      token: fan.token,
      body: { toUserId: maker.id, body: "x".repeat(2001) },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    const conversations = await get("/api/conversations", { token: maker.token, expect: 200 });
    expect(conversations.json[0].unreadCount).toBe(2);
    const thread = await get("/api/conversations/{userId}", {
      params: { userId: fan.id },
      token: maker.token,
      expect: 200,
    });
    expect(thread.json).toHaveLength(2);
    await post("/api/messages/{id}/read", {
      params: { id: m1.json.id },
      token: fan.token,
      expect: 403,
      code: "FORBIDDEN",
    });
    await post("/api/messages/{id}/read", { params: { id: m1.json.id }, token: maker.token, expect: 200 });
    const read = await post("/api/conversations/{userId}/read", {
      params: { userId: fan.id },
      token: maker.token,
      expect: 200,
    });
    expect(read.json.count).toBe(1);
    await post("/api/conversations/{userId}/read", { params: { userId: fan.id }, expect: 401, code: "UNAUTHORIZED" });
    await get("/api/conversations/{userId}", {
      params: { userId: "me" },
      token: maker.token,
      expect: 404,
      code: "NOT_FOUND",
      docForbids: true,
    });
    await get("/api/conversations", { expect: 401, code: "UNAUTHORIZED" });
  });

  flow("notifications: listed, read, deleted", async () => {
    const inbox = await get("/api/notifications", { token: maker.token, expect: 200 });
    const kinds = new Set(inbox.json.items.map((n: AnyJson) => n.kind));
    for (const kind of ["comment", "follow", "badge_awarded", "project_featured", "intro_received"])
      expect(kinds, kind).toContain(kind);
    const fanInbox = await get("/api/notifications", {
      query: { unread: "true", page: "1", pageSize: "5" },
      token: fan.token,
      expect: 200,
    });
    expect(new Set(fanInbox.json.items.map((n: AnyJson) => n.kind))).toEqual(
      new Set(["reply", "new_project", "intro_accepted"]),
    );
    const first = inbox.json.items[0].id as string;
    await post("/api/notifications/read", { token: maker.token, body: { ids: [first] }, expect: 200 });
    expect(
      (await post("/api/notifications/read", { token: maker.token, body: {}, expect: 200 })).json.unreadCount,
    ).toBe(0);
    await post("/api/notifications/read", {
      token: maker.token,
      body: { ids: ["nope"] },
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await get("/api/notifications", {
      query: { unread: "yes" },
      token: maker.token,
      expect: 400,
      code: "VALIDATION_ERROR",
      docForbids: true,
    });
    await del("/api/notifications/{id}", { params: { id: first }, token: fan.token, expect: 404, code: "NOT_FOUND" });
    await del("/api/notifications/{id}", { params: { id: first }, token: maker.token, expect: 204 });
  });

  flow("unfollow, deletes, logout", async () => {
    await del("/api/users/{id}/follow", { params: { id: maker.id }, token: fan.token, expect: 200 });
    await del("/api/users/{id}/follow", {
      params: { id: "12345" },
      token: fan.token,
      expect: 404,
      code: "NOT_FOUND",
      docForbids: true,
    });
    expect(
      (await del("/api/users/{id}/follow", { params: { id: maker.id }, token: fan.token, expect: 200 })).json.following,
    ).toBe(false);
    await del("/api/projects/{id}", { params: { id: second }, token: fan.token, expect: 403, code: "FORBIDDEN" });
    await del("/api/projects/{id}", { params: { id: second }, token: maker.token, expect: 204 });
    await del("/api/projects/{id}", { params: { id: fanProject }, token: admin.token, expect: 204 });
    await del("/api/projects/{id}", { params: { id: fanProject }, token: admin.token, expect: 404, code: "NOT_FOUND" });
    await post("/api/auth/logout", { cookie: makerLogin, expect: 204 });
    await post("/api/auth/logout", { token: fan.token, expect: 204 });
    await get("/api/me", { token: fan.token, expect: 401, code: "UNAUTHORIZED" });
    await post("/api/auth/logout", { token: fan.token, expect: 401, code: "UNAUTHORIZED" });
  });

  flow("the limit on new projects (10 an hour) answers 429 in the error shape", async () => {
    // Filling the limit up needs no proxy; the answer past it goes through prism.
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${appBase}/api/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${maker.token}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Filler ${i}` }),
      });
      if (res.status === 429) break;
    }
    await post("/api/projects", {
      token: maker.token,
      body: { title: "One too many" },
      expect: 429,
      code: "RATE_LIMITED",
    });
  });

  it("drove every operation of the document through the strict proxy, and refused input to each that takes any", () => {
    const succeeded = new Set(
      exchanges.filter((e) => e.via === "strict" && String(e.status) === documentSuccess[e.op]).map((e) => e.op),
    );
    const refused = new Set(exchanges.filter((e) => e.fromApp && e.status >= 400 && e.status < 500).map((e) => e.op));
    expect(documentOps.filter((op) => !succeeded.has(op))).toEqual([]);
    expect(documentOps.filter((op) => !refused.has(op) && !inputlessOps.has(op))).toEqual([]);
    // Every exchange was about an operation of the document (a typo here would test nothing).
    expect(exchanges.filter((e) => !documentOps.includes(e.op)).map((e) => e.op)).toEqual([]);
  });

  it("documents the health check's answer when the database is gone (503)", { timeout: 60_000 }, async () => {
    const postgres = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
    await postgres.connect();
    try {
      await postgres.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
    } finally {
      await postgres.end();
    }
    const before = problems.length;
    const res = await get("/api/health", { expect: 503 });
    expect(res.json.status).toBe("down");
    expect(problems.slice(before)).toEqual([]);
  });
});
