import fp from "fastify-plugin";
import { Cache } from "../cache/cache.js";
import { MemoryStore } from "../cache/memory-store.js";
import { RedisStore } from "../cache/redis-store.js";
import type { CacheStore } from "../cache/store.js";

declare module "fastify" {
  interface FastifyInstance {
    cache: Cache;
    /** The cache's backing store (also used for rate limits). */
    store: CacheStore;
  }
}

/**
 * The cache: Redis in server mode, process memory in embedded mode. When Redis
 * is unreachable the app keeps serving from the database; the link moves the
 * global generation before the cache is trusted again.
 */
export default fp(
  async (app) => {
    const { config, metrics, redis: link } = app;
    let store: CacheStore;
    if (link) {
      const redisStore = new RedisStore(link.client, config.redisKeyPrefix);
      link.setRestartReset(() => redisStore.bump(["*"]));
      store = redisStore;
    } else {
      store = new MemoryStore();
      metrics.cacheHealthy.set(1);
    }
    const cache = new Cache(
      store,
      config.cacheDisabled ? () => false : link ? () => link.up : () => true,
      link ? (reason) => link.markDown(reason) : () => {},
      metrics,
      app.log,
      config.cacheTtlSeconds,
    );
    app.decorate("cache", cache);
    app.decorate("store", store);
  },
  { name: "cache", dependencies: ["config", "metrics", "redis"] },
);
