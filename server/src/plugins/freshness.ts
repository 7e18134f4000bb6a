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
      realtime.emit(rooms.map((room) => ({ room, type: e.type, data: e.data, at })));
    };
    app.decorate("resync", resync);

    // Events of other instances did not reach this one while the link was down.
    redis?.on("up", (recovered) => {
      if (recovered) void resync("redis link recovered");
    });

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
