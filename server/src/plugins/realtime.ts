import fp from "fastify-plugin";
import { type Realtime, startRealtime } from "../realtime/realtime.js";

declare module "fastify" {
  interface FastifyInstance {
    realtime: Realtime;
  }
}

/** The realtime part (server/src/realtime/) on the app's HTTP server, drained before it closes. */
export default fp(
  async (app) => {
    const { config, metrics, auth, limits, db } = app;
    const realtime = await startRealtime({
      http: app.server,
      config,
      metrics,
      log: app.log,
      redis: app.redis,
      parseCookie: (header) => app.parseCookie(header),
      authenticate: (token) => auth.authenticate(token),
      openSocket: limits.openSocket,
      maySubscribe: limits.subscribe,
      projectExists: async (id) =>
        (await db.prisma.project.findUnique({ where: { id }, select: { id: true } })) !== null,
    });
    const { drain, close, ...api } = realtime;
    app.decorate("realtime", api satisfies Realtime);
    // Drain before the HTTP server closes: send what is waiting, then close the
    // sockets (open WebSockets would otherwise hold the server open).
    app.addHook("preClose", async () => drain());
    app.addHook("onClose", async () => close());
  },
  { name: "realtime", dependencies: ["config", "metrics", "redis", "auth", "db", "limits"] },
);
