import { type ErrorBody, ErrorCode, type FieldIssue } from "@shared/errors";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ZodError } from "zod";
import { AppError } from "../lib/errors.js";

/** An error response body in SPEC's shape. */
export const errorBody = (code: ErrorCode, message: string, details?: unknown): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

function issuesOf(err: ZodError, part?: string): FieldIssue[] {
  return err.issues.map((i) => ({
    path: [part === "body" ? null : part, ...i.path].filter((p) => p !== null && p !== undefined).join("."),
    message: i.message.replace(/^Invalid input: /, ""),
  }));
}

/** Fastify's own client errors (bad JSON, wrong content type, oversized body...) by code. */
const FASTIFY_CODES: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, ErrorCode.BAD_JSON, "The request body is not valid JSON"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, ErrorCode.BAD_JSON, "The request body is empty"],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the request body as application/json"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, ErrorCode.BAD_JSON, "The Content-Length does not match the body"],
};

/**
 * Maps every error to SPEC.md's shape `{"error": {"code", "message", "details"?}}`.
 * Client errors say what was wrong; server errors are logged with the request id
 * and say nothing about internals.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (err instanceof AppError) {
        if (err.statusCode === 429 && err.details && typeof err.details === "object" && "retryAfter" in err.details)
          reply.header("retry-after", String((err.details as { retryAfter: number }).retryAfter));
        return reply.status(err.statusCode).send(errorBody(err.code, err.message, err.details));
      }
      if (hasZodFastifySchemaValidationErrors(err)) {
        // fastify-type-provider-zod's issues: `instancePath` is a JSON pointer into the request part.
        const part = err.validationContext;
        const details: FieldIssue[] = err.validation.map((v) => ({
          path: [part === "body" ? null : part, ...v.instancePath.split("/").slice(1)]
            .filter((p) => p !== null && p !== undefined && p !== "")
            .join("."),
          message: (v.message ?? "is invalid").replace(/^Invalid input: /, ""),
        }));
        return sendValidationError(reply, part, details);
      }
      if (err.validation || err instanceof ZodError || (err as { cause?: unknown }).cause instanceof ZodError) {
        const zerr =
          err instanceof ZodError
            ? err
            : (((err as { cause?: unknown }).cause instanceof ZodError ? (err as { cause: ZodError }).cause : null) ??
              findZodError(err.validation));
        const details = zerr
          ? issuesOf(zerr, err.validationContext)
          : [{ path: err.validationContext ?? "", message: err.message }];
        return sendValidationError(reply, err.validationContext, details);
      }
      const known = err.code ? FASTIFY_CODES[err.code] : undefined;
      if (known) return reply.status(known[0]).send(errorBody(known[1], known[2]));
      // Overload (no database connection free in time): say so, and when to retry.
      if ((err as { code?: string }).code === "P2028" || (err as { code?: string }).code === "P2024") {
        request.log.warn({ err }, "database busy");
        return reply
          .status(503)
          .header("retry-after", "1")
          .send(errorBody(ErrorCode.UNAVAILABLE, "The server is busy; try again in a moment"));
      }
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return reply
          .status(status)
          .send(errorBody(status === 404 ? ErrorCode.NOT_FOUND : ErrorCode.VALIDATION_ERROR, err.message));
      }
      request.log.error({ err }, "request failed");
      return reply
        .status(Math.max(status, 500))
        .send(
          errorBody(
            status === 503 ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL,
            "Something went wrong on our side; it has been logged",
          ),
        );
    });
  },
  { name: "errors" },
);

function sendValidationError(reply: FastifyReply, part: string | undefined, details: FieldIssue[]) {
  const first = details[0];
  // Paths outside the body carry their part (`querystring.sort`); body paths are bare (`title`).
  const message = first ? `Invalid ${first.path || "input"}: ${first.message}` : "Invalid input";
  // A malformed id in the URL names something that cannot exist.
  if (part === "params") return reply.status(404).send(errorBody(ErrorCode.NOT_FOUND, "Not found", details));
  return reply.status(400).send(errorBody(ErrorCode.VALIDATION_ERROR, message, details));
}

function findZodError(validation: unknown): ZodError | null {
  if (validation instanceof ZodError) return validation;
  if (Array.isArray(validation)) for (const v of validation) if (v instanceof ZodError) return v;
  return null;
}

export const notFoundBody = (method: string, url: string) =>
  errorBody(ErrorCode.NOT_FOUND, `No route for ${method} ${url.split("?")[0]}`);
