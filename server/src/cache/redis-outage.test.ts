/**
 * Redis outages: while Redis is unreachable the app serves correct data from
 * the database and events still reach the clients of the instance that made
 * the change; when Redis is back, nothing cached before or during the outage
 * is served, and every client is told to refetch. Runs against a redis-server
 * of its own (never the shared one).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApp, testUsers } from "../../test/fixture.js";
import { call, connectSocket, createProject, type TestContext, waitFor } from "../../test/helpers.js";
import { type OwnRedis, startOwnRedis, startProxy, type TcpProxy } from "../../test/redis-server.js";

let redis: OwnRedis;
let toA: TcpProxy; // instance A reaches Redis through this proxy…
let toB: TcpProxy; // …and B through this one, so either can be cut off alone.
beforeAll(async () => {
  redis = await startOwnRedis();
  toA = await startProxy(redis.port);
  toB = await startProxy(redis.port);
});
afterAll(async () => {
  await toA?.close();
  await toB?.close();
  await redis?.stop();
});
const a = testApp(() => ({ listen: true, config: { redisUrl: toA.url } }));
const b = testApp(() => ({ listen: true, share: a, config: { redisUrl: toB.url } }));
const { owner } = testUsers(a, { owner: {} });
let projectId: string;
beforeAll(async () => {
  projectId = (await createProject(a.app, owner, { title: "before" })).id;
});

const title = async (ctx: TestContext) =>
  (await call(ctx.app, "GET", `/api/projects/${projectId}`)).json().title as string;
/** A metric's value on an instance (the sum over label sets matching `labels`), undefined when absent. */
async function metric(ctx: TestContext, name: string, labels = ""): Promise<number | undefined> {
  const text = (await call(ctx.app, "GET", "/metrics")).body as string;
  const values = text
    .split("\n")
    .filter((l) => l.startsWith(name) && (l[name.length] === " " || l[name.length] === "{") && l.includes(labels))
    .map((l) => Number(l.slice(l.lastIndexOf(" ") + 1)));
  return values.length ? values.reduce((x, y) => x + y, 0) : undefined;
}
const health = async (ctx: TestContext) => (await call(ctx.app, "GET", "/api/health")).json();
const bothUp = () =>
  waitFor(
    async () => (await health(a)).cache.up && (await health(b)).cache.up,
    10_000,
    "both instances trusting redis",
  );

