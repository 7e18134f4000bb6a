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
}

export interface CacheStore {
  readonly kind: "redis" | "memory";
  /** Reads the tags' generations (creating missing ones) and the entry they name, in one round trip. */
  lookup(name: string, tagKeys: string[]): Promise<Lookup>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
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
