import { CommentVoteBodySchema, CreateCommentBodySchema, UpdateCommentBodySchema } from "@shared/contracts/comments";
import { IdParamsSchema } from "@shared/contracts/common";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireUser } from "../../plugins/auth.js";
import { CommentsService } from "./comments.service.js";

export async function commentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const comments = new CommentsService(app.freshness);
  const auth = { auth: "user" as const };

  app.post(
    "/projects/:id/comments",
    { config: { ...auth, rateLimit: "comment" }, schema: { params: IdParamsSchema, body: CreateCommentBodySchema } },
    async (request, reply) =>
      reply.status(201).send(await comments.add(requireUser(request), request.params.id, request.body)),
  );

  app.patch(
    "/comments/:id",
    { config: auth, schema: { params: IdParamsSchema, body: UpdateCommentBodySchema } },
    async (request) => comments.edit(requireUser(request), request.params.id, request.body.body),
  );

  app.delete("/comments/:id", { config: auth, schema: { params: IdParamsSchema } }, async (request, reply) => {
    await comments.remove(requireUser(request), request.params.id);
    return reply.status(204).send();
  });

  app.post(
    "/comments/:id/vote",
    { config: { ...auth, rateLimit: "vote" }, schema: { params: IdParamsSchema, body: CommentVoteBodySchema } },
    async (request) => comments.vote(requireUser(request), request.params.id, request.body.value),
  );
}
