import { IdParamsSchema } from "@shared/contracts/common";
import type { FastifyInstance } from "fastify";
import { noStore } from "../../lib/http.js";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireUser } from "../../plugins/auth.js";
import { FollowsService } from "./follows.service.js";

export async function followRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const follows = new FollowsService(app.freshness);
  const opts = { config: { auth: "user" as const }, schema: { params: IdParamsSchema } };

  app.post("/users/:id/follow", opts, async (request, reply) =>
    noStore(reply).send(await follows.follow(requireUser(request), request.params.id)),
  );
  app.delete("/users/:id/follow", opts, async (request, reply) =>
    noStore(reply).send(await follows.unfollow(requireUser(request), request.params.id)),
  );
}
