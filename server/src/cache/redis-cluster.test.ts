/**
 * Server mode on a Redis Cluster (REDIS_CLUSTER_NODES): a three-master cluster
 * of the test's own and two app instances on it. Writes on one instance are
 * read fresh on the other, events reach a client on the other instance with
 * gap-free seqs, and a logout ends private subscriptions across instances
 * (the Socket.IO adapter on sharded pub/sub).
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp } from "../../test/fixture.js";
import { call, connectSocket, createProject, signup, waitFor } from "../../test/helpers.js";
import { type OwnRedisCluster, startRedisCluster } from "../../test/redis-cluster.js";
import { loadConfig } from "../config/env.js";

let cluster: OwnRedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 60_000);
afterAll(() => cluster?.stop());
const onCluster = () => ({ redisUrl: null, redisCluster: cluster.nodes, redisKeyPrefix: "{zst-cluster}:" });
const a = testApp(() => ({ listen: true, config: onCluster() }));
const b = testApp(() => ({ listen: true, share: a, config: onCluster() }));

describe("Redis Cluster", () => {
  it("REDIS_CLUSTER_NODES selects server mode, with every key of the app in one hash slot", () => {
    const c = loadConfig({
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x",
      REDIS_CLUSTER_NODES: "10.0.0.1:7000,10.0.0.2:7001",
      JWT_SECRET: "x".repeat(32),
    });
    expect(c.mode).toBe("server");
    expect(c.redisCluster).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "10.0.0.2", port: 7001 },
    ]);
    expect(c.redisKeyPrefix).toBe("{zs}:");
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: "nope" })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it("reports healthy", async () => {
    const health = (await call(b.app, "GET", "/api/health")).json();
    expect(health.cache).toMatchObject({ up: true, kind: "redis" });
    expect(health.realtime).toMatchObject({ up: true, adapter: "redis" });
  });

  it("a write on one instance is read fresh on the other", async () => {
    const owner = await signup(a.app);
    const project = await createProject(a.app, owner, { title: "Before" });
    expect((await call(b.app, "GET", `/api/projects/${project.id}`)).json().title).toBe("Before"); // cached on B
    const patched = await call(a.app, "PATCH", `/api/projects/${project.id}`, {
      token: owner.token,
      body: { title: "After" },
    });
    expect(patched.statusCode).toBe(200);
    expect((await call(b.app, "GET", `/api/projects/${project.id}`)).json().title).toBe("After");

    // The entries really live on the cluster, all on the node owning the prefix's slot.
    const perNode = await Promise.all(
      cluster.nodes.map(async (n) => {
        const r = new Redis(n);
        try {
          return await r.keys("*");
        } finally {
          r.disconnect();
        }
      }),
    );
    const withKeys = perNode.filter((keys) => keys.length > 0);
    expect(withKeys).toHaveLength(1);
    expect(withKeys[0]!.every((k) => k.startsWith("{zst-cluster}:"))).toBe(true);
  });

  it("events of writes on both instances reach a client on B with gap-free seqs", async () => {
    const owner = await signup(a.app);
    const { id } = await createProject(a.app, owner);
    const voters = await Promise.all(Array.from({ length: 8 }, (_, i) => signup(i % 2 ? a.app : b.app)));
    const s = await connectSocket(b.app);
    try {
      const ack = await s.subscribe(`project:${id}`);
      expect(ack.ok).toBe(true);
      await Promise.all(
        voters.map((v, i) => call(i % 2 ? a.app : b.app, "POST", `/api/projects/${id}/upvote`, { token: v.token })),
      );
      await waitFor(() => s.of("vote:cast", `project:${id}`).length === 8, 5000, "eight vote:cast envelopes");
      const seqs = s.received.filter((e) => e.room === `project:${id}`).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => ack.seq! + 1 + i));
      // Each event is its vote's snapshot, taken under the project's row lock: one of each count.
      // (Two instances publish concurrently, so seq order need not be commit order; clients refetch.)
      const counts = s.of("vote:cast", `project:${id}`).map((e) => (e.data as { upvotes: number }).upvotes);
      expect([...counts].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await call(b.app, "GET", `/api/projects/${id}`)).json()).toMatchObject({ upvotes: 8 });
      // Both instances receive the events on the shard channel (SSUBSCRIBE), not on cluster-wide pub/sub.
      const subscribers = await Promise.all(
        cluster.nodes.map(async (n) => {
          const r = new Redis(n);
          try {
            const [, count] = (await r.call("PUBSUB", "SHARDNUMSUB", "{zst-cluster}:events")) as [string, number];
            return Number(count);
          } catch {
            return 0; // MOVED: another node owns the channel's slot
          } finally {
            r.disconnect();
          }
        }),
      );
      expect(subscribers.reduce((a, b) => a + b, 0)).toBe(2);
    } finally {
      s.close();
    }
  });

  it("a logout on A ends the session's private subscriptions on B (sharded adapter)", async () => {
    const u = await signup(a.app);
    const s = await connectSocket(b.app, u.token);
    try {
      expect((await s.subscribe(`user:${u.id}`)).ok).toBe(true);
      const ended = new Promise<void>((resolve) => s.socket.once("session:ended", () => resolve()));
      expect((await call(a.app, "POST", "/api/auth/logout", { token: u.token })).statusCode).toBeLessThan(300);
      await ended;
    } finally {
      s.close();
    }
  });
});
