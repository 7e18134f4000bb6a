/** SPEC "Security contract": headers on every response, private responses not stored, cross-site writes refused. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp, testUsers } from "../../test/fixture.js";
import { baseUrl, call, testConfig } from "../../test/helpers.js";
import { buildApp } from "../app.js";

const ctx = testApp({ listen: true, config: { allowedOrigins: ["https://partner.example"] } });
const proxied = testApp({ share: ctx, config: { trustProxy: true } });
const { alice } = testUsers(ctx, { alice: {} });
let web: FastifyInstance;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "zs-sec-"));
  await mkdir(join(root, "assets"));
  await writeFile(join(root, "index.html"), "<!doctype html><title>Zerostale</title>");
  await writeFile(join(root, "assets", "app-abc123.js"), "console.log(1)");
  web = await buildApp({ config: testConfig(ctx.db.url), logger: false, webRoot: root, migrate: false });
  await web.ready();
});
afterAll(async () => {
  await web?.close();
  await rm(root, { recursive: true, force: true });
});

const expectSecurityHeaders = (headers: Record<string, unknown>, what: string) => {
  const csp = String(headers["content-security-policy"]);
  expect(csp, what).toMatch(/script-src 'self'(;|$)/);
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["referrer-policy"], what).toBeTruthy();
};

describe("security headers", () => {
  it("are on API answers, errors, 404s, /metrics, static files and the SPA fallback", async () => {
    const cases: [string, () => Promise<{ statusCode: number; headers: Record<string, unknown> }>, number][] = [
      ["feed", () => call(ctx.app, "GET", "/api/projects"), 200],
      ["health", () => call(ctx.app, "GET", "/api/health"), 200],
      ["me", () => call(ctx.app, "GET", "/api/me", { token: alice.token }), 200],
      ["401", () => call(ctx.app, "GET", "/api/me"), 401],
      ["400", () => call(ctx.app, "POST", "/api/auth/signup", { body: {} }), 400],
      [
        "bad json",
        () =>
          ctx.app.inject({
            method: "POST",
            url: "/api/auth/signup",
            headers: { "content-type": "application/json" },
            payload: "{",
          }),
        400,
      ],
      ["api 404", () => call(ctx.app, "GET", "/api/nothing-here"), 404],
      ["malformed path", () => ctx.app.inject({ method: "GET", url: "/api/projects/%E0%A4%A" }), 400],
      ["metrics", () => call(ctx.app, "GET", "/metrics"), 200],
      ["index", () => web.inject({ url: "/" }), 200],
      ["asset", () => web.inject({ url: "/assets/app-abc123.js" }), 200],
      ["deep link", () => web.inject({ url: "/projects/abc" }), 200],
    ];
    for (const [what, run, status] of cases) {
      const res = await run();
      expect(res.statusCode, what).toBe(status);
      expectSecurityHeaders(res.headers, what);
    }
  });

  it("are on the answer to a broken HTTP head, written on the socket", async () => {
    const { connect: tcp } = await import("node:net");
    const port = new URL(baseUrl(ctx.app)).port;
    const raw = await new Promise<string>((resolve, reject) => {
      const s = tcp(Number(port), "127.0.0.1", () => s.write("GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"));
      let out = "";
      s.on("data", (d) => {
        out += d.toString();
      });
      s.on("end", () => resolve(out));
      s.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1.1 400/);
    expect(raw).toMatch(/content-security-policy: .*frame-ancestors 'none'/i);
    expect(raw).toMatch(/x-content-type-options: nosniff/i);
    expect(raw).toMatch(/referrer-policy: /i);
  });

  it("responses about the caller say no-store; public reads do not", async () => {
    for (const url of ["/api/me", "/api/conversations", "/api/intros", "/api/notifications"]) {
      const res = await call(ctx.app, "GET", url, { token: alice.token });
      expect(res.headers["cache-control"], url).toBe("no-store");
    }
    const login = await call(ctx.app, "POST", "/api/auth/login", {
      body: { email: alice.email, password: "correct horse battery" },
    });
    expect(login.headers["cache-control"]).toBe("no-store");
    expect((await call(ctx.app, "GET", "/api/projects")).headers["cache-control"]).toBeUndefined();
  });

  it("sends HSTS and a Secure cookie only over HTTPS, trusting X-Forwarded-Proto only under TRUST_PROXY", async () => {
    const login = (app: FastifyInstance, headers: Record<string, string> = {}) =>
      call(app, "POST", "/api/auth/login", {
        body: { email: alice.email, password: "correct horse battery" },
        headers,
      });
    const plain = await login(ctx.app);
    expect(String(plain.headers["set-cookie"])).not.toMatch(/Secure/i);
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
    const spoofed = await login(ctx.app, { "x-forwarded-proto": "https" });
    expect(String(spoofed.headers["set-cookie"])).not.toMatch(/Secure/i);
    expect(spoofed.headers["strict-transport-security"]).toBeUndefined();
    const viaProxy = await login(proxied.app, { "x-forwarded-proto": "https" });
    expect(viaProxy.statusCode).toBe(200);
    expect(String(viaProxy.headers["set-cookie"])).toMatch(/Secure/i);
    expect(viaProxy.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    const health = await call(proxied.app, "GET", "/api/health", { headers: { "x-forwarded-proto": "https" } });
    expect(health.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
  });
});

describe("cross-site requests", () => {
  const countProjects = async () => Number((await ctx.sql.query("SELECT count(*) FROM projects")).rows[0].count);
  const create = (app: FastifyInstance, headers: Record<string, string>) =>
    call(app, "POST", "/api/projects", { token: alice.token, body: { title: "Cross", description: "x" }, headers });

  it.each([
    ["a foreign Origin", { origin: "https://evil.example" }],
    ["a foreign Origin on another port of the same host", { origin: "http://localhost:1", host: "localhost:80" }],
    ["Origin: null", { origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    [
      "Sec-Fetch-Site: cross-site with a same-origin looking Origin",
      { origin: "http://localhost:80", host: "localhost:80", "sec-fetch-site": "cross-site" },
    ],
  ])("refuses a write with %s: 403 CROSS_SITE, nothing changed", async (_label, headers) => {
    const before = await countProjects();
    const res = await create(ctx.app, headers);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("CROSS_SITE");
    expect(typeof res.json().error.message).toBe("string");
    expect(await countProjects()).toBe(before);
  });

  it("refuses every state-changing method, also on routes that need no sign-in", async () => {
    const origin = { origin: "https://evil.example" };
    for (const [method, url] of [
      ["POST", "/api/auth/signup"],
      ["POST", "/api/auth/login"],
      ["PATCH", "/api/users/me"],
      ["DELETE", "/api/projects/00000000-0000-4000-8000-000000000000"],
      ["PUT", "/api/projects"],
    ] as const) {
      const res = await call(ctx.app, method, url, { token: alice.token, body: {}, headers: origin });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe("CROSS_SITE");
    }
  });

  it("lets same-origin writes, writes without Origin, ALLOWED_ORIGINS and reads through", async () => {
    expect((await create(ctx.app, { origin: "http://app.test:8080", host: "app.test:8080" })).statusCode).toBe(201);
    expect((await create(ctx.app, { "sec-fetch-site": "same-origin" })).statusCode).toBe(201);
    expect((await create(ctx.app, {})).statusCode).toBe(201);
    expect(
      (await create(ctx.app, { origin: "https://partner.example", "sec-fetch-site": "cross-site" })).statusCode,
    ).toBe(201);
    const read = await call(ctx.app, "GET", "/api/projects", {
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(read.statusCode).toBe(200);
  });

  it("takes the app's own origin from X-Forwarded-Host/Proto only under TRUST_PROXY", async () => {
    const fwd = {
      origin: "https://zerostale.example",
      "x-forwarded-host": "zerostale.example",
      "x-forwarded-proto": "https",
    };
    expect((await create(proxied.app, fwd)).statusCode).toBe(201);
    expect((await create(ctx.app, fwd)).statusCode).toBe(403);
  });

  it("refuses a Socket.IO handshake from another origin, accepts its own and ALLOWED_ORIGINS", async () => {
    const url = baseUrl(ctx.app);
    const attempt = (origin: string | undefined) =>
      new Promise<string>((resolve) => {
        const s = connect(url, {
          transports: ["websocket"],
          reconnection: false,
          forceNew: true,
          ...(origin && { extraHeaders: { origin } }),
        });
        s.once("connect", () => {
          s.disconnect();
          resolve("connected");
        });
        s.once("connect_error", (err) => {
          s.disconnect();
          resolve(`refused: ${err.message}`);
        });
      });
    expect(await attempt("https://evil.example")).toMatch(/^refused/);
    expect(await attempt("null")).toMatch(/^refused/);
    expect(await attempt(url)).toBe("connected");
    expect(await attempt("https://partner.example")).toBe("connected");
    expect(await attempt(undefined)).toBe("connected");
  });
});
