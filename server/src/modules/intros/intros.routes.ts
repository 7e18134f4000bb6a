import { IdParamsSchema } from "@shared/contracts/common";
import { CreateIntroBodySchema } from "@shared/contracts/intros";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireUser } from "../../plugins/auth.js";
import { IntrosService } from "./intros.service.js";

export async function introRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const intros = new IntrosService(app.db, app.freshness);
  const auth = { auth: "user" as const };

  app.post(
    "/intros",
    { config: { ...auth, rateLimit: "intro" }, schema: { body: CreateIntroBodySchema } },
    async (request, reply) => reply.status(201).send(await intros.request(requireUser(request), request.body)),
  );
  app.get("/intros", { config: auth }, async (request) => intros.list(requireUser(request)));
  app.post("/intros/:id/accept", { config: auth, schema: { params: IdParamsSchema } }, async (request) =>
    intros.respond(requireUser(request), request.params.id, true),
  );
  app.post("/intros/:id/decline", { config: auth, schema: { params: IdParamsSchema } }, async (request) =>
    intros.respond(requireUser(request), request.params.id, false),
  );
}
