/**
 * The process: builds the app, listens, and drains on SIGTERM/SIGINT (in-flight
 * requests finish, sockets close, the database and Redis links close, exit 0).
 */
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config/env.js";

const DRAIN_TIMEOUT_MS = 10_000;

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await buildApp({ config });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down: draining requests and sockets");
    const timer = setTimeout(() => {
      app.log.error("drain timed out; exiting");
      process.exit(1);
    }, DRAIN_TIMEOUT_MS);
    timer.unref();
    try {
      await app.close();
      app.log.info("shut down cleanly");
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, "error while shutting down");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ mode: config.mode, url: `http://${config.host}:${config.port}` }, "zerostale is up");
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
