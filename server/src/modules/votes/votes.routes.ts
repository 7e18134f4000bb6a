import { IdParamsSchema } from "@shared/contracts/common";
import { VoteBodySchema } from "@shared/contracts/votes";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireUser } from "../../plugins/auth.js";
import { VotesService } from "./votes.service.js";

export async function voteRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const votes = new VotesService(app.freshness);
  const opts = { config: { auth: "user" as const, rateLimit: "vote" as const }, schema: { params: IdParamsSchema } };

  app.post("/projects/:id/upvote", opts, async (request) => votes.vote(requireUser(request), request.params.id, 1));
  app.post("/projects/:id/downvote", opts, async (request) => votes.vote(requireUser(request), request.params.id, -1));
  app.delete("/projects/:id/vote", opts, async (request) => votes.vote(requireUser(request), request.params.id, 0));
  app.post(
    "/votes",
    { config: { auth: "user", rateLimit: "vote" }, schema: { body: VoteBodySchema } },
    async (request) => votes.vote(requireUser(request), request.body.projectId, request.body.value),
  );
}
