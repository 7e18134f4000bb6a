import { ErrorCode } from "@shared/errors";
import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "../lib/errors.js";

/**
 * Abuse limits (SPEC "Security contract"): each rule counts per signed-in user
 * and per client address, in Redis in server mode (so they hold across every
 * instance) and in memory in embedded mode. Defaults are SPEC's; the address
 * limit is a few times the user's, since many people can share one address.
 */
export const LIMITS = {
  signup: { perUser: null, perAddress: 10, windowSeconds: 3600 },
  comment: { perUser: 30, perAddress: 120, windowSeconds: 60 },
  message: { perUser: 30, perAddress: 120, windowSeconds: 60 },
  project: { perUser: 10, perAddress: 30, windowSeconds: 3600 },
  vote: { perUser: 120, perAddress: 480, windowSeconds: 60 },
  intro: { perUser: 20, perAddress: 60, windowSeconds: 86_400 },
  /** Every other state-changing route (edits, deletes, follows, read marks…). */
  write: { perUser: 120, perAddress: 600, windowSeconds: 60 },
} as const satisfies Record<string, { perUser: number | null; perAddress: number; windowSeconds: number }>;
export type LimitRule = keyof typeof LIMITS;

/** Socket.IO: connections per address (across instances), subscribes per socket, rooms per socket. */
export const SOCKET_LIMITS = { connectionsPerAddress: 50, subscribesPerSecond: 20, roomsPerSocket: 100 } as const;

/** Failed logins: per (email, address) and per address; the right password refunds its try. */
export const LOGIN_LIMITS = { perEmailAndAddress: 10, perAddress: 50, windowSeconds: 15 * 60 } as const;

declare module "fastify" {
  interface FastifyInstance {
    limits: Limits;
  }
  interface FastifyContextConfig {
    /** The abuse limit this route counts against; mutating routes default to `write`, `false` opts out. */
    rateLimit?: LimitRule | false;
  }
}

export interface Limits {
  /** Counts one action of `rule` for the user and the address; throws 429 RATE_LIMITED past a limit. */
  take(rule: LimitRule, user: string | null, address: string): Promise<void>;
  /**
   * Reserves one login try for (email, address) and address, atomically: of N
   * parallel tries at most the limit get through. Returns the refund to call
   * when the password was right.
   */
  loginTry(email: string, address: string): Promise<() => Promise<void>>;
  /** Holds one of the address's socket connections; null when it has all it may. Call the release on close. */
  openSocket(address: string): Promise<(() => void) | null>;
  /** Whether this socket may subscribe once more now (per socket, so in this process). */
  subscribe(socketId: string): Promise<boolean>;
}

/**
 * Open sockets per address across instances: a sorted set per address whose
 * members (instance:socket) expire unless their instance renews them, so the
 * sockets of an instance that died stop counting within a minute.
 */
const OPEN_SOCKET = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1] + ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const SOCKET_LEASE_MS = 60_000;

const MUTATING = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/**
 * The key of a client address: IPv4 as is, IPv6 by its /64 (one subscriber's
 * whole prefix; counting single IPv6 addresses would let one client rotate
 * through 2^64 of them).
 */
