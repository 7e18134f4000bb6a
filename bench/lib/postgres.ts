/**
 * A PostgreSQL server of the run's own (initdb into a temporary directory, a
 * spare port), to restart without disturbing the shared one on 5432 that every
 * other test suite and person on the machine uses. Uses the binaries of the
 * installed server (`/usr/lib/postgresql/<version>/bin`, or `pg_config
 * --bindir`). PostgreSQL refuses to run as root: as root it runs as the
 * `postgres` user.
 */
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../../server/test/redis-server.js";

export interface OwnPostgres {
  /** Admin URL (database `postgres`, trust authentication). */
  url: string;
  port: number;
  /**
   * Stops the server and starts it again after `downMs`. `immediate`: a crash
   * (no checkpoint, every session cut, crash recovery at start); `fast`: a
   * clean restart (sessions are terminated, then a checkpoint).
   */
  restart(opts?: { mode?: "immediate" | "fast"; downMs?: number }): Promise<{ downMs: number }>;
  stop(): Promise<void>;
}

function binDir(): string {
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, "bin", "initdb"))) return join(base, v, "bin");
  }
  return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = binDir();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "zs-bench-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  // Asynchronous: the bench's clients, readers and writers keep running while the server restarts.
  const run = (cmd: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const full = asRoot ? ["-u", "postgres", "--", join(bin, cmd), ...args] : args;
      execFile(asRoot ? "runuser" : join(bin, cmd), full, { encoding: "utf8" }, (err, stdout, stderr) =>
        err ? reject(new Error(`${cmd} ${args.join(" ")} failed: ${stderr || stdout || err.message}`)) : resolve(),
      );
    });
  await run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-instructions", "-E", "UTF8", "--locale=C"]);
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c max_connections=200`;
  const start = () => run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", options, "-w", "-t", "60", "start"]);
  const stop = (mode: "immediate" | "fast") => run("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
  await start();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  // pg_ctl -w returns once the server accepts connections; make sure it does over TCP too.
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (err) {
      await c.end().catch(() => {});
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  let stopped = false;
  return {
    url,
    port,
    async restart(opts = {}) {
      const t = performance.now();
      await stop(opts.mode ?? "immediate");
      if (opts.downMs) await new Promise((r) => setTimeout(r, opts.downMs));
      await start();
      return { downMs: Math.round(performance.now() - t) };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await stop("immediate");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
