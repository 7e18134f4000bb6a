import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";

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
    REDIS_URL: urlWithProtocol(["redis:", "rediss:"]).optional(),
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
    COALESCE_WINDOW_MS: intInRange(0, 1000, 20),
    SESSION_TTL_HOURS: intInRange(1, 24 * 365, 24 * 7),
    REDIS_KEY_PREFIX: z.string().default("zs:"),
    INSTANCE_ID: z.string().trim().min(1).optional(),
    TRUST_PROXY: flag(),
    SEED: z
      .enum(["auto", "always", "never"])
      .default("auto")
      .describe("auto: seed the embedded database on its first start"),
  })
  .superRefine((env, ctx) => {
    if (env.DATABASE_URL && !env.REDIS_URL)
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_URL"],
        message: "is required when DATABASE_URL is set (server mode)",
      });
    if (env.REDIS_URL && !env.DATABASE_URL)
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: "is required when REDIS_URL is set (server mode)",
      });
    if (env.DATABASE_URL && env.REDIS_URL && !env.JWT_SECRET)
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
  redisUrl: string | null;
  dataDir: string;
  adminEmails: string[];
  /** Null in embedded mode until the data dir provides one (plugins/config.ts generates and keeps it there). */
  jwtSecret: string | null;
  logLevel: string;
  cacheTtlSeconds: number;
  /** Every read goes to the database (for measuring what the cache buys). */
  cacheDisabled: boolean;
  coalesceWindowMs: number;
  sessionTtlHours: number;
  redisKeyPrefix: string;
  instanceId: string;
  trustProxy: boolean;
  seed: "auto" | "always" | "never";
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
    mode: e.DATABASE_URL && e.REDIS_URL ? "server" : "embedded",
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    dataDir: e.DATA_DIR,
    adminEmails: e.ADMIN_EMAILS,
    jwtSecret: e.JWT_SECRET ?? null,
    logLevel: e.LOG_LEVEL,
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    cacheDisabled: e.CACHE_DISABLED,
    coalesceWindowMs: e.COALESCE_WINDOW_MS,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    instanceId: e.INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    trustProxy: e.TRUST_PROXY,
    seed: e.SEED,
  };
}
