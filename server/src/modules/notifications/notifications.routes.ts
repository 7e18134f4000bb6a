import { IdParamsSchema } from "@shared/contracts/common";
import { MarkNotificationsReadBodySchema, NotificationsQuerySchema } from "@shared/contracts/notifications";
import type { FastifyInstance } from "fastify";
import { noStore } from "../../lib/http.js";
import type { ZodTypeProvider } from "../../lib/zod-provider.js";
import { requireUser } from "../../plugins/auth.js";
import { NotificationsService } from "./notifications.service.js";

export async function notificationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const notifications = new NotificationsService(app.db, app.freshness);
  const auth = { auth: "user" as const };

  app.get(
    "/notifications",
    { config: auth, schema: { querystring: NotificationsQuerySchema } },
    async (request, reply) => noStore(reply).send(await notifications.list(requireUser(request), request.query)),
  );

  app.post(
    "/notifications/read",
    { config: auth, schema: { body: MarkNotificationsReadBodySchema } },
    async (request, reply) => noStore(reply).send(await notifications.markRead(requireUser(request), request.body.ids)),
  );

  app.delete("/notifications/:id", { config: auth, schema: { params: IdParamsSchema } }, async (request, reply) => {
    await notifications.remove(requireUser(request), request.params.id);
    return noStore(reply).status(204).send();
  });
}
