import { coalesceKeyOf, resyncEvent } from "@shared/realtime/events";
import type { Room } from "@shared/realtime/rooms";
import fp from "fastify-plugin";
import { OutboxRelay } from "../freshness/outbox.js";
import { Freshness } from "../freshness/pipeline.js";

declare module "fastify" {
  interface FastifyInstance {
    freshness: Freshness;
    /** Invalidates the whole cache and tells every client of this instance to refetch. */
    resync(reason: string): Promise<void>;
    /** The outbox relay of this instance (ADR 014). */
    relay: OutboxRelay;
  }
}

export default fp(
  async (app) => {
    const { db, cache, realtime, metrics, redis, config } = app;
    const freshness = new Freshness(db, cache, realtime.emit, metrics, app.log, config.testFault);
    app.decorate("freshness", freshness);

    /** Everything may have changed (a bulk write from outside): every client of every instance refetches. */
    const resync = async (reason: string) => {
      await cache.invalidate(["*"]);
      const rooms: Room[] = realtime.localRooms();
      app.log.info({ reason, rooms: rooms.length }, "resyncing clients");
      metrics.resyncs.inc({ reason }, rooms.length);
      const e = resyncEvent();
      const at = new Date().toISOString();
      await realtime.emit(rooms.map((room) => ({ room, type: e.type, data: e.data, at, key: coalesceKeyOf(e) })));
    };
    app.decorate("resync", resync);

    // Events published while this instance's link or subscription was down did
    // not reach its clients: they refetch. Nothing else needs to: what the
    // failure may have left stale was in the outbox, and the link's recovery
    // completed it before trusting Redis again (ADR 014).
    redis?.on("up", (recovered) => {
      if (recovered)
        realtime.resyncLocal("redis link recovered").catch((err) => app.log.warn({ err }, "could not resync clients"));
    });

    const relay = new OutboxRelay(
      db,
      freshness,
      (batch) => realtime.bus.publish(batch, { durable: true }),
      resync,
      () => redis?.up ?? true,
      metrics,
      app.log,
    );
    app.decorate("relay", relay);
    redis?.setRecovery(() => relay.drain({ force: true }));
    await relay.start();
    app.addHook("preClose", async () => {
      await relay.stop();
      await freshness.close();
    });
  },
  { name: "freshness", dependencies: ["db", "cache", "redis", "realtime", "metrics"] },
);
