import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import type { Redis } from "ioredis";
import type { RedisLink } from "../cache/redis-link.js";
import type { Config } from "../config/env.js";
import { type Deliver, type EventBus, MemoryBus, RedisBus } from "../freshness/bus.js";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { RealtimeServer } from "./socket-server.js";

export interface Instances {
  bus: EventBus;
  close(): Promise<void>;
}

/**
 * Joins this instance to the others. With Redis (server mode): Socket.IO's
 * Redis adapter for room management, and the sequenced event bus (RedisBus)
 * for envelopes, each on connections of their own opened from the link.
 * Without: the in-process bus (embedded mode).
 */
export async function joinInstances(
  io: RealtimeServer,
  link: RedisLink | null,
  config: Pick<Config, "redisKeyPrefix" | "redisCluster" | "instanceId">,
  deliver: Deliver,
  metrics: Metrics,
  log: Logger,
): Promise<Instances> {
  if (!link) {
    const bus = new MemoryBus(deliver);
    return { bus, close: () => bus.close() };
  }
  const pub = link.open();
  const sub = link.open({}, { sharded: true });
  const events = link.open({ autoResubscribe: false }, { sharded: true });
  const connections: Redis[] = [pub, sub, events];
  const bus = new RedisBus(
    link,
    events,
    config.redisKeyPrefix,
    deliver,
    metrics,
    log,
    config.redisCluster !== null,
    config.instanceId,
  );
  await Promise.allSettled([pub.connect(), sub.connect(), events.connect()]);
  // On a cluster the adapter uses sharded pub/sub (Redis 7+): a message goes to the
  // shard owning its channel, not to every node of the cluster.
  io.adapter(
    config.redisCluster
      ? // Without the key prefix's hash tag: the adapter's channels may spread over the shards.
        createShardedAdapter(pub, sub, { channelPrefix: `${config.redisKeyPrefix.replace(/[{}]/g, "")}socket.io` })
      : createAdapter(pub, sub, { key: `${config.redisKeyPrefix}socket.io` }),
  );
  await bus.start();
  return {
    bus,
    close: async () => {
      await bus.close();
      for (const c of connections) c.disconnect();
    },
  };
}
