import { IdParamsSchema } from "@shared/contracts/common";
import {
  CommentsPageQuerySchema,
  CreateProjectBodySchema,
  FeatureBodySchema,
  UpdateProjectBodySchema,
} from "@shared/contracts/projects";
import type { FastifyInstance } from "fastify";
import { sendJson } from "../../lib/http.js";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireAdmin, requireUser } from "../../plugins/auth.js";
import { ProjectsService } from "./projects.service.js";

export async function projectRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const projects = new ProjectsService(app.db, app.cache, app.freshness);

  app.post(
    "/projects",
    { config: { auth: "user", rateLimit: "project" }, schema: { body: CreateProjectBodySchema } },
    async (request, reply) => {
      const user = requireUser(request);
      return reply.status(201).send(await projects.create(user, request.body));
    },
  );

  app.get("/projects/:id", { schema: { params: IdParamsSchema } }, async (request, reply) =>
    sendJson(reply, await projects.detailJson(request.params.id, request.user)),
  );

  app.get(
    "/projects/:id/comments",
    { schema: { params: IdParamsSchema, querystring: CommentsPageQuerySchema } },
    async (request, reply) =>
      sendJson(reply, await projects.commentsJson(request.params.id, request.query, request.user)),
  );

  app.patch(
    "/projects/:id",
    { config: { auth: "user" }, schema: { params: IdParamsSchema, body: UpdateProjectBodySchema } },
    async (request) => projects.update(requireUser(request), request.params.id, request.body),
  );

  app.delete(
    "/projects/:id",
    { config: { auth: "user" }, schema: { params: IdParamsSchema } },
    async (request, reply) => {
      await projects.remove(requireUser(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    "/projects/:id/feature",
    { config: { auth: "admin" }, schema: { params: IdParamsSchema, body: FeatureBodySchema } },
    async (request) => projects.feature(requireAdmin(request), request.params.id, request.body.featured),
  );
}
