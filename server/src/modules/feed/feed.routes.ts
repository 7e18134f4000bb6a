import { FeedQuerySchema } from "@shared/contracts/projects";
import type { FastifyInstance } from "fastify";
import { noStore, sendJson } from "../../lib/http.js";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { FeedService } from "./feed.service.js";

export async function feedRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const feed = new FeedService(app.db, app.cache);

  app.get("/projects", { schema: { querystring: FeedQuerySchema } }, async (request, reply) => {
    // Items carry the caller's own votes.
    if (request.user) noStore(reply);
    return sendJson(reply, await feed.feedJson(request.query, request.user));
  });
  app.get("/tags", async (_request, reply) => sendJson(reply, await feed.tagsJson()));
  app.get("/leaderboard", async (_request, reply) => sendJson(reply, await feed.leaderboardJson()));
}
