import type { FastifyInstance } from "fastify";

/**
 * GET /api/health: liveness plus the state of every link. 200 while the
 * database answers (a cache or bus outage degrades, it does not stop us);
 * 503 when it does not.
 */
export async function healthRoutes(app: FastifyInstance) {
  app.get("/health", { logLevel: "warn" }, async (_request, reply) => {
    let database: { up: boolean; latencyMs?: number; kind: string; listening: boolean };
    try {
      const latency = await Promise.race([
        app.db.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000).unref()),
      ]);
      database = {
        up: true,
        latencyMs: Math.round(latency * 100) / 100,
        kind: app.db.kind,
        listening: app.db.listening(),
      };
    } catch {
      database = { up: false, kind: app.db.kind, listening: app.db.listening() };
    }
    // CACHE_DISABLED (a benchmark's baseline) turns the cache off on purpose: not a fault.
    const cache = { ...app.cache.health(), ...(app.config.cacheDisabled && { disabled: true }) };
    const realtime = app.realtime.health();
    const ok = database.up && (cache.up || app.config.cacheDisabled) && realtime.up && database.listening;
    reply.status(database.up ? 200 : 503);
    return {
      status: ok ? "ok" : database.up ? "degraded" : "down",
      mode: app.config.mode,
      instance: app.config.instanceId,
      uptimeSeconds: Math.round(process.uptime()),
      database,
      cache,
      realtime,
    };
  });
}
