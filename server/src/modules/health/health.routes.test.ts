/** Health and metrics in server mode (the embedded mode's health is covered by embedded.test.ts). */
import { describe, expect, it } from "vitest";
import { testApp } from "../../../test/fixture.js";
import { call, connectSocket, createProject, setupApp, signup } from "../../../test/helpers.js";

const ctx = testApp({ listen: true });

it("reports the database, the cache and the realtime link in server mode", async () => {
  const res = await call(ctx.app, "GET", "/api/health");
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({
    status: "ok",
    mode: "server",
    database: { up: true, kind: "postgres", listening: true },
    cache: { up: true, kind: "redis" },
    realtime: { up: true, adapter: "redis" },
  });
  expect(typeof res.json().database.latencyMs).toBe("number");
});

it("exposes the freshness metrics in Prometheus format", async () => {
  const u = await signup(ctx.app);
  const p = await createProject(ctx.app, u);
  const s = await connectSocket(ctx.app);
  await s.subscribe("feed");
  await call(ctx.app, "GET", `/api/projects/${p.id}`);
  await call(ctx.app, "GET", `/api/projects/${p.id}`);
  await call(ctx.app, "POST", `/api/projects/${p.id}/upvote`, { token: u.token });
  await s.next("vote:cast");
  await ctx.sql.query("UPDATE projects SET title = 'metrics' WHERE id = $1", [p.id]);
  await s.next("cache:invalidate");
  const res = await call(ctx.app, "GET", "/metrics");
  s.close();
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/text\/plain/);
  const text = res.body;
  for (const [name, pattern] of [
    ["HTTP latency", /zs_http_request_duration_seconds_bucket\{[^}]*route="\/api\/projects\/:id"/],
    ["cache hits", /zs_cache_requests_total\{result="hit"\} [1-9]/],
    ["cache misses", /zs_cache_requests_total\{result="miss"\} [1-9]/],
    ["cache errors", /# TYPE zs_cache_errors_total counter/],
    ["invalidations", /zs_cache_invalidations_total [1-9]/],
    ["events per type", /zs_events_emitted_total\{type="vote:cast"\} [1-9]/],
    ["sockets", /zs_sockets_connected [1-9]/],
    ["NOTIFY received", /zs_db_notify_received_total\{table="projects"\} [1-9]/],
    ["commit → emit latency", /zs_commit_to_emit_seconds_count [1-9]/],
    ["process metrics", /process_cpu_user_seconds_total/],
  ] as const)
    expect(text, name).toMatch(pattern);
});

it("tells nothing about the host: no host name, process id or versions", async () => {
  const { hostname } = await import("node:os");
  const res = await call(ctx.app, "GET", "/api/health");
  const text = res.body;
  expect(text).not.toContain(hostname());
  expect(text).not.toMatch(/"(pid|hostname|host|version|versions|node)"/i);
  expect(text).not.toContain(process.version);
  const walk = (v: unknown): unknown[] => (v && typeof v === "object" ? Object.values(v).flatMap(walk) : [v]);
  expect(walk(res.json())).not.toContain(process.pid);
  expect(String(res.json().instance)).not.toContain(String(process.pid));
});

describe("GET /metrics", () => {
  it("answers loopback clients without a token, and refuses others and proxied requests", async () => {
    expect((await ctx.app.inject({ url: "/metrics", remoteAddress: "127.0.0.1" })).statusCode).toBe(200);
    expect((await ctx.app.inject({ url: "/metrics", remoteAddress: "::1" })).statusCode).toBe(200);
    const remote = await ctx.app.inject({ url: "/metrics", remoteAddress: "203.0.113.9" });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().error.code).toBe("FORBIDDEN");
    expect(remote.body).not.toMatch(/zs_/);
    const proxied = await ctx.app.inject({
      url: "/metrics",
      remoteAddress: "127.0.0.1",
      headers: { "x-forwarded-for": "203.0.113.9" },
    });
    expect(proxied.statusCode).toBe(403);
  });

  it("requires the bearer token when METRICS_TOKEN is set, from loopback too", async () => {
    const tokenCtx = await setupApp({ share: ctx, config: { metricsToken: "metrics-token-0123456789" } });
    try {
      const get = (authorization?: string, remoteAddress = "127.0.0.1") =>
        tokenCtx.app.inject({ url: "/metrics", remoteAddress, headers: authorization ? { authorization } : {} });
      expect((await get()).statusCode).toBe(401);
      expect((await get()).json().error.code).toBe("UNAUTHORIZED");
      expect((await get("Bearer wrong")).statusCode).toBe(401);
      expect((await get("Bearer metrics-token-012345678X")).statusCode).toBe(401);
      const ok = await get("Bearer metrics-token-0123456789", "203.0.113.9");
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toMatch(/zs_http_request_duration_seconds/);
    } finally {
      await tokenCtx.close();
    }
  });
});
