import { setTimeout as sleep } from "node:timers/promises";
import type { Redis, Result } from "ioredis";
import type { CacheStore, Lookup } from "./store.js";

// Lua numbers are doubles and `tostring` prints big ones in exponent form, so
// counters are formatted with %.0f (exact below 2^53; microsecond timestamps are ~2^51).
const NOW_MICROS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])`;

/**
 * How long a generation key outlives its last change or first read. One that
 * expires starts again at the current time (as a missing one always does),
 * which is above any value it had (its start plus one per change): entries
 * stored under the old value are simply missed once. Without a TTL the keys of
 * every session and every user ever seen stayed in Redis for good.
 */
export const GENERATION_TTL_SECONDS = 7 * 24 * 3600;

const BUMP = `${NOW_MICROS}
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCR', KEYS[i])
    redis.call('EXPIRE', KEYS[i], ${GENERATION_TTL_SECONDS})
  else
    redis.call('SET', KEYS[i], string.format('%.0f', now + 1), 'EX', ${GENERATION_TTL_SECONDS})
  end
end
return #KEYS`;

// Looks up entries (one, or a feed page's summaries) in one script: KEYS are every
// entry's generation keys one after the other (a missing one starts at now); ARGV[1]
// the lease time, then per entry its name and how many of KEYS are its own. Returns
// per entry its key, its value, and whether the caller got the lease to fill it.
const LOOKUP_MANY = `${NOW_MICROS}
local out = {}
local k = 1
for i = 2, #ARGV, 2 do
  local name, n = ARGV[i], tonumber(ARGV[i + 1])
  local gens = {}
  for j = 1, n do
    local g = redis.call('GET', KEYS[k])
    if not g then
      g = string.format('%.0f', now)
      redis.call('SET', KEYS[k], g, 'NX', 'EX', ${GENERATION_TTL_SECONDS})
    end
    gens[j] = g
    k = k + 1
  end
  local key = name .. '|' .. table.concat(gens, '.')
  local value = redis.call('GET', key)
  local lease = 0
  if not value then
    value = false
    if redis.call('SET', key .. ':lease', '1', 'NX', 'PX', ARGV[1]) then lease = 1 end
  end
  out[#out + 1] = key
  out[#out + 1] = value
  out[#out + 1] = lease
end
return out`;

// Stores the entry and releases its lease in one step, and replaces the entry
// of the same name stored under older generations (KEYS[2] points at the last
// one stored): a superseded entry is deleted when its successor is stored, not
// left to its TTL, so memory tracks live data rather than writes × TTL.
const FILL = `redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('DEL', KEYS[1] .. ':lease')
local prev = redis.call('GET', KEYS[2])
if prev and prev ~= KEYS[1] then redis.call('DEL', prev) end
redis.call('SET', KEYS[2], KEYS[1], 'EX', ARGV[2])
return 1`;

const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    zsFill(key: string, latest: string, value: string, ttl: number): Result<number, Context>;
    zsLookupMany(numKeys: number, ...args: string[]): Result<(string | number | null)[], Context>;
    zsBump(numKeys: number, ...keys: string[]): Result<number, Context>;
    zsHit(key: string, ttl: number): Result<number, Context>;
  }
}

export function defineCacheScripts(redis: Redis) {
  redis.defineCommand("zsBump", { lua: BUMP });
  redis.defineCommand("zsHit", { lua: HIT, numberOfKeys: 1 });
  redis.defineCommand("zsFill", { lua: FILL, numberOfKeys: 2 });
  redis.defineCommand("zsLookupMany", { lua: LOOKUP_MANY });
}

/**
 * Redis store. Keys live under `prefix`: `g:<tag>` generations (tiny, a week after their last change),
 * `c:<name>|<gens>` entries (with TTL), `c:<name>|^` the last one stored (to
 * delete it when a newer generation is stored), their `lease:` keys (a few seconds),
 * `r:<key>` rate counters.
 */
export class RedisStore implements CacheStore {
  readonly kind = "redis" as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    defineCacheScripts(redis);
  }

  async lookup(name: string, tagKeys: string[], leaseMs: number): Promise<Lookup> {
    return (await this.lookupMany([{ name, tagKeys }], leaseMs))[0]!;
  }

  async lookupMany(items: { name: string; tagKeys: string[] }[], leaseMs: number): Promise<Lookup[]> {
    const keys = items.flatMap((i) => i.tagKeys.map((k) => `${this.prefix}g:${k}`));
    const args = items.flatMap((i) => [`${this.prefix}c:${i.name}`, String(i.tagKeys.length)]);
    const flat = await this.redis.zsLookupMany(keys.length, ...keys, String(leaseMs), ...args);
    return items.map((_, i) => ({
      key: String(flat[3 * i]),
      value: (flat[3 * i + 1] as string | null) ?? null,
      lease: flat[3 * i + 2] === 1,
    }));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.zsFill(key, latestOf(key), value, ttlSeconds);
  }

  /** Polls for the entry another caller is filling (a fill takes a few milliseconds). */
  async await(key: string, timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 1; Date.now() < deadline; delay = Math.min(delay * 2, 8)) {
      await sleep(delay);
      const [value, leased] = await this.redis.mget(key, `${key}:lease`);
      if (value != null) return value;
      if (leased == null) return null; // the filler gave up (or failed): fill it ourselves
    }
    return null;
  }

  async bump(tagKeys: string[]): Promise<void> {
    if (!tagKeys.length) return;
    await this.redis.zsBump(tagKeys.length, ...tagKeys.map((k) => `${this.prefix}g:${k}`));
  }

  async hit(key: string, ttlSeconds: number): Promise<number> {
    return this.redis.zsHit(`${this.prefix}r:${key}`, ttlSeconds);
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}r:${key}`);
  }

  async del(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}r:${key}`);
  }
}

/** The key naming the last entry stored for the same name: `<name>|^` for `<name>|<generations>`. */
export const latestOf = (key: string) => `${key.slice(0, key.lastIndexOf("|"))}|^`;
