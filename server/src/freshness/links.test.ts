/**
 * Sick links stay local (ADR 014): a stalled event subscription is noticed by
 * its heartbeat within 2 s, reported, reconnected, and only its instance's
 * clients resync; one instance's hung Redis link or a paused process does not
 * flush the other instances nor resync their clients. And subscribe acks agree
 * with the stream: nothing numbered at or below the ack arrives after it.
 * Runs against a redis-server of its own, through proxies.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApp, testUsers } from "../../test/fixture.js";
import {
  call,
  connectSocket,
  createProject,
  settle,
  signup,
  startInstance,
  type TestContext,
  type TestSocket,
  waitFor,
} from "../../test/helpers.js";
import { type OwnRedis, startOwnRedis, startProxy, type TcpProxy } from "../../test/redis-server.js";

let redis: OwnRedis;
let toA: TcpProxy;
beforeAll(async () => {
  redis = await startOwnRedis();
  toA = await startProxy(redis.port);
});
afterAll(async () => {
  await toA?.close();
  await redis?.stop();
});
const a = testApp(() => ({ listen: true, config: { redisUrl: toA.url, coalesceWindowMs: 0 } }));
const b = testApp(() => ({ listen: true, share: a, config: { redisUrl: redis.url, coalesceWindowMs: 0 } }));
const { owner } = testUsers(b, { owner: {} });
let projectId: string;
beforeAll(async () => {
  projectId = (await createProject(b.app, owner, { title: "start" })).id;
});
// After-hooks run last to first: the proxy flows again before the instances close.
afterAll(() => toA?.unstall());

const health = async (ctx: TestContext) => (await call(ctx.app, "GET", "/api/health")).json();
const bothUp = () =>
  waitFor(async () => (await health(a)).cache.up && (await health(b)).cache.up, 15_000, "both trusting redis");
/** A metric's value on an instance (summed over label sets), 0 when absent. */
async function metric(ctx: TestContext, name: string): Promise<number> {
  const text = (await call(ctx.app, "GET", "/metrics")).body as string;
  return text
    .split("\n")
    .filter((l) => l.startsWith(name) && (l[name.length] === " " || l[name.length] === "{"))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}
const resyncs = (s: TestSocket) => s.of("cache:invalidate").filter((e) => e.data.resource === "*").length;
const title = async (ctx: TestContext) => (await call(ctx.app, "GET", `/api/projects/${projectId}`)).json().title;

