import { IdParamsSchema, UserIdParamsSchema } from "@shared/contracts/common";
import { SendMessageBodySchema } from "@shared/contracts/messages";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireUser } from "../../plugins/auth.js";
import { MessagesService } from "./messages.service.js";

export async function messageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const messages = new MessagesService(app.db, app.freshness);
  const auth = { auth: "user" as const };

  app.post(
    "/messages",
    { config: { ...auth, rateLimit: "message" }, schema: { body: SendMessageBodySchema } },
    async (request, reply) => reply.status(201).send(await messages.send(requireUser(request), request.body)),
  );
  app.get("/conversations", { config: auth }, async (request) => messages.conversations(requireUser(request)));
  app.get("/conversations/:userId", { config: auth, schema: { params: UserIdParamsSchema } }, async (request) =>
    messages.conversation(requireUser(request), request.params.userId),
  );
  app.post("/conversations/:userId/read", { config: auth, schema: { params: UserIdParamsSchema } }, async (request) =>
    messages.markConversationRead(requireUser(request), request.params.userId),
  );
  app.post("/messages/:id/read", { config: auth, schema: { params: IdParamsSchema } }, async (request) =>
    messages.markRead(requireUser(request), request.params.id),
  );
}
