/**
 * The process as `npm start` runs it (the compiled server, dist/server/server.js,
 * under plain node): listens, and on SIGTERM drains (requests in flight finish,
 * sockets close) and exits 0. A bad environment fails fast, naming the variable.
 * (server/test/global-setup.ts builds dist/server before any test file runs.)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../test/redis-server.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function startServer(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let out = "";
  const child = spawn(process.execPath, ["dist/server/server.js"], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Until the server answers, however long its first start takes on a busy machine (or it exits). */
async function waitUp(base: string, srv: ReturnType<typeof startServer>) {
  let exited = false;
  void srv.exited.then(() => (exited = true));
  while (!exited) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server exited before it came up:\n${srv.output()}`);
}

describe("server process", () => {
  it("drains on SIGTERM: requests in flight finish, sockets close, exit code 0", { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "zs-drain-"));
    dirs.push(dir);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // Twenty signups from one address in flight: past the signup limit, which is not what this tests.
    const srv = startServer({ DATA_DIR: dir, PORT: String(port), SEED: "never", RATE_LIMITS: "off" });
    await waitUp(base, srv);
    // Default transports: the reconnect starts with an HTTP long-poll, which can ride a kept-alive connection.
    const socket = io(base, { reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    const disconnected = new Promise<string>((resolve) => socket.once("disconnect", resolve));
    // Like the web client: told to disconnect, it connects again at once (e2e/restart.spec.ts has the race with a real page).
    socket.on("disconnect", (reason) => {
      if (reason === "io server disconnect") socket.connect();
    });
    // Twenty signups (argon2 hashing keeps each busy for a while), then SIGTERM at once.
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      fetch(`${base}/api/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: `drain${i}@example.test`, password: "long enough", name: `D${i}` }),
      }).then((r) => r.status),
    );
    // SIGTERM once the server has all twenty in hand (it logs each one as it arrives).
    const arrived = () =>
      srv
        .output()
        .split("\n")
        .filter((l) => l.includes('"url":"/api/auth/signup"')).length;
    while (arrived() < 20) await new Promise((r) => setTimeout(r, 5));
    srv.child.kill("SIGTERM");
    const statuses = await Promise.all(inFlight);
    expect(statuses).toEqual(Array(20).fill(201));
    expect(await disconnected).toBe("io server disconnect");
    const drainStarted = Date.now();
    const code = await srv.exited;
    expect(Date.now() - drainStarted, "drained well before the 10 s timeout").toBeLessThan(5000);
    if (code !== 0) console.log(srv.output());
    expect(code).toBe(0);
    expect(srv.output()).toMatch(/shut down cleanly/);
    socket.disconnect();
    // New connections are refused once it is gone.
    await expect(fetch(`${base}/api/health`)).rejects.toThrow();
  });

  it("fails fast with a message naming a bad variable", { timeout: 30_000 }, async () => {
    const srv = startServer({ PORT: "not-a-port" });
    expect(await srv.exited).toBe(1);
    expect(srv.output()).toMatch(/PORT must be a whole number/);
    const server = startServer({ DATABASE_URL: "postgresql://x@127.0.0.1/db", REDIS_URL: "redis://127.0.0.1:6379" });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/JWT_SECRET is required in server mode/);
  });
});