describe("links", () => {
  beforeEach(async () => {
    toA.unstall();
    await bothUp();
  });

  it("a stalled event subscription is detected within 2 s, reported, reconnected, and its clients resynced", async () => {
    const onA = await connectSocket(a.app);
    const onB = await connectSocket(b.app);
    try {
      await onA.subscribe(`project:${projectId}`);
      await onB.subscribe(`project:${projectId}`);
      const channel = `${a.config.redisKeyPrefix}events`;
      const stalledAt = Date.now();
      expect(toA.stall(`subscribe\r\n$${channel.length}\r\n${channel}`)).toBe(1);
      // Not reset, just silent: only the heartbeat can tell.
      await waitFor(async () => (await health(a)).realtime.subscription === false, 2500, "stall reported");
      const detectedMs = Date.now() - stalledAt;
      expect(detectedMs).toBeLessThan(2500);
      await waitFor(async () => (await metric(a, "zs_event_subscription_stalls_total")) >= 1, 1000, "stall counted");
      // Reconnected on a fresh connection, trusted again; A's clients are told to refetch.
      await bothUp();
      await onA.next("cache:invalidate", (e) => e.data.resource === "*", 5000);
      expect((await health(a)).realtime.subscription).toBe(true);
      // B's clients were never affected.
      expect(resyncs(onB)).toBe(0);
      // Events flow to A's clients again.
      await call(b.app, "PATCH", `/api/projects/${projectId}`, { token: owner.token, body: { title: "after stall" } });
      await onA.next("project:updated", (e) => e.data.projectId === projectId);
      expect(await title(a)).toBe("after stall");
    } finally {
      toA.unstall();
      onA.close();
      onB.close();
    }
  });

  it("one instance's link hung while the other writes: no flush storm, only the hung one's clients resync", async () => {
    const onA = await connectSocket(a.app);
    const onB = await connectSocket(b.app);
    try {
      await onA.subscribe(`project:${projectId}`);
      await onA.subscribe("feed");
      await onB.subscribe(`project:${projectId}`);
      await onB.subscribe("feed");
      const outagesB = await metric(b, "zs_cache_outages_total");
      const resyncMetricB = await metric(b, "zs_resync_envelopes_total");
      toA.stall(); // every connection of A to Redis hangs
      for (let i = 0; i < 20; i++) {
        const res = await call(b.app, "PATCH", `/api/projects/${projectId}`, {
          token: owner.token,
          body: { title: `write ${i}` },
        });
        expect(res.statusCode).toBe(200);
        expect(await title(b)).toBe(`write ${i}`);
      }
      // A, hung, serves from the database once its commands time out: correct throughout.
      expect(await title(a)).toBe("write 19");
      toA.unstall();
      await bothUp();
      await settle(500);
      // B never distrusted Redis and never resynced anyone.
      expect(await metric(b, "zs_cache_outages_total")).toBe(outagesB);
      expect(await metric(b, "zs_resync_envelopes_total")).toBe(resyncMetricB);
      expect(resyncs(onB)).toBe(0);
      // A's clients: at most one resync per room (2 rooms), not one per write.
      expect(resyncs(onA)).toBeLessThanOrEqual(2);
      expect(onB.of("project:updated", `project:${projectId}`)).toHaveLength(20);
    } finally {
      toA.unstall();
      onA.close();
      onB.close();
    }
  });

  it("a hung command link with a working subscription: the writer's clients get each event once, in the stream's numbering", async () => {
    const onA = await connectSocket(a.app);
    const onB = await connectSocket(b.app);
    const room = `project:${projectId}`;
    try {
      const ack = (await onA.subscribe(room)) as { seq: number };
      await onB.subscribe(room);
      // Only A's command connection hangs (the one that publishes A's heartbeats and runs the cache and
      // sequencing scripts); its subscription still hears the stream.
      expect(toA.stall('"heartbeat"')).toBe(1);
      for (let i = 0; i < 3; i++) {
        const res = await call(a.app, "PATCH", `/api/projects/${projectId}`, {
          token: owner.token,
          body: { title: `through a hung link ${i}` },
        });
        expect(res.statusCode).toBe(200);
      }
      await waitFor(() => onB.of("project:updated", room).length >= 3, 5000, "B's client got the three");
      await settle(500);
      const mine = onA.received.filter((e) => e.room === room);
      // Once each (a relay published them; A did not deliver them a second time under a number of its own) …
      expect(mine.filter((e) => e.type === "project:updated").map((e) => e.data)).toEqual(
        onB.of("project:updated", room).map((e) => e.data),
      );
      // … numbered by the stream: consecutive from the subscription's ack, as B's client saw them.
      expect(mine.map((e) => e.seq)).toEqual(mine.map((_, i) => ack.seq + 1 + i));
      expect(mine.map((e) => e.seq)).toEqual(onB.received.filter((e) => e.room === room).map((e) => e.seq));
    } finally {
      toA.unstall();
      onA.close();
      onB.close();
    }
  });

  it("subscribe acks agree with the stream: nothing at or below ack.seq arrives after the ack", async () => {
    const voters = await Promise.all(Array.from({ length: 40 }, () => signup(b.app)));
    const s = await connectSocket(a.app);
    const room = `project:${projectId}`;
    let stop = false;
    const problems: string[] = [];
    try {
      // Votes through B, as fast as they go, while A's client resubscribes over and over.
      const writes = (async () => {
        for (let i = 0; !stop; i++) {
          const v = voters[i % voters.length]!;
          await call(b.app, "POST", `/api/projects/${projectId}/${i % 2 ? "upvote" : "downvote"}`, { token: v.token });
        }
      })();
      for (let round = 0; round < 25; round++) {
        await s.socket.timeout(5000).emitWithAck("unsubscribe", { room });
        // Where the stream stood when the ack arrived: read in the ack callback, which
        // socket.io-client runs in order with the envelopes (a promise would resolve later).
        let from = 0;
        const ack = await new Promise<{ seq: number }>((resolve) =>
          s.socket.emit("subscribe", { room }, (r: { seq: number }) => {
            from = s.received.length;
            resolve(r);
          }),
        );
        await sleep(40);
        const after = s.received.slice(from).filter((e) => e.room === room);
        after.forEach((e, i) => {
          if (e.seq !== ack.seq + 1 + i) problems.push(`round ${round}: ack ${ack.seq}, got ${e.seq} at ${i}`);
        });
        await s.socket.timeout(5000).emitWithAck("unsubscribe", { room });
        await sleep(10);
      }
      stop = true;
      await writes;
    } finally {
      stop = true;
      s.close();
    }
    expect(problems).toEqual([]);
  });

  it("a process paused for 1.5 s (SIGSTOP) flushes nobody else's cache and resyncs nobody else's clients", async () => {
    const { child, base } = await startInstance(b);
    const onA = await connectSocket(a.app);
    const onB = await connectSocket(b.app);
    try {
      await onA.subscribe(`project:${projectId}`);
      await onB.subscribe(`project:${projectId}`);
      const before = {
        outagesA: await metric(a, "zs_cache_outages_total"),
        outagesB: await metric(b, "zs_cache_outages_total"),
      };
      // Keep it busy with a read, so commands are in flight when it stops.
      void fetch(`${base}/api/projects/${projectId}`).catch(() => {});
      child.kill("SIGSTOP");
      await sleep(1500);
      child.kill("SIGCONT");
      await sleep(2500); // its command timeouts fire on resume, and it recovers
      await call(b.app, "PATCH", `/api/projects/${projectId}`, { token: owner.token, body: { title: "after pause" } });
      await onA.next("project:updated", (e) => e.data.projectId === projectId);
      expect(await title(a)).toBe("after pause");
      expect(await metric(a, "zs_cache_outages_total")).toBe(before.outagesA);
      expect(await metric(b, "zs_cache_outages_total")).toBe(before.outagesB);
      expect(resyncs(onA)).toBe(0);
      expect(resyncs(onB)).toBe(0);
      expect((await fetch(`${base}/api/projects/${projectId}`).then((r) => r.json())).title).toBe("after pause");
    } finally {
      child.kill("SIGCONT");
      child.kill("SIGKILL");
      onA.close();
      onB.close();
    }
  });
});
