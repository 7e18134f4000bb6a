import fp from "fastify-plugin";
import { RedisLink, redisTarget } from "../cache/redis-link.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The Redis command link in server mode (its health, and more connections), null in embedded mode. */
    redis: RedisLink | null;
  }
}

/**
 * The one link to Redis (server mode). The cache, the limits, the realtime
 * part (event bus, Socket.IO adapter) and the outbox relay all go through it:
 * the cache store and the limiters use its command connection, the realtime
 * part opens its pub/sub connections from it, and each says what the link's
 * recovery needs (the cache's reset, the relay's drain, the subscription).
 * Waits (up to 3 s) for Redis at start; the app serves without it meanwhile.
 */
export default fp(
  async (app) => {
    const target = redisTarget(app.config);
    const link = target ? new RedisLink(target, app.log, app.metrics) : null;
    app.decorate("redis", link);
    if (!link) return;
    await link.connect();
    app.addHook("onClose", async () => {
      await link.close();
    });
  },
  { name: "redis", dependencies: ["config", "metrics"] },
);
