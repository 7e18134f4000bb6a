import type { FastifyReply } from "fastify";

/** Sends JSON that is already serialised (cached entries are stored as JSON text). */
export const sendJson = (reply: FastifyReply, json: string, status = 200) =>
  reply.status(status).type("application/json; charset=utf-8").send(json);

/** Responses about the caller are never stored by browsers or proxies (SPEC "Security contract"). */
export const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store");
