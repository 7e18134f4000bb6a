import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { forbidden, unauthorized } from "../lib/errors.js";
import { AuthService, type AuthUser, SESSION_COOKIE } from "../modules/auth/auth.service.js";

declare module "fastify" {
  interface FastifyInstance {
    auth: AuthService;
  }
  interface FastifyContextConfig {
    /** Who may call the route; checked before the input is validated. */
    auth?: "user" | "admin";
    /** The route reads Authorization itself (GET /metrics): it is not a session token. */
    ownBearer?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in user, or null for anonymous requests. */
    user: AuthUser | null;
  }
}

/** The token of a request: `Authorization: Bearer …` first, then the session cookie. */
export function tokenOf(headers: { authorization?: string | undefined }, cookies: Record<string, string | undefined>) {
  const h = headers.authorization;
  if (h?.toLowerCase().startsWith("bearer ")) return { token: h.slice(7).trim(), explicit: true };
  const c = cookies[SESSION_COOKIE];
  return c ? { token: c, explicit: false } : null;
}

export const requireUser = (request: FastifyRequest): AuthUser => {
  if (!request.user) throw unauthorized();
  return request.user;
};

export const requireAdmin = (request: FastifyRequest): AuthUser => {
  const user = requireUser(request);
  if (user.role !== "admin") throw forbidden("Only admins can do this");
  return user;
};

export default fp(
  async (app) => {
    const auth = new AuthService(app.config, app.jwtSecret, app.db, app.cache, app.limits, () => app.freshness);
    app.decorate("auth", auth);
    // Whoever signs up first with a listed email becomes admin: say which ones are still unclaimed.
    if (app.config.mode === "server" && app.config.adminEmails.length)
      app.addHook("onReady", async () => {
        const taken = await app.db.prisma.user.findMany({
          where: { email: { in: app.config.adminEmails } },
          select: { email: true },
        });
        const have = new Set(taken.map((u) => u.email));
        for (const email of app.config.adminEmails.filter((e) => !have.has(e)))
          app.log.warn(
            { email },
            "ADMIN_EMAILS lists an email with no account yet: whoever signs up with it first becomes admin",
          );
      });
    app.decorateRequest("user", null);
    app.addHook("onRequest", async (request) => {
      if (request.routeOptions.config.ownBearer) return;
      const found = tokenOf(request.headers, request.cookies);
      if (!found) return;
      request.user = await auth.authenticate(found.token);
      // A bad bearer token is an error; a stale cookie just means "signed out".
      if (!request.user && found.explicit) throw unauthorized("The token is invalid or has expired; sign in again");
    });
    app.addHook("preValidation", async (request) => {
      const need = request.routeOptions.config.auth;
      if (need === "admin") requireAdmin(request);
      else if (need === "user") requireUser(request);
    });
  },
  { name: "auth", dependencies: ["config", "db", "cache", "limits"] },
);
