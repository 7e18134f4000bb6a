import fp from "fastify-plugin";
import { createMetrics, type Metrics } from "../lib/metrics.js";

declare module "fastify" {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

/** Prometheus metrics at GET /metrics, and the HTTP latency histogram. */
export default fp(
  async (app) => {
    const metrics = createMetrics();
    app.decorate("metrics", metrics);
    app.addHook("onResponse", async (request, reply) => {
      const route = request.routeOptions.url ?? "unmatched";
      metrics.httpDuration.observe(
        { method: request.method, route, status: `${Math.floor(reply.statusCode / 100)}xx` },
        reply.elapsedTime / 1000,
      );
    });
    app.get("/metrics", { logLevel: "warn" }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: "metrics" },
);
