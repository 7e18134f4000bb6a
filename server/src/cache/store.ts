/**
 * The storage behind the cache, the sequence numbers and the rate limiter:
 * Redis in server mode, process memory in embedded mode. One interface, so the
 * code above it does not know which it runs on.
 *
 * Counters (cache generations, room sequence numbers) that are missing, because
 * Redis restarted or evicted them, restart at the current time in microseconds:
 * above every value they ever handed out, so a lost counter can only jump
 * forward, never repeat a value a cache key or a client has already seen.
 */
export interface Lookup {
  /** The entry's key, composed of the current generation of every tag it depends on. */
  key: string;
  value: string | null;
  /**
   * On a miss: true when this caller holds the lease to fill the entry (in the
   * manner of Facebook's memcache leases); false when another caller (possibly
   * on another instance) is filling it right now and this one should wait.
   */
  lease: boolean;
}

export interface CacheStore {
  readonly kind: "redis" | "memory";
  /**
   * Reads the tags' generations (creating missing ones) and the entry they name,
   * and on a miss tries to take the entry's fill lease, in one round trip.
   */
  lookup(name: string, tagKeys: string[], leaseMs: number): Promise<Lookup>;
  /** `lookup` for many entries at once, in one round trip. */
  lookupMany(items: { name: string; tagKeys: string[] }[], leaseMs: number): Promise<Lookup[]>;
  /** Stores an entry (and releases its lease). */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Waits up to `timeoutMs` for another caller's fill of `key`; null when it did not come. */
  await(key: string, timeoutMs: number): Promise<string | null>;
  /** Moves every tag to a new generation: O(1) per tag, no scans. */
  bump(tagKeys: string[]): Promise<void>;
  /** Increments a counter that expires `ttlSeconds` after its first increment. */
  hit(key: string, ttlSeconds: number): Promise<number>;
  get(key: string): Promise<string | null>;
  /** Deletes plain keys (never generations). */
  del(key: string): Promise<void>;
}

/** Microseconds since the epoch: the starting point of a counter that went missing. */
export const nowMicros = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);
