import { familyOf, type Resource } from "@shared/realtime/resources";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { CacheStore } from "./store.js";

/** The tag every entry depends on; moving it drops the whole cache at once. */
export const GLOBAL_TAG = "*";

/** How long a fill may hold its lease, and how long others wait for it. */
const LEASE_MS = 2000;
const AWAIT_FILL_MS = 250;
/** Entries read within this window are refreshed when a change invalidates them. */
const HOT_WINDOW_MS = 30_000;
const MAX_HOT_ENTRIES = 2000;
const REFRESH_CONCURRENCY = 4;

export interface CacheHealth {
  up: boolean;
  kind: "redis" | "memory";
}

type Load = () => Promise<string>;

interface HotEntry {
  name: string;
  tagKeys: string[];
  load: Load;
  ttlSeconds: number | undefined;
  lastRead: number;
  /** Read since it was last loaded: only then is a refresh worth its query. */
  readSinceLoad: boolean;
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
 *
 * Thundering herds: on a miss one caller takes the entry's lease and fills it;
 * other callers, on any instance, wait for that fill instead of querying the
 * database themselves (leases in the manner of Facebook's memcache; within an
 * instance a plain single flight). And entries read recently are refilled by
 * the instance that invalidated them, right after the invalidation and before
 * the change's events go out, so the clients that refetch on the event wait for
 * one load in flight instead of each starting one (ADR 010).
 *
 * Any cache failure falls back to the database: slower, never stale.
 */
export class Cache {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly hot = new Map<string, HotEntry>();
  private readonly hotByTag = new Map<string, Set<string>>();
  private readonly refreshQueue = new Set<string>();
  private refreshing = 0;