describe("Redis outages", () => {
  beforeEach(async () => {
    await bothUp();
  });
  // Undo whatever a failed test left behind, so it does not fail the next ones too.
  afterEach(async () => {
    redis.resume();
    await Promise.all([toA.heal(), toB.heal()]);
  });

  it("Redis killed and restarted empty: correct data throughout, clients resynced after", async () => {
    expect(await title(a)).toBe("before");
    expect(await title(b)).toBe("before");
    const onA = await connectSocket(a.app);
    const onB = await connectSocket(b.app);
    try {
      await onA.subscribe(`project:${projectId}`);
      const { seq: ackB } = await onB.subscribe(`project:${projectId}`);

      await redis.stop();
      await waitFor(async () => !(await health(a)).cache.up, 5000, "instance A noticing");
      const h = await health(a);
      expect(h.status).toBe("degraded");
      expect(h.database.up).toBe(true);

      const res = await call(a.app, "PATCH", `/api/projects/${projectId}`, {
        token: owner.token,
        body: { title: "during outage" },
      });
      expect(res.statusCode).toBe(200);
      // Straight from the database, on both instances.
      expect(await title(a)).toBe("during outage");
      expect(await title(b)).toBe("during outage");
      // The writer's own clients still get the event.
      await onA.next("project:updated");

      await redis.start();
      await bothUp();
      const recoveredAt = new Date().toISOString();
      // Clients of the other instance missed the event: they get it now (a relay
      // publishes the outbox row once Redis is back), numbered after a jump
      // (Redis restarted empty), so they refetch everything the room covers; or,
      // had the relay not got to it, a resync envelope.
      await waitFor(
        () =>
          onB.of("cache:invalidate").some((e) => e.data.resource === "*") ||
          onB.of("project:updated").some((e) => e.seq !== ackB! + 1),
        5000,
        "B's client told about the change it missed",
      );
      expect(await title(a)).toBe("during outage");
      expect(await title(b)).toBe("during outage");

      // After recovery, events flow across instances again with shared numbers.
      await call(b.app, "PATCH", `/api/projects/${projectId}`, { token: owner.token, body: { title: "after" } });
      // (The outage's write reaches B's clients too, published by a relay once Redis is back: skip it.)
      const [ea, eb] = await Promise.all([
        onA.next("project:updated", (e) => e.at >= recoveredAt),
        onB.next("project:updated", (e) => e.at >= recoveredAt),
      ]);
      expect(ea.seq).toBe(eb.seq);
      expect(await title(a)).toBe("after");
      const metrics = (await call(a.app, "GET", "/metrics")).body;
      expect(metrics).toMatch(/zs_cache_outages_total \d+/);
      expect(Number(/zs_cache_outages_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    } finally {
      onA.close();
      onB.close();
    }
  });

  it("Redis unreachable from every instance, its data kept: nothing cached before the outage is served after it", async () => {
    await call(a.app, "PATCH", `/api/projects/${projectId}`, { token: owner.token, body: { title: "cached" } });
    expect(await title(a)).toBe("cached");
    expect(await title(b)).toBe("cached");

    await Promise.all([toA.cut(), toB.cut()]);
    const res = await call(a.app, "PATCH", `/api/projects/${projectId}`, {
      token: owner.token,
      body: { title: "written while partitioned" },
    });
    expect(res.statusCode).toBe(200);
    expect(await title(a)).toBe("written while partitioned");
    expect(await title(b)).toBe("written while partitioned");

    await Promise.all([toA.heal(), toB.heal()]);
    await bothUp();
    // Redis still holds the "cached" entry under the generations it had: it must not come back.
    expect(await title(a)).toBe("written while partitioned");
    expect(await title(b)).toBe("written while partitioned");
  });

  it("only one instance cut off: the others stop trusting entries it could not invalidate", async () => {
    await call(a.app, "PATCH", `/api/projects/${projectId}`, { token: owner.token, body: { title: "seen by B" } });
    expect(await title(b)).toBe("seen by B"); // cached, B reaches Redis throughout

    await toA.cut();
    const res = await call(a.app, "PATCH", `/api/projects/${projectId}`, {
      token: owner.token,
      body: { title: "written by A, cut off" },
    });
    expect(res.statusCode).toBe(200);
    // A told B through PostgreSQL before it answered: B does not serve its cached entry.
    expect(await title(b)).toBe("written by A, cut off");
    await toA.heal();
    await bothUp();
    expect(await title(a)).toBe("written by A, cut off");
    expect(await title(b)).toBe("written by A, cut off");
  });

  it("a write whose invalidation failed answers only once another instance completed it, without a flush", async () => {
    expect(await title(b)).toBeTypeOf("string"); // cached through B
    const resyncsBefore = (await metric(b, "zs_resync_envelopes_total")) ?? 0;
    const s = await connectSocket(b.app);
    try {
      await s.subscribe(`project:${projectId}`);
      await toA.cut();
      const res = await call(a.app, "PATCH", `/api/projects/${projectId}`, {
        token: owner.token,
        body: { title: "completed by B" },
      });
      expect(res.statusCode).toBe(200);
      // Answered only after B's relay invalidated and published it: nothing left in the outbox.
      expect((await a.sql.query("SELECT count(*)::int AS n FROM zerostale_outbox")).rows[0].n).toBe(0);
      expect(await title(b)).toBe("completed by B");
      // B's client gets the event itself (published once, by B), not a resync.
      const e = await s.next("project:updated");
      expect(e.data).toMatchObject({ projectId });
      expect(s.of("cache:invalidate")).toHaveLength(0);
      expect((await metric(b, "zs_resync_envelopes_total")) ?? 0).toBe(resyncsBefore);
      expect(await metric(b, "zs_outbox_completed_total", 'by="relay"')).toBeGreaterThanOrEqual(1);
    } finally {
      s.close();
      await toA.heal();
    }
  });

  it("Redis frozen with its data kept: nothing cached before the outage is served after it", async () => {
    await call(a.app, "PATCH", `/api/projects/${projectId}`, { token: owner.token, body: { title: "cached" } });
    // Cached on both instances' reads (one Redis, so one entry).
    expect(await title(a)).toBe("cached");
    expect(await title(b)).toBe("cached");

    redis.pause();
    // The write commits; its invalidation cannot reach Redis (it times out).
    const res = await call(a.app, "PATCH", `/api/projects/${projectId}`, {
      token: owner.token,
      body: { title: "written while frozen" },
    });
    expect(res.statusCode).toBe(200);
    expect(await title(a)).toBe("written while frozen");
    expect(await title(b)).toBe("written while frozen");

    redis.resume();
    await bothUp();
    // Redis still holds the "cached" entry and its old generation: it must not come back.
    expect(await title(a)).toBe("written while frozen");
    expect(await title(b)).toBe("written while frozen");
    // And the cache works again (a second read is a hit, still fresh).
    expect(await title(b)).toBe("written while frozen");
  });
});
