import { LoginBodySchema, PasswordSchema, SignupBodySchema } from "@shared/contracts/auth";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { unauthorized } from "../../lib/errors.js";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireUser } from "../../plugins/auth.js";
import { toMe } from "../users/users.mappers.js";
import { SESSION_COOKIE } from "./auth.service.js";
import { isCommonPassword } from "./common-passwords.js";

const SignupSchema = SignupBodySchema.extend({
  password: PasswordSchema.refine((p) => !isCommonPassword(p), "is one of the most common leaked passwords"),
});

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  const setSession = (request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: number) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "lax",
      secure: request.protocol === "https",
      path: "/",
      expires: new Date(expiresAt * 1000),
    });

  app.post(
    "/auth/signup",
    { config: { rateLimit: "signup" }, schema: { body: SignupSchema } },
    async (request, reply) => {
      const { user, token, expiresAt } = await app.auth.signup(request.body);
      setSession(request, reply, token, expiresAt);
      return reply.status(201).send({ user, token });
    },
  );

  // Login has its own limiter (failed tries, in the service).
  app.post(
    "/auth/login",
    { config: { rateLimit: false }, schema: { body: LoginBodySchema } },
    async (request, reply) => {
      const { user, token, expiresAt } = await app.auth.login(request.body, request.ip);
      setSession(request, reply, token, expiresAt);
      return { user, token };
    },
  );

  app.post("/auth/logout", async (request, reply) => {
    const user = requireUser(request);
    // Its `session:ended` ends the session's sockets on every instance (through the pipeline).
    await app.auth.logout(user);
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.status(204).send();
  });

  // Who is signed in, for the web app's first load: a visitor gets 200 with null, not
  // /api/me's 401, which browsers log as a console error on every page (ADR 016).
  app.get("/auth/session", async (request, reply) => {
    reply.header("cache-control", "no-store");
    if (!request.user) return { user: null };
    const user = await app.db.prisma.user.findUnique({ where: { id: request.user.id } });
    return { user: user ? toMe(user) : null };
  });

  app.get("/me", async (request) => {
    const { id } = requireUser(request);
    const user = await app.db.prisma.user.findUnique({ where: { id } });
    if (!user) throw unauthorized("This account no longer exists");
    return toMe(user);
  });
}
