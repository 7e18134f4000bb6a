import fp from "fastify-plugin";
import { Cache } from "../cache/cache.js";
import { MemoryStore } from "../cache/memory-store.js";
import { RedisLink, redisTarget } from "../cache/redis-link.js";
import { RedisStore } from "../cache/redis-store.js";
import type { CacheStore } from "../cache/store.js";

declare module "fastify" {
  interface FastifyInstance {
    cache: Cache;
    /** The cache's backing store (also used for rate limits). */
    store: CacheStore;
    /** The Redis command link in server mode, null in embedded mode. */
    redis: RedisLink | null;
  }
}

/**
 * The cache: Redis in server mode, process memory in embedded mode. When Redis
 * is unreachable the app keeps serving from the database; the link moves the
 * global generation before the cache is trusted again.
 */
export default fp(
  async (app) => {
    const { config, metrics } = app;
    let store: CacheStore;
    let link: RedisLink | null = null;
    const target = redisTarget(config);
    if (target) {
      let redisStore: RedisStore | null = null;
      link = new RedisLink(target, app.log, metrics, async () => {
        await redisStore?.bump(["*"]);
      });
      redisStore = new RedisStore(link.client, config.redisKeyPrefix);
      store = redisStore;
      await link.connect();
    } else {
      store = new MemoryStore();
      metrics.cacheHealthy.set(1);
    }
    const l = link;
    const cache = new Cache(
      store,
      config.cacheDisabled ? () => false : l ? () => l.up : () => true,
      l ? (reason) => l.markDown(reason) : () => {},
      metrics,
      app.log,
      config.cacheTtlSeconds,
    );
    app.decorate("cache", cache);
    app.decorate("store", store);
    app.decorate("redis", link);
    app.addHook("onClose", async () => {
      await link?.close();
    });
  },
  { name: "cache", dependencies: ["config", "metrics"] },
);
