import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Fault } from "../freshness/pipeline.js";

/**
 * The process environment, parsed once at start. A bad value fails fast with a
 * message that names the variable (SPEC.md "Operating contract").
 */
const urlWithProtocol = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (s) => {
        try {
          return protocols.includes(new URL(s).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
    );

/** A switch, off unless set to `true` or `1`. */
const flag = () =>
  z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1");

const intInRange = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback);

const EnvSchema = z
  .object({
    PORT: intInRange(0, 65535, 3000),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    DATABASE_URL: urlWithProtocol(["postgres:", "postgresql:"]).optional(),
    DATABASE_DIRECT_URL: urlWithProtocol(["postgres:", "postgresql:"]).optional(),
    REDIS_URL: urlWithProtocol(["redis:", "rediss:"]).optional(),
    REDIS_CLUSTER_NODES: z
      .string()
      .trim()
      .regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, "must be a comma-separated list of host:port (Redis Cluster nodes)")
      .optional(),
    DATA_DIR: z.string().trim().min(1).default("./data"),
    ADMIN_EMAILS: z
      .string()
      .default("")
      .transform((s) =>
        s
          .split(",")
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.email("must be a comma-separated list of emails"))),
    JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    CACHE_TTL_SECONDS: intInRange(1, 86_400, 300),
    CACHE_DISABLED: flag(),
    COALESCE_WINDOW_MS: intInRange(0, 1000, 0),
    SOCKET_BUFFER_LIMIT_KB: intInRange(16, 65_536, 1024),
    SOCKET_QUEUE_LIMIT: intInRange(16, 100_000, 1000),
    SOCKET_STALL_MS: intInRange(100, 600_000, 30_000),
    SESSION_TTL_HOURS: intInRange(1, 24 * 365, 24 * 7),
    REDIS_KEY_PREFIX: z.string().default("zs:"),
    INSTANCE_ID: z.string().trim().min(1).optional(),
    TRUST_PROXY: flag(),
    RATE_LIMITS: z.enum(["on", "off"]).default("on"),
    ALLOWED_ORIGINS: z
      .string()
      .default("")
      .transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          urlWithProtocol(["http:", "https:"])
            .transform((o) => new URL(o).origin)
            .describe("an origin such as https://example.com"),
        ),
      ),
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    ZEROSTALE_TEST_FAULT: z
      .string()
      .regex(/^(after-commit|after-invalidate):[a-z]+:[a-z]+$/, "must be <after-commit|after-invalidate>:<event type>")
      .optional()
      .describe("tests only: the process SIGKILLs itself at that point of a change with that event (ADR 014)"),
    SEED: z
      .enum(["auto", "always", "never"])
      .default("auto")
      .describe("auto: seed the embedded database on its first start"),
  })
  .superRefine((env, ctx) => {
    if (env.REDIS_URL && env.REDIS_CLUSTER_NODES)
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_CLUSTER_NODES"],
        message: "and REDIS_URL exclude each other (a cluster, or one Redis)",
      });
    const redis = env.REDIS_URL ?? env.REDIS_CLUSTER_NODES;
    if (env.DATABASE_URL && !redis)
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_URL"],
        message: "is required when DATABASE_URL is set (server mode; or REDIS_CLUSTER_NODES for a Redis Cluster)",
      });
    if (redis && !env.DATABASE_URL)
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: "is required when REDIS_URL or REDIS_CLUSTER_NODES is set (server mode)",
      });
    if (env.DATABASE_URL && redis && !env.JWT_SECRET)
      ctx.addIssue({
        code: "custom",
        path: ["JWT_SECRET"],
        message: "is required in server mode (every instance must share it)",
      });
  });

export type Mode = "embedded" | "server";

