/**
 * A Redis Cluster of a test's own: three masters (no replicas) on spare ports,
 * created with `redis-cli --cluster create`, removed by `stop()`. Needs
 * redis-server 7+ (sharded pub/sub); Debian's package is.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

const run = promisify(execFile);

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });

/** A port that is free, and whose cluster bus port (+10,000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error("no free port pair for a cluster node");
}

export interface OwnRedisCluster {
  nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<OwnRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), "zs-redis-cluster-"));
  const taken = new Set<number>();
  const children: ChildProcess[] = [];
  const nodes: { host: string; port: number }[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGKILL");
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await clusterPort(taken);
      nodes.push({ host: "127.0.0.1", port });
      children.push(
        spawn(
          "redis-server",
          [
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            `nodes-${port}.conf`,
            "--cluster-node-timeout",
            "2000",
            "--dir",
            dir,
            "--save",
            "",
            "--appendonly",
            "no",
          ],
          { stdio: "ignore" },
        ),
      );
    }
    for (const n of nodes) await waitPing(n.port);
    await run(
      "redis-cli",
      ["--cluster", "create", ...nodes.map((n) => `${n.host}:${n.port}`), "--cluster-replicas", "0", "--cluster-yes"],
      { timeout: 30_000 },
    );
    for (const n of nodes) await waitClusterOk(n.port);
    return { nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitPing(port: number) {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
  r.on("error", () => {});
  try {
    for (let i = 0; i < 200; i++) {
      try {
        if (r.status !== "ready") await r.connect();
        await r.ping();
        return;
      } catch {
        await new Promise((res) => setTimeout(res, 30));
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  } finally {
    r.disconnect();
  }
}

async function waitClusterOk(port: number) {
  const r = new Redis({ port, host: "127.0.0.1" });
  r.on("error", () => {});
  try {
    for (let i = 0; i < 300; i++) {
      const info = String(await r.call("CLUSTER", "INFO"));
      if (info.includes("cluster_state:ok")) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`cluster node ${port} did not reach cluster_state:ok`);
  } finally {
    r.disconnect();
  }
}
