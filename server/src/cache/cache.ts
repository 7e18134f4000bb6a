import { familyOf, type Resource } from "@shared/realtime/resources";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { CacheStore } from "./store.js";

/** The tag every entry depends on; moving it drops the whole cache at once. */
export const GLOBAL_TAG = "*";

export interface CacheHealth {
  up: boolean;
  kind: "redis" | "memory";
}

/**
 * Read-through cache for public reads, keyed by generation-tagged keys.
 *
 * An entry's key is composed of the current generation of every resource it
 * depends on (plus the global one), read *before* the database is queried.
 * Invalidating a resource moves its generation, so:
 * - invalidation is O(1) per resource, with no scans of keys;
 * - the fill/invalidate race cannot serve old data: a reader that loaded from
 *   the database before a write committed stores its result under the old
 *   generation, a key nobody computes any more (the write moved the generation
 *   after commit, before its response and its events).
 * Loads of the same key are shared by the readers of one instance (single
 * flight). Any cache failure falls back to the database: slower, never stale.
 */
export class Cache {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly store: CacheStore,
    private readonly isUp: () => boolean,
    private readonly onFailure: (reason: string) => void,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly ttlSeconds: number,
  ) {}

  health(): CacheHealth {
    return { up: this.isUp(), kind: this.store.kind };
  }

  /**
   * Returns the JSON stored for `name`, loading and storing it on a miss.
   * `tags` are the resources the value is derived from.
   */
  async read(
    name: string,
    tags: Resource[],
    load: () => Promise<string>,
    opts: { ttlSeconds?: number } = {},
  ): Promise<string> {
    if (!this.isUp()) {
      this.metrics.cacheRequests.inc({ result: "bypass" });
      return load();
    }
    let lookup: Awaited<ReturnType<CacheStore["lookup"]>>;
    try {
      lookup = await this.store.lookup(name, tagKeys(tags, true));
    } catch (err) {
      this.fail("lookup", err);
      this.metrics.cacheRequests.inc({ result: "bypass" });
      return load();
    }
    if (lookup.value !== null) {
      this.metrics.cacheRequests.inc({ result: "hit" });
      return lookup.value;
    }
    const pending = this.inflight.get(lookup.key);
    if (pending) {
      this.metrics.cacheRequests.inc({ result: "joined" });
      return pending;
    }
    this.metrics.cacheRequests.inc({ result: "miss" });
    const fill = (async () => {
      const value = await load();
      try {
        await this.store.set(lookup.key, value, Math.min(opts.ttlSeconds ?? this.ttlSeconds, this.ttlSeconds));
      } catch (err) {
        this.fail("set", err);
      }
      return value;
    })().finally(() => this.inflight.delete(lookup.key));
    this.inflight.set(lookup.key, fill);
    return fill;
  }

  /**
   * Moves the generation of every resource (and of nothing else). Returns false
   * when the store could not record it; the link is then marked down and will
   * move the global generation before the cache is trusted again.
   */
  async invalidate(resources: Iterable<Resource>): Promise<boolean> {
    const keys = tagKeys([...resources], false);
    if (!keys.length) return true;
    try {
      await this.store.bump(keys);
      this.metrics.invalidations.inc(keys.length);
      return true;
    } catch (err) {
      this.fail("invalidate", err);
      return false;
    }
  }

  /** Drops everything (used after an outage and at start). */
  async invalidateAll(): Promise<void> {
    await this.store.bump([GLOBAL_TAG]);
  }

  private fail(op: string, err: unknown) {
    this.metrics.cacheErrors.inc({ op });
    this.log.warn({ err, op }, "cache operation failed; falling back to the database");
    this.onFailure(`${op} failed`);
  }
}

/**
 * Generation keys for a set of resources. Reads depend on each resource's
 * family too (`project:*` for `project:abc`), so a change that touches an
 * unknown set of projects can drop all of them with one bump.
 */
function tagKeys(resources: Resource[], forRead: boolean): string[] {
  const keys = new Set<string>();
  if (forRead) keys.add(GLOBAL_TAG);
  for (const r of resources) {
    keys.add(r);
    if (forRead) {
      const family = familyOf(r);
      if (family) keys.add(family);
    }
  }
  return [...keys];
}
