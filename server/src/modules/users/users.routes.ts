import { IdParamsSchema } from "@shared/contracts/common";
import { UpdateProfileBodySchema } from "@shared/contracts/users";
import type { FastifyInstance } from "fastify";
import { noStore, sendJson } from "../../lib/http.js";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireUser } from "../../plugins/auth.js";
import { UsersService } from "./users.service.js";

export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const users = new UsersService(app.db, app.cache, app.freshness);

  app.patch("/users/me", { config: { auth: "user" }, schema: { body: UpdateProfileBodySchema } }, async (request) =>
    users.update(requireUser(request), request.body),
  );
  app.get("/users/:id", { schema: { params: IdParamsSchema } }, async (request, reply) => {
    // followedByMe is about the caller.
    if (request.user) noStore(reply);
    return sendJson(reply, await users.profileJson(request.params.id, request.user));
  });
}
