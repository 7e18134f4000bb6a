import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";

/** Connection options shared by every Redis connection of the app. */
export function redisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    // Reconnect quickly: the sooner every instance is back, the shorter the
    // window in which instances disagree about the cache (see ADR 006).
    retryStrategy: (times) => Math.min(25 * times, 500),
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    ...overrides,
  };
}

/** Where Redis is: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisTarget = { url: string } | { cluster: { host: string; port: number }[] };

export function redisTarget(config: {
  redisUrl: string | null;
  redisCluster: { host: string; port: number }[] | null;
}): RedisTarget | null {
  if (config.redisCluster) return { cluster: config.redisCluster };
  return config.redisUrl ? { url: config.redisUrl } : null;
}

/**
 * A connection of the app to Redis. On a cluster it is an ioredis Cluster, which
 * routes each command (and script) to the node owning its keys' slot; its
 * interface is the client's, so the rest of the app does not tell them apart.
 */
export function connectRedis(
  target: RedisTarget,
  overrides: RedisOptions = {},
  opts: { sharded?: boolean } = {},
): Redis {
  if ("url" in target) return new Redis(target.url, redisOptions(overrides));
  const { enableOfflineQueue, lazyConnect, ...perNode } = redisOptions(overrides);
  return new Cluster(target.cluster, {
    redisOptions: perNode,
    lazyConnect: lazyConnect ?? true,
    enableOfflineQueue: enableOfflineQueue ?? true,
    clusterRetryStrategy: (times) => Math.min(25 * times, 500),
    // Sharded pub/sub (SSUBSCRIBE) needs a subscriber per master, each serving its slots.
    shardedSubscribers: opts.sharded ?? false,
  }) as unknown as Redis;
}

/**
 * The command connection to Redis and its health. Commands fail fast while the
 * link is down (no offline queue: a queued invalidation executed later is worse
 * than none). A failure concerns this instance only (ADR 014): invalidations
 * that failed stay in the outbox, so the link is trusted again once the
 * recovery has completed every change that is due (see OutboxRelay.drain), and
 * the global generation moves only when Redis itself restarted (it may have
 * come back with old data).
 *
 * Emits "down" when it stops being trusted and "up" once trusted again.
 */
export class RedisLink extends EventEmitter<{
  up: [recovered: boolean];
  down: [reason: string];
}> {
  readonly client: Redis;
  private trusted = false;
  /** Counts failures; a probe that raced with a newer failure must run again. */
  private debt = 0;
  private everUp = false;
  private probing = false;
  private closed = false;
  private readonly dependencies: (() => boolean)[] = [];
  private runId: string | null = null;
  private resetCache: () => Promise<void> = async () => {};
  private recovery: () => Promise<void> = async () => {};

  constructor(
    private readonly target: RedisTarget,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    super();
    this.client = connectRedis(target, { enableOfflineQueue: false, commandTimeout: 1000 });
    this.client.on("ready", () => void this.probe());
    this.client.on("close", () => this.markDown("connection closed"));
    this.client.on("error", (err) => this.log.debug({ err }, "redis error"));
    this.metrics.cacheHealthy.set(0);
  }

  async connect(timeoutMs = 3000): Promise<void> {
    this.client.connect().catch((err) => this.log.warn({ err }, "redis is not reachable yet; serving uncached"));
    const deadline = Date.now() + timeoutMs;
    while (!this.trusted && Date.now() < deadline) await sleep(20);
  }

  get up(): boolean {
    return this.trusted;
  }

  /**
   * Another connection the link must not be trusted without (the event
   * subscription: envelopes published while it was away are lost to this
   * instance's clients, so its return must trigger a resync too).
   */
  dependOn(ready: () => boolean) {
    this.dependencies.push(ready);
  }

  /** What must succeed before the link is trusted again (completing the changes that are due). */
  setRecovery(recovery: () => Promise<void>) {
    this.recovery = recovery;
  }

  /** Moves the cache's global generation; run when Redis restarted (it may be back with old data), before the link is trusted. */
  setRestartReset(reset: () => Promise<void>) {
    this.resetCache = reset;
  }

  /**
   * Another connection to the same Redis, for what cannot share the command
   * connection (pub/sub). It only reconnects: its outages matter through this
   * link (a user that needs it says so with dependOn). The caller connects and
   * closes it.
   */
  open(overrides: RedisOptions = {}, opts: { sharded?: boolean } = {}): Redis {
    const c = connectRedis(this.target, overrides, opts);
    c.on("error", (err) => this.log.debug({ err }, "redis (pub/sub) error"));
    return c;
  }

  /** Re-evaluates trust now (a dependency became ready). */
  recheck() {
    if (!this.trusted && this.client.status === "ready") void this.probe();
  }

  /**
   * Called when a command failed: the link is not trusted until a probe has
   * run the recovery after this call. Nothing is told to the other instances:
   * what this failure may have left stale is in the outbox, which their relays
   * complete.
   */
  markDown(reason: string) {
    if (this.closed) return;
    this.debt++;
    if (this.trusted) {
      this.trusted = false;
      this.metrics.cacheHealthy.set(0);
      this.metrics.cacheOutages.inc();
      this.log.warn({ reason }, "redis link down: serving from the database, delivering events locally");
      this.emit("down", reason);
    }
    if (this.client.status === "ready") void this.probe();
  }

  private async probe() {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      while (!this.trusted && !this.closed) {
        if (this.client.status !== "ready") return; // the "ready" event will start a new probe
        if (!this.dependencies.every((ready) => ready())) return; // recheck() will start a new probe
        try {
          const debt = this.debt;
          const runId = /run_id:(\w+)/.exec(await this.client.info("server"))?.[1] ?? null;
          if (this.runId !== null && runId !== this.runId) await this.resetCache();
          this.runId = runId;
          await this.recovery();
          if (debt !== this.debt) continue; // failed again meanwhile: move the generation once more
          const recovered = this.everUp;
          this.everUp = true;
          this.trusted = true;
          this.metrics.cacheHealthy.set(1);
          if (recovered) this.log.info("redis link recovered: cache generation moved, clients resynced");
          this.emit("up", recovered);
        } catch (err) {
          this.log.debug({ err }, "redis probe failed");
          await sleep(100);
        }
      }
    } finally {
      this.probing = false;
    }
  }

  async close() {
    this.closed = true;
    this.trusted = false;
    this.client.disconnect();
  }
}
