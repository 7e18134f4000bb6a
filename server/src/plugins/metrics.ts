import { timingSafeEqual } from "node:crypto";
import { ErrorCode } from "@shared/errors";
import fp from "fastify-plugin";
import { createMetrics, type Metrics } from "../lib/metrics.js";
import { errorBody } from "./errors.js";

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
    const token = app.config.metricsToken;
    app.get("/metrics", { logLevel: "warn", config: { ownBearer: true } }, async (request, reply) => {
      // METRICS_TOKEN set: the bearer token is required. Unset: loopback clients only, and
      // never through a proxy (which would make every client look local).
      if (token) {
        const given = Buffer.from(request.headers.authorization ?? "");
        const wanted = Buffer.from(`Bearer ${token}`);
        if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
          return reply
            .status(401)
            .send(errorBody(ErrorCode.UNAUTHORIZED, "GET /metrics needs Authorization: Bearer $METRICS_TOKEN"));
      } else if (
        !isLoopbackAddress(request.socket.remoteAddress) ||
        !isLoopbackAddress(request.ip) ||
        request.headers["x-forwarded-for"] !== undefined
      )
        return reply
          .status(403)
          .send(errorBody(ErrorCode.FORBIDDEN, "GET /metrics answers local clients only unless METRICS_TOKEN is set"));
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: "metrics", dependencies: ["config"] },
);

const isLoopbackAddress = (ip: string | undefined) =>
  !!ip && (ip === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(ip));
