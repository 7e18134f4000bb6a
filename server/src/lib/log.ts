import type { FastifyBaseLogger } from "fastify";

/** The app's logger (pino, through Fastify). */
export type Logger = FastifyBaseLogger;
