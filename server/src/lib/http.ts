import type { FastifyReply } from "fastify";

/** Sends JSON that is already serialised (cached entries are stored as JSON text). */
export const sendJson = (reply: FastifyReply, json: string, status = 200) =>
  reply.status(status).type("application/json; charset=utf-8").send(json);
