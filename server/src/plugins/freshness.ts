import { randomUUID } from "node:crypto";
import { resyncEvent } from "@shared/realtime/events";
import type { Room } from "@shared/realtime/rooms";
import fp from "fastify-plugin";
import { ExternalChanges } from "../freshness/external-changes.js";
import { Freshness } from "../freshness/pipeline.js";

declare module "fastify" {
  interface FastifyInstance {
    freshness: Freshness;
    /** Invalidates the whole cache and tells every client of this instance to refetch. */
    resync(reason: string): Promise<void>;
  }
}

const CLAIM_TTL_MS = 60_000;
/** Instances tell each other through PostgreSQL when they could not reach Redis. */
export const LINKS_CHANNEL = "zerostale_links";
const LOST_BROADCAST_WINDOW_MS = 20;
const ANNOUNCE_WAIT_MS = 250;

export default fp(
  async (app) => {
    const { db, cache, realtime, metrics, redis, config } = app;
    const freshness = new Freshness(db, cache, realtime.emit, metrics, app.log);
    app.decorate("freshness", freshness);

    const resync = async (reason: string) => {
      app.log.info({ reason }, "resyncing clients");
      await cache.invalidate(["*"]);
      const rooms: Room[] = realtime.localRooms();
      const e = resyncEvent();
      const at = new Date().toISOString();
      realtime.emit(rooms.map((room) => ({ room, type: e.type, data: e.data, at, key: "cache:invalidate|resync" })));
    };
    app.decorate("resync", resync);

    // Events of other instances did not reach this one while the link was down.
    redis?.on("up", (recovered) => {
      if (recovered) void resync("redis link recovered");
    });

    if (redis) {
      // A failure seen here (an invalidation or an event that did not get
      // through) may leave entries stale that other instances still trust, and
      // their clients missed the events: tell every instance through the
      // database, which still works. Each then moves the global generation
      // and resyncs its clients once it can reach Redis (ADR 006).
      const echoes = new Map<string, () => void>();
      const announce = async (wait: boolean) => {
        const nonce = randomUUID();
        const heard = new Promise<void>((resolve) => {
          echoes.set(nonce, resolve);
          setTimeout(resolve, ANNOUNCE_WAIT_MS).unref();
        });
        const payload = JSON.stringify({ from: config.instanceId, nonce });
        await db.prisma.$executeRaw`SELECT pg_notify(${LINKS_CHANNEL}, ${payload})`;
        // PostgreSQL delivers a notification to every listener at once: when ours is
        // back, the other instances have it too (and mark their link down on receipt).
        if (wait) await heard;
        echoes.delete(nonce);
      };
      // A lost invalidation is announced before the write's response goes out.
      cache.setInvalidationLostHandler(() => announce(true));
      let lastBroadcast = 0;
      let pending: NodeJS.Timeout | null = null;
      const broadcast = () => {
        lastBroadcast = Date.now();
        announce(false).catch((err) =>
          app.log.warn({ err }, "could not tell the other instances about the redis failure"),
        );
      };
      redis.on("lost", () => {
        const wait = lastBroadcast + LOST_BROADCAST_WINDOW_MS - Date.now();
        if (wait <= 0) broadcast();
        else
          pending ??= setTimeout(() => {
            pending = null;
            broadcast();
          }, wait);
      });
      const unlisten = await db.listen(
        LINKS_CHANNEL,
        (raw) => {
          let msg: { from?: string; nonce?: string };
          try {
            msg = JSON.parse(raw);
          } catch {
            return;
          }
          if (msg.from === config.instanceId) {
            if (msg.nonce) echoes.get(msg.nonce)?.();
            return;
          }
          redis.markDown(`instance ${msg.from} could not reach redis`, { fromPeer: true });
        },
        () => redis.markDown("links listener reconnected", { fromPeer: true }),
      );
      app.addHook("preClose", async () => {
        if (pending) clearTimeout(pending);
        await unlisten();
      });
    }

    const claim = async (key: string) => {
      if (!redis?.up) return true;
      try {
        const ok = await redis.client.set(`${config.redisKeyPrefix}n:${key}`, "1", "PX", CLAIM_TTL_MS, "NX");
        return ok === "OK";
      } catch {
        return true;
      }
    };
    const external = new ExternalChanges(db, freshness, claim, resync, metrics, app.log);
    await external.start();
    app.addHook("preClose", async () => {
      await external.stop();
    });
  },
  { name: "freshness", dependencies: ["db", "cache", "realtime", "metrics"] },
);