  constructor(
    private readonly store: CacheStore,
    private readonly isUp: () => boolean,
    /** Distrusts the store (this instance only). */
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
   * `tags` are the resources the value is derived from. `refill: false` for an
   * entry only one viewer reads (a session, someone's own votes): refilling it
   * ahead of a change spares no crowd a wait, and would crowd out the shared ones.
   */
  async read(
    name: string,
    tags: Resource[],
    load: Load,
    opts: { ttlSeconds?: number; refill?: boolean } = {},
  ): Promise<string> {
    if (!this.isUp()) {
      this.metrics.cacheRequests.inc({ result: "bypass" });
      return load();
    }
    const tagKeys = keysToRead(tags);
    if (opts.refill !== false) this.remember(name, tagKeys, load, opts.ttlSeconds);
    const lookup = await this.store.lookup(name, tagKeys, LEASE_MS).catch((err) => this.fail("lookup", err));
    // Failed, or distrusted while the lookup was out (another instance lost an invalidation).
    if (!lookup || !this.isUp()) {
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
    if (!lookup.lease) {
      // Someone else (maybe another instance) is filling this very key: wait for it.
      const filled = await this.store.await(lookup.key, AWAIT_FILL_MS).catch(() => null);
      if (filled !== null) {
        this.metrics.cacheRequests.inc({ result: "joined" });
        return filled;
      }
    }
    this.metrics.cacheRequests.inc({ result: "miss" });
    return this.fill(lookup.key, name, load, opts.ttlSeconds);
  }

  /**
   * Reads many entries in one round trip (a feed page's project summaries).
   * Misses are loaded together by `loadMissing` (given the indexes of the items
   * that missed, it returns their values in the same order) and stored one by one.
   */
  async readEach(items: { name: string; tags: Resource[] }[], loadMissing: (indexes: number[]) => Promise<string[]>) {
    if (!items.length) return [];
    const all = items.map((_, i) => i);
    if (!this.isUp()) {
      this.metrics.cacheRequests.inc({ result: "bypass" }, items.length);
      return loadMissing(all);
    }
    const tagKeys = items.map((i) => keysToRead(i.tags));
    for (const [i, item] of items.entries())
      this.remember(item.name, tagKeys[i]!, async () => (await loadMissing([i]))[0]!, undefined);
    const lookups = await this.store
      .lookupMany(
        items.map((item, i) => ({ name: item.name, tagKeys: tagKeys[i]! })),
        LEASE_MS,
      )
      .catch((err) => this.fail("lookup", err));
    if (!lookups || !this.isUp()) {
      this.metrics.cacheRequests.inc({ result: "bypass" }, items.length);
      return loadMissing(all);
    }
    const values: (string | Promise<string>)[] = [];
    const missing: number[] = [];
    let hits = 0;
    lookups.forEach((l, i) => {
      const pending = l.value === null ? this.inflight.get(l.key) : undefined;
      if (l.value !== null) {
        values[i] = l.value;
        hits++;
      } else if (pending) values[i] = pending;
      else missing.push(i);
    });
    this.metrics.cacheRequests.inc({ result: "hit" }, hits);
    this.metrics.cacheRequests.inc({ result: "joined" }, items.length - missing.length - hits);
    if (missing.length) {
      this.metrics.cacheRequests.inc({ result: "miss" }, missing.length);
      const batch = loadMissing(missing);
      missing.forEach((i, k) => {
        values[i] = this.fill(lookups[i]!.key, items[i]!.name, () => batch.then((loaded) => loaded[k]!), undefined);
      });
    }
    return Promise.all(values);
  }

  /** Loads and stores an entry under `key`, sharing the load with concurrent readers of this instance. */
  private fill(key: string, name: string, load: Load, ttlSeconds: number | undefined): Promise<string> {
    const hot = this.hot.get(name);
    if (hot) hot.readSinceLoad = false;
    const fill = (async () => {
      const value = await load();
      try {
        await this.store.set(key, value, Math.min(ttlSeconds ?? this.ttlSeconds, this.ttlSeconds));
      } catch (err) {
        this.fail("set", err);
      }
      return value;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, fill);
    return fill;
  }

  /**
   * Moves the generation of every resource (and of nothing else), then starts
   * refilling the hot entries that depended on them. Returns false when the
   * store could not record it; the link is then marked down, and the change
   * stays in the outbox until some instance's invalidation succeeds (ADR 014).
   */
  async invalidate(resources: Iterable<Resource>): Promise<boolean> {
    const keys = keysToBump([...resources]);
    if (!keys.length) return true;
    try {
      await this.store.bump(keys);
      this.metrics.invalidations.inc(keys.length);
    } catch (err) {
      this.fail("invalidate", err);
      return false;
    }
    this.scheduleRefresh(keys);
    return true;
  }

  private remember(name: string, tagKeys: string[], load: Load, ttlSeconds: number | undefined) {
    const now = Date.now();
    const entry = this.hot.get(name);
    if (entry) {
      entry.load = load;
      entry.lastRead = now;
      entry.readSinceLoad = true;
      // Map order is insertion order: re-insert to keep the most recent last.
      this.hot.delete(name);
      this.hot.set(name, entry);
      return;
    }
    this.hot.set(name, { name, tagKeys, load, ttlSeconds, lastRead: now, readSinceLoad: true });
    for (const k of tagKeys) {
      const names = this.hotByTag.get(k) ?? new Set<string>();
      this.hotByTag.set(k, names);
      names.add(name);
    }
    if (this.hot.size > MAX_HOT_ENTRIES) {
      const oldest = this.hot.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
  }

  private forget(name: string) {
    const entry = this.hot.get(name);
    if (!entry) return;
    this.hot.delete(name);
    for (const k of entry.tagKeys) {
      const names = this.hotByTag.get(k);
      names?.delete(name);
      if (names?.size === 0) this.hotByTag.delete(k);
    }
  }

  private scheduleRefresh(bumped: string[]) {
    if (!this.isUp()) return;
    const now = Date.now();
    const names = bumped.includes(GLOBAL_TAG)
      ? this.hot.keys()
      : bumped.flatMap((k) => [...(this.hotByTag.get(k) ?? [])]);
    for (const name of names) {
      const entry = this.hot.get(name);
      if (!entry) continue;
      if (now - entry.lastRead > HOT_WINDOW_MS) this.forget(name);
      else if (entry.readSinceLoad) this.refreshQueue.add(name);
    }
    this.pump();
  }

  /** Refills queued entries, a few at a time (a burst of writes must not become a storm of loads). */
  private pump() {
    while (this.refreshing < REFRESH_CONCURRENCY && this.refreshQueue.size) {
      const name = this.refreshQueue.values().next().value as string;
      this.refreshQueue.delete(name);
      const entry = this.hot.get(name);
      if (!entry) continue;
      this.refreshing++;
      this.refresh(entry)
        .catch((err) => this.log.warn({ err, name }, "cache refresh failed"))
        .finally(() => {
          this.refreshing--;
          this.pump();
        });
    }
  }

  private async refresh(entry: HotEntry) {
    if (!this.isUp()) return;
    const lookup = await this.store.lookup(entry.name, entry.tagKeys, LEASE_MS);
    // Already there, or someone else is filling it, or a reader of ours is.
    if (lookup.value !== null || !lookup.lease || this.inflight.has(lookup.key)) return;
    this.metrics.cacheRefreshes.inc();
    await this.fill(lookup.key, entry.name, entry.load, entry.ttlSeconds);
  }

  private fail(op: string, err: unknown) {
    this.metrics.cacheErrors.inc({ op });
    this.log.warn({ err, op }, "cache operation failed; falling back to the database");
    this.onFailure(`${op} failed`);
  }
}

/**
 * Generation keys a read depends on: each resource, its family (`project:*`
 * for `project:abc`, so a change that touches an unknown set of projects can
 * drop all of them with one bump) and the global generation.
 */
function keysToRead(resources: Resource[]): string[] {
  const keys = new Set<string>([GLOBAL_TAG]);
  for (const r of resources) {
    keys.add(r);
    const family = familyOf(r);
    if (family) keys.add(family);
  }
  return [...keys];
}

function keysToBump(resources: Resource[]): string[] {
  return [...new Set<string>(resources)];
}
