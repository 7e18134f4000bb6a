import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./env.js";

const SERVER = {
  DATABASE_URL: "postgresql://u@127.0.0.1:5432/db",
  REDIS_URL: "redis://127.0.0.1:6379",
  JWT_SECRET: "x".repeat(32),
};

const problem = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("loadConfig", () => {
  it("defaults to the embedded mode on 127.0.0.1:3000", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ mode: "embedded", port: 3000, host: "127.0.0.1", dataDir: "./data", jwtSecret: null });
  });

  it("selects server mode when both DATABASE_URL and REDIS_URL are set", () => {
    expect(loadConfig(SERVER).mode).toBe("server");
  });

  it.each([
    [{ PORT: "abc" }, /PORT/],
    [{ PORT: "70000" }, /PORT/],
    [{ DATABASE_URL: "mysql://x/y", REDIS_URL: SERVER.REDIS_URL, JWT_SECRET: SERVER.JWT_SECRET }, /DATABASE_URL/],
    [{ REDIS_URL: "http://x", DATABASE_URL: SERVER.DATABASE_URL, JWT_SECRET: SERVER.JWT_SECRET }, /REDIS_URL/],
    [{ DATABASE_URL: SERVER.DATABASE_URL }, /REDIS_URL is required/],
    [{ REDIS_URL: SERVER.REDIS_URL }, /DATABASE_URL is required/],
    [{ DATABASE_URL: SERVER.DATABASE_URL, REDIS_URL: SERVER.REDIS_URL }, /JWT_SECRET is required/],
    [{ ...SERVER, JWT_SECRET: "short" }, /JWT_SECRET must be at least 32/],
    [{ ADMIN_EMAILS: "a@example.com, nope" }, /ADMIN_EMAILS/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
  ])("fails fast naming the variable: %o", (env, message) => {
    expect(problem(env as Record<string, string>)).toMatch(message);
  });

  it("parses ADMIN_EMAILS case-insensitively", () => {
    expect(loadConfig({ ADMIN_EMAILS: " Boss@Example.com ,b@example.com" }).adminEmails).toEqual([
      "boss@example.com",
      "b@example.com",
    ]);
  });
});