export interface Config {
  mode: Mode;
  port: number;
  host: string;
  databaseUrl: string | null;
  /**
   * A session connection to PostgreSQL itself, for LISTEN and the migrations'
   * advisory lock, when DATABASE_URL goes through a transaction pooler (docs/scaling.md).
   */
  databaseDirectUrl: string | null;
  redisUrl: string | null;
  /** Redis Cluster seed nodes (REDIS_CLUSTER_NODES), in place of `redisUrl`. */
  redisCluster: { host: string; port: number }[] | null;
  dataDir: string;
  adminEmails: string[];
  /** Null in embedded mode until the data dir provides one (plugins/config.ts generates and keeps it there). */
  jwtSecret: string | null;
  logLevel: string;
  cacheTtlSeconds: number;
  /** Every read goes to the database (for measuring what the cache buys). */
  cacheDisabled: boolean;
  coalesceWindowMs: number;
  /** Per-socket output limits (slow consumers, see realtime/delivery.ts). */
  socketLimits: { maxBufferedBytes: number; maxQueuedPackets: number; stallMs: number };
  sessionTtlHours: number;
  redisKeyPrefix: string;
  instanceId: string;
  trustProxy: boolean;
  /** Abuse limits (SPEC "Security contract"); RATE_LIMITS=off turns them off for load tests. */
  rateLimits: boolean;
  /** Origins besides the app's own that may send state-changing requests and open sockets. */
  allowedOrigins: string[];
  /** When set, GET /metrics needs `Authorization: Bearer <token>`; otherwise only loopback clients. */
  metricsToken: string | null;
  seed: "auto" | "always" | "never";
  /** Tests only (refused when NODE_ENV=production): where a change kills its process. */
  testFault: Fault | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0] ?? "env")} ${i.message}`));
  }
  const e = parsed.data;
  return {
    mode: e.DATABASE_URL && (e.REDIS_URL || e.REDIS_CLUSTER_NODES) ? "server" : "embedded",
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? null,
    databaseDirectUrl: e.DATABASE_DIRECT_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    redisCluster:
      e.REDIS_CLUSTER_NODES?.split(",").map((n) => {
        const at = n.lastIndexOf(":");
        return { host: n.slice(0, at), port: Number(n.slice(at + 1)) };
      }) ?? null,
    dataDir: e.DATA_DIR,
    adminEmails: e.ADMIN_EMAILS,
    jwtSecret: e.JWT_SECRET ?? null,
    logLevel: e.LOG_LEVEL,
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    cacheDisabled: e.CACHE_DISABLED,
    coalesceWindowMs: e.COALESCE_WINDOW_MS,
    socketLimits: {
      maxBufferedBytes: e.SOCKET_BUFFER_LIMIT_KB * 1024,
      maxQueuedPackets: e.SOCKET_QUEUE_LIMIT,
      stallMs: e.SOCKET_STALL_MS,
    },
    sessionTtlHours: e.SESSION_TTL_HOURS,
    // On a cluster every key of the app shares one hash slot (ADR 017): its scripts read and
    // write keys together, and Redis runs a script only on keys of one slot.
    redisKeyPrefix:
      e.REDIS_CLUSTER_NODES && !/\{[^}]+\}/.test(e.REDIS_KEY_PREFIX)
        ? `{${e.REDIS_KEY_PREFIX.replace(/:$/, "")}}:`
        : e.REDIS_KEY_PREFIX,
    // Random, not the host name or pid: the id is public (GET /api/health).
    instanceId: e.INSTANCE_ID ?? `i-${randomBytes(6).toString("hex")}`,
    trustProxy: e.TRUST_PROXY,
    rateLimits: e.RATE_LIMITS === "on",
    allowedOrigins: e.ALLOWED_ORIGINS,
    metricsToken: e.METRICS_TOKEN ?? null,
    seed: e.SEED,
    testFault: faultOf(e.ZEROSTALE_TEST_FAULT, env.NODE_ENV),
  };
}

function faultOf(spec: string | undefined, nodeEnv: string | undefined): Fault | null {
  if (!spec) return null;
  if (nodeEnv === "production")
    throw new ConfigError(["ZEROSTALE_TEST_FAULT is for tests only; unset it in production"]);
  const i = spec.indexOf(":");
  return { point: spec.slice(0, i) as Fault["point"], type: spec.slice(i + 1) as Fault["type"] };
}
