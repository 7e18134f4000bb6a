import { randomUUID } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import { ErrorCode } from "@shared/errors";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from "fastify";
import type { Config } from "./config/env.js";
import { AppError } from "./lib/errors.js";
import { illFormedTextPath } from "./lib/text-guard.js";
import { zodValidatorCompiler } from "./lib/zod-provider.js";
import { authRoutes } from "./modules/auth/auth.routes.js";
import { badgeRoutes } from "./modules/badges/badges.routes.js";
import { commentRoutes } from "./modules/comments/comments.routes.js";
import { feedRoutes } from "./modules/feed/feed.routes.js";
import { followRoutes } from "./modules/follows/follows.routes.js";
import { healthRoutes } from "./modules/health/health.routes.js";
import { introRoutes } from "./modules/intros/intros.routes.js";
import { messageRoutes } from "./modules/messages/messages.routes.js";
import { notificationRoutes } from "./modules/notifications/notifications.routes.js";
import { projectRoutes } from "./modules/projects/projects.routes.js";
import { userRoutes } from "./modules/users/users.routes.js";
import { voteRoutes } from "./modules/votes/votes.routes.js";
import { registerApiCompression } from "./plugins/api-compression.js";
import authPlugin from "./plugins/auth.js";
import cachePlugin from "./plugins/cache.js";
import configPlugin from "./plugins/config.js";
import dbPlugin from "./plugins/db.js";
import errorsPlugin, { errorBody } from "./plugins/errors.js";
import freshnessPlugin from "./plugins/freshness.js";
import limitsPlugin from "./plugins/limits.js";
import metricsPlugin from "./plugins/metrics.js";
import openapiPlugin from "./plugins/openapi.js";
import realtimePlugin from "./plugins/realtime.js";
import redisPlugin from "./plugins/redis.js";
import securityPlugin, { STATIC_SECURITY_HEADERS } from "./plugins/security.js";
import webPlugin from "./plugins/web.js";

export interface BuildOptions {
  config: Config;
  /** Pino options, or false for no logs (tests). Defaults to JSON logs at config.logLevel. */
  logger?: FastifyServerOptions["logger"];
  /** Serve the built web app (default true), from `webRoot` (default web/dist). */
  web?: boolean;
  webRoot?: string;
  /** Apply pending migrations at start (default true). */
  migrate?: boolean;
  /** Check every response against its documented schema; a mismatch becomes a 500 (tests turn this on). */
  validateResponses?: boolean;
  /** Sees every route as it is registered (tests enumerate the mutating routes with it). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the whole app without listening: the API, Socket.IO and the web app. */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: {
        paths: [
          "req.headers.authorization",
          "req.headers.cookie",
          'res.headers["set-cookie"]',
          "*.password",
          "*.passwordHash",
          "*.token",
          "*.jwtSecret",
        ],
        censor: "[redacted]",
      },
    },
    trustProxy: config.trustProxy,
    // No start-up step gets a timeout shorter than its work (SPEC): Fastify's default gives each
    // plugin 10 s, and the db plugin's first embedded start (migrations, seed) takes longer on a busy machine.
    pluginTimeout: 0,
    bodyLimit: 256 * 1024,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Long ids reach validation (a 404), instead of the router's bare 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2000 },
    forceCloseConnections: "idle",
    // Errors Fastify raises before routing (a malformed path) get SPEC's shape too.
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply)
        .headers(STATIC_SECURITY_HEADERS)
        .code(400)
        .send(errorBody(ErrorCode.VALIDATION_ERROR, `Malformed request: ${error.message}`));
    },
    // Errors of the HTTP parser itself (an oversized head…) never reach Fastify: answer on the socket.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
      const status = tooLarge ? 431 : 400;
      const body = JSON.stringify(
        tooLarge
          ? errorBody(ErrorCode.PAYLOAD_TOO_LARGE, "The request head is too large")
          : errorBody(ErrorCode.VALIDATION_ERROR, "Malformed HTTP request"),
      );
      socket.end(
        `HTTP/1.1 ${status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          Object.entries(STATIC_SECURITY_HEADERS)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join("") +
          `Connection: close\r\n\r\n${body}`,
      );
    },
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  if (options.onRoute) {
    const onRoute = options.onRoute;
    app.addHook("onRoute", (route) => onRoute({ method: route.method, url: route.url }));
  }
  // Draining: responses of requests still in flight when close() starts end their
  // connection, so keep-alive clients do not hold the server open after them.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (closing) reply.header("connection", "close");
  });

  // JSON only: a text/plain body is a 415 (and cross-site "simple" form posts cannot reach a route).
  app.removeContentTypeParser("text/plain");
  // An empty body is "no body" (POST /upvote with a JSON content type), not a JSON error.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, raw, done) => {
    if (typeof raw === "string" && raw.trim() === "") return done(null, undefined);
    parseJson(request, raw as string, (err, body) => {
      if (err) return done(err);
      const bad = illFormedTextPath(raw as string, body);
      if (bad === null) return done(null, body);
      const issue = { path: bad, message: "must be well-formed Unicode without NUL characters" };
      done(new AppError(400, ErrorCode.VALIDATION_ERROR, `Invalid ${bad || "input"}: ${issue.message}`, [issue]));
    });
  });

  await app.register(configPlugin, { config });
  // Before any route (it documents the routes registered after it).
  await app.register(openapiPlugin, { validateResponses: options.validateResponses ?? false });
  await app.register(metricsPlugin);
  await app.register(errorsPlugin);
  await app.register(securityPlugin);
  await app.register(fastifyCookie);
  await app.register(dbPlugin, { migrate: options.migrate ?? true });
  await app.register(redisPlugin);
  await app.register(cachePlugin);
  await app.register(limitsPlugin);
  await app.register(authPlugin);
  await app.register(realtimePlugin);
  await app.register(freshnessPlugin);

  await app.register(
    async (api) => {
      await registerApiCompression(api);
      await api.register(healthRoutes);
      await api.register(authRoutes);
      await api.register(projectRoutes);
      await api.register(voteRoutes);
      await api.register(feedRoutes);
      await api.register(commentRoutes);
      await api.register(introRoutes);
      await api.register(messageRoutes);
      await api.register(userRoutes);
      await api.register(badgeRoutes);
      await api.register(followRoutes);
      await api.register(notificationRoutes);
    },
    { prefix: "/api" },
  );
  await app.register(webPlugin, { enabled: options.web ?? true, ...(options.webRoot && { root: options.webRoot }) });
  return app;
}
