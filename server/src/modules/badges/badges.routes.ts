import { AwardBadgeBodySchema } from "@shared/contracts/badges";
import { IdParamsSchema } from "@shared/contracts/common";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireAdmin } from "../../plugins/auth.js";
import { BadgesService } from "./badges.service.js";

export async function badgeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const badges = new BadgesService(app.freshness);

  app.post(
    "/projects/:id/badges",
    { config: { auth: "admin" }, schema: { params: IdParamsSchema, body: AwardBadgeBodySchema } },
    async (request, reply) =>
      reply.status(201).send(await badges.award(requireAdmin(request), request.params.id, request.body.kind)),
  );
}
