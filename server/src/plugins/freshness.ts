import { randomUUID } from "node:crypto";
import { coalesceKeyOf, resyncEvent } from "@shared/realtime/events";
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
/** How long a write whose invalidation was lost waits for the other instances' acknowledgements. */
const ANNOUNCE_WAIT_MS = 1000;
/** The links listener's session name: how instances see each other in pg_stat_activity. */
const LINKS_SESSION_PREFIX = "zerostale-links:";
/** PostgreSQL keeps the first 63 bytes of a session's name. */
const sessionName = (instanceId: string) => `${LINKS_SESSION_PREFIX}${instanceId}`.slice(0, 63);

/** On LINKS_CHANNEL: "I could not reach Redis" (acknowledge `ask` when set), or the acknowledgement of an `ask`. */
interface LinkMessage {
  from: string;
  ask?: string;
  ackOf?: string;
}

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
      realtime.emit(rooms.map((room) => ({ room, type: e.type, data: e.data, at, key: coalesceKeyOf(e) })));
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
      // database, which still works. Each stops trusting Redis on receipt, then
      // moves the global generation and resyncs its clients once it can reach
      // Redis again (ADR 006). A lost invalidation waits until every instance
      // listening has acknowledged (ADR 012): only then may the write answer.
      const me = sessionName(config.instanceId);
      const waiting = new Map<string, { missing: Set<string>; done: () => void }>();
      const notify = (msg: LinkMessage) =>
        db.prisma.$executeRaw`SELECT pg_notify(${LINKS_CHANNEL}, ${JSON.stringify(msg)})`;
      const tellOthers = () => notify({ from: config.instanceId });
      /** Tells the others, and returns once every instance listening now has acknowledged. */
      const tellOthersAndWait = async () => {
        // Whoever connects later moves the global generation before it trusts Redis anyway.
        const peers = new Set((await db.sessionsNamed(LINKS_SESSION_PREFIX)).filter((n) => n !== me));
        if (!peers.size) return void (await tellOthers());
        const ask = randomUUID();
        let timer: NodeJS.Timeout | undefined;
        const acked = new Promise<boolean>((resolve) => {
          waiting.set(ask, { missing: peers, done: () => resolve(true) });
          timer = setTimeout(() => resolve(false), ANNOUNCE_WAIT_MS);
        });
        try {
          await notify({ from: config.instanceId, ask });
          if (!(await acked))
            app.log.warn(
              { unacknowledged: [...peers] },
              "instances did not acknowledge a lost invalidation in time; answering anyway",
            );
        } finally {
          clearTimeout(timer);
          waiting.delete(ask);
        }
      };
      // A lost invalidation is announced before the write's response goes out.
      cache.setInvalidationLostHandler(tellOthersAndWait);
      let lastBroadcast = 0;
      let pending: NodeJS.Timeout | null = null;
      const broadcast = () => {
        lastBroadcast = Date.now();
        tellOthers().catch((err) =>
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
          let msg: LinkMessage;
          try {
            msg = JSON.parse(raw);
          } catch {
            return;
          }
          if (msg.from === config.instanceId) return;
          if (msg.ackOf) {
            const w = waiting.get(msg.ackOf); // only our own questions are in the map
            w?.missing.delete(sessionName(msg.from));
            if (w && !w.missing.size) w.done();
            return;
          }
          // Synchronous: from here on this instance serves nothing from Redis
          // until it has moved the global generation.
          redis.markDown(`instance ${msg.from} could not reach redis`, { announced: true });
          if (msg.ask)
            notify({ from: config.instanceId, ackOf: msg.ask }).catch((err) =>
              app.log.warn({ err }, "could not acknowledge a lost invalidation"),
            );
        },
        () => redis.markDown("links listener reconnected", { announced: true }),
        { as: me },
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
