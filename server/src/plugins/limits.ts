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
}

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
        ? new RateLimiterRedis({ storeClient: client, keyPrefix, points, duration, insuranceLimiter: memory })
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

    const limits: Limits = {
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
  { name: "limits", dependencies: ["config", "cache"] },
);
