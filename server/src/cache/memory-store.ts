import { type CacheStore, type Lookup, nowMicros } from "./store.js";

const MAX_ENTRIES = 20_000;

/** In-process store for embedded mode (one process, so no coordination needed). */
export class MemoryStore implements CacheStore {
  readonly kind = "memory" as const;
  private readonly gens = new Map<string, number>();
  private readonly entries = new Map<string, { value: string; expires: number }>();
  /** Per entry name, the key it was last stored under (superseded generations are deleted). */
  private readonly latest = new Map<string, string>();

  // One process: the cache's own single flight already shares loads, so every miss gets the lease.
  async lookup(name: string, tagKeys: string[], _leaseMs: number): Promise<Lookup> {
    const gens = tagKeys.map((k) => {
      let g = this.gens.get(k);
      if (g === undefined) {
        g = nowMicros();
        this.gens.set(k, g);
      }
      return g;
    });
    const key = `${name}|${gens.join(".")}`;
    return { key, value: this.read(key), lease: true };
  }

  async lookupMany(items: { name: string; tagKeys: string[] }[], leaseMs: number): Promise<Lookup[]> {
    return Promise.all(items.map((i) => this.lookup(i.name, i.tagKeys, leaseMs)));
  }

  async await(key: string, _timeoutMs: number): Promise<string | null> {
    return this.read(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (this.entries.size >= MAX_ENTRIES) this.evict();
    const name = key.slice(0, key.lastIndexOf("|"));
    const prev = this.latest.get(name);
    if (prev !== undefined && prev !== key) this.entries.delete(prev);
    this.latest.set(name, key);
    if (this.latest.size > MAX_ENTRIES) this.latest.delete(this.latest.keys().next().value as string);
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
  }

  async bump(tagKeys: string[]): Promise<void> {
    for (const k of tagKeys) {
      const g = this.gens.get(k);
      this.gens.set(k, g === undefined ? nowMicros() + 1 : g + 1);
    }
  }

  async hit(key: string, ttlSeconds: number): Promise<number> {
    const now = Date.now();
    const e = this.entries.get(key);
    const n = e && e.expires > now ? Number(e.value) + 1 : 1;
    this.entries.set(key, { value: String(n), expires: e && e.expires > now ? e.expires : now + ttlSeconds * 1000 });
    return n;
  }

  async get(key: string): Promise<string | null> {
    return this.read(key);
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private read(key: string): string | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.expires <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return e.value;
  }

  /** Drops expired entries, then the oldest tenth (Map iteration order is insertion order). */
  private evict() {
    const now = Date.now();
    for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
    let drop = this.entries.size - MAX_ENTRIES * 0.9;
    for (const k of this.entries.keys()) {
      if (drop-- <= 0) break;
      this.entries.delete(k);
    }
  }
}
