/**
 * A redis-server of a test's own on a spare port, to stop, kill, pause and
 * restart without touching the shared one (TOOLCHAIN.md).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** Deletes every key under a prefix (tests and benchmarks namespace their keys). Best effort. */
export async function clearRedisPrefix(url: string | null, prefix: string) {
  if (!url) return;
  const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  r.on("error", () => {}); // reported by connect() below
  try {
    await r.connect();
    let cursor = "0";
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== "0");
  } catch {
    // The Redis may be one a test stopped: nothing to clean then.
  } finally {
    r.disconnect();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  url: string;
  port: number;
  /** Stops the server (its data is gone: we run without persistence). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
    probe.on("error", () => {}); // not up yet: retried below
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 30));
      }
    }
    probe.disconnect();
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
    child = null;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
  };
}

export interface TcpProxy {
  url: string;
  /** Drops every connection through the proxy and refuses new ones, like a network partition. */
  cut(): Promise<void>;
  heal(): Promise<void>;
  /**
   * Stalls (does not reset) the open connections whose client has sent `match`
   * (every one when omitted): they stay open, and nothing passes either way.
   * New connections pass, unless `newConnections` (a link that stops forwarding
   * altogether: new connections are accepted and stall too). Returns how many it stalled.
   */
  stall(match?: string, opts?: { newConnections?: boolean }): number;
  /** Lets the stalled connections flow again. */
  unstall(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of a Redis, to cut one instance off while others still reach it. */
export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const { createServer: createTcp, connect } = await import("node:net");
  const port = await freePort();
  const sockets = new Set<import("node:net").Socket>();
  type Pair = { client: import("node:net").Socket; upstream: import("node:net").Socket; sent: string };
  const pairs = new Set<Pair>();
  const stalled = new Set<Pair>();
  let server: import("node:net").Server | null = null;
  const listen = () =>
    new Promise<void>((resolve) => {
      if (server) return resolve(); // already listening
      server = createTcp((client) => {
        const upstream = connect(targetPort, "127.0.0.1");
        sockets.add(client);
        sockets.add(upstream);
        const pair: Pair = { client, upstream, sent: "" };
        pairs.add(pair);
        client.on("data", (d: Buffer) => {
          if (pair.sent.length < 64_000) pair.sent += d.toString("latin1");
        });
        if (holdNew) {
          client.pause();
          upstream.pause();
          stalled.add(pair);
        } else client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
          pairs.delete(pair);
          stalled.delete(pair);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
      });
      server.listen(port, "127.0.0.1", () => resolve());
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  let holdNew = false;
  const stall = (match?: string, opts: { newConnections?: boolean } = {}) => {
    holdNew = opts.newConnections === true;
    let n = 0;
    for (const p of pairs) {
      if (stalled.has(p) || (match !== undefined && !p.sent.toLowerCase().includes(match.toLowerCase()))) continue;
      p.client.unpipe(p.upstream);
      p.upstream.unpipe(p.client);
      p.client.pause();
      p.upstream.pause();
      stalled.add(p);
      n++;
    }
    return n;
  };
  const unstall = () => {
    holdNew = false;
    for (const p of stalled) {
      p.client.pipe(p.upstream).pipe(p.client);
      p.client.resume();
      p.upstream.resume();
    }
    stalled.clear();
  };
  await listen();
  return { url: `redis://127.0.0.1:${port}`, cut: stop, heal: listen, stall, unstall, close: stop };
}