export function addressKey(ip: string): string {
  const bare = ip.replace(/%.*$/, "");
  if (!bare.includes(":")) return bare;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1] as string;
  const [head = "", tail] = bare.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().padStart(4, "0"))
    .join(":")}::/64`;
}

const limited = (res: RateLimiterRes, what: string) =>
  new AppError(429, ErrorCode.RATE_LIMITED, `Too many ${what}; try again in a while`, {
    retryAfter: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  });

export default fp(
  async (app) => {
    const { config } = app;
    const client = app.redis?.client;
    const limiter = (name: string, points: number, duration: number): RateLimiterAbstract => {
      const keyPrefix = `${config.redisKeyPrefix}rl:${name}`;
      // With Redis unreachable the limits still hold, per instance, in memory.
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      return client
        ? new RateLimiterRedis({
            storeClient: client,
            keyPrefix,
            points,
            duration,
            insuranceLimiter: memory,
            // A link known to be down goes to the insurance at once, not after a command timeout.
            rejectIfRedisNotReady: true,
          })
        : memory;
    };

    const rules = new Map<LimitRule, { user: RateLimiterAbstract | null; address: RateLimiterAbstract }>();
    for (const [name, r] of Object.entries(LIMITS) as [LimitRule, (typeof LIMITS)[LimitRule]][])
      rules.set(name, {
        user: r.perUser === null ? null : limiter(`${name}:u`, r.perUser, r.windowSeconds),
        address: limiter(`${name}:a`, r.perAddress, r.windowSeconds),
      });
    const loginPair = limiter("login:ea", LOGIN_LIMITS.perEmailAndAddress, LOGIN_LIMITS.windowSeconds);
    const loginAddress = limiter("login:a", LOGIN_LIMITS.perAddress, LOGIN_LIMITS.windowSeconds);

    const consume = async (l: RateLimiterAbstract, key: string, what: string) => {
      try {
        await l.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw limited(err, what);
        throw err;
      }
    };

    const subscribes = new RateLimiterMemory({ points: SOCKET_LIMITS.subscribesPerSecond, duration: 1 });
    const subscribe = async (socketId: string) => {
      if (!config.rateLimits) return true;
      return subscribes.consume(socketId).then(
        () => true,
        () => false,
      );
    };

    const localSockets = new Map<string, number>();
    const leases = new Map<string, string>();
    let lease = 0;
    const openSocket = async (address: string): Promise<(() => void) | null> => {
      if (!config.rateLimits) return () => {};
      const key = addressKey(address);
      const local = () => {
        const n = localSockets.get(key) ?? 0;
        if (n >= SOCKET_LIMITS.connectionsPerAddress) return null;
        localSockets.set(key, n + 1);
        return () => {
          const left = (localSockets.get(key) ?? 1) - 1;
          if (left > 0) localSockets.set(key, left);
          else localSockets.delete(key);
        };
      };
      if (!client || !app.redis?.up) return local();
      const redisKey = `${config.redisKeyPrefix}rl:sockets:${key}`;
      const member = `${config.instanceId}:${++lease}`;
      try {
        const ok = await client.eval(
          OPEN_SOCKET,
          1,
          redisKey,
          String(Date.now()),
          String(SOCKET_LEASE_MS),
          String(SOCKET_LIMITS.connectionsPerAddress),
          member,
        );
        if (ok !== 1) return null;
      } catch {
        return local();
      }
      leases.set(member, redisKey);
      return () => {
        leases.delete(member);
        client.zrem(redisKey, member).catch(() => {});
      };
    };
    const limits: Limits = {
      openSocket,
      subscribe,
      async take(rule, user, address) {
        if (!config.rateLimits) return;
        const r = rules.get(rule);
        if (!r) return;
        const what = rule === "write" ? "changes" : `${rule}s`;
        await Promise.all([
          r.user && user ? consume(r.user, user, what) : undefined,
          consume(r.address, addressKey(address), what),
        ]);
      },
      // Always on, RATE_LIMITS or not: a load test never fails logins, an attacker does.
      async loginTry(email, address) {
        const addr = addressKey(address);
        const pairKey = `${email}|${addr}`;
        await Promise.all([consume(loginPair, pairKey, "failed logins"), consume(loginAddress, addr, "failed logins")]);
        return async () => {
          await Promise.all([loginPair.delete(pairKey), loginAddress.reward(addr, 1)]).catch((err) =>
            app.log.warn({ err }, "could not refund a login try"),
          );
        };
      },
    };
    app.decorate("limits", limits);

    if (client) {
      const renew = setInterval(() => {
        if (!leases.size || !app.redis?.up) return;
        const until = Date.now() + SOCKET_LEASE_MS;
        const batch = client.pipeline();
        for (const [member, key] of leases) batch.zadd(key, "XX", until, member).pexpire(key, SOCKET_LEASE_MS);
        batch.exec().catch(() => {});
      }, SOCKET_LEASE_MS / 3);
      renew.unref();
      app.addHook("onClose", async () => clearInterval(renew));
    }

    // Only routes that change something get the hook: reads pay nothing.
    app.addHook("onRoute", (route) => {
      const methods = ([] as string[]).concat(route.method);
      const configured = (route.config as { rateLimit?: LimitRule | false } | undefined)?.rateLimit;
      const rule = configured ?? (methods.some((m) => MUTATING.has(m)) ? "write" : undefined);
      if (!rule) return;
      const hook = async (request: FastifyRequest) => limits.take(rule, request.user?.id ?? null, request.ip);
      const before = route.preHandler ?? [];
      route.preHandler = [...(Array.isArray(before) ? before : [before]), hook];
    });
  },
  { name: "limits", dependencies: ["config", "redis"] },
);
