/**
 * The embedded mode (no DATABASE_URL / REDIS_URL): PGlite on disk, in-process
 * cache and realtime. The same code paths as the server mode, smoke-tested end
 * to end, including a restart on the same data directory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, connectSocket, signup } from "../test/helpers.js";
import { buildApp } from "./app.js";
import { loadConfig } from "./config/env.js";
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD } from "./db/seed.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zs-embedded-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const start = async () => {
  const app = await buildApp({ config: loadConfig({ DATA_DIR: dir, LOG_LEVEL: "silent" }), logger: false, web: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return app;
};

describe("embedded mode", () => {
  it("seeds on first start, serves the API, delivers events, and reports its health", {
    timeout: 150_000,
  }, async () => {
    const app = await start();
    try {
      const health = (await call(app, "GET", "/api/health")).json();
      expect(health).toMatchObject({
        status: "ok",
        mode: "embedded",
        database: { up: true, kind: "pglite", listening: true },
        cache: { up: true, kind: "memory" },
        realtime: { up: true, adapter: "memory" },
      });
      const feed = (await call(app, "GET", "/api/projects")).json();
      expect(feed.total).toBeGreaterThan(5); // demo data
      const login = await call(app, "POST", "/api/auth/login", {
        body: { email: DEMO_ADMIN_EMAIL, password: DEMO_PASSWORD },
      });
      expect(login.json().user.role).toBe("admin");

      const me = await signup(app);
      const project = feed.items[0];
      const s = await connectSocket(app);
      try {
        const ack = await s.subscribe(`project:${project.id}`);
        expect(ack.ok).toBe(true);
        expect((await call(app, "POST", `/api/projects/${project.id}/upvote`, { token: me.token })).statusCode).toBe(
          200,
        );
        const e = await s.next("vote:cast");
        expect(e.seq).toBe(ack.seq! + 1);
        expect((await call(app, "GET", `/api/projects/${project.id}`, { token: me.token })).json().myVote).toBe(1);

        // A write that does not go through the API (PGlite NOTIFY works in-process).
        await app.db.prisma.$executeRaw`UPDATE projects SET title = 'Changed outside' WHERE id = ${project.id}::uuid`;
        const inv = await s.next("cache:invalidate");
        expect(inv.data).toMatchObject({ resource: "projects", action: "update", id: project.id });
        expect((await call(app, "GET", `/api/projects/${project.id}`)).json().title).toBe("Changed outside");
      } finally {
        s.close();
      }
    } finally {
      await app.close();
    }
  });

  it("keeps its data across a restart, without seeding or migrating again", { timeout: 150_000 }, async () => {
    const app = await start();
    try {
      const feed = (await call(app, "GET", "/api/projects?sort=newest&pageSize=100")).json();
      expect(feed.items.some((p: { title: string }) => p.title === "Changed outside")).toBe(true);
      const users = await app.db.prisma.user.count({ where: { email: DEMO_ADMIN_EMAIL } });
      expect(users).toBe(1);
    } finally {
      await app.close();
    }
  });
});
