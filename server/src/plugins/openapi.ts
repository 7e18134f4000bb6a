/**
 * The API contract as a document: response schemas for every route (from
 * shared/src/contracts/responses.ts), /openapi.json and Swagger UI at /api/docs.
 *
 * Response schemas are attached here, by method and path, rather than in each
 * route file, so one table shows the whole contract and a route without an
 * entry fails server/src/plugins/openapi.test.ts. They document and (in tests)
 * check responses; they never serialise them: zod would strip any field the
 * schema forgot, and cached reads send JSON text that is already built (ADR 018).
 */
import { isDeepStrictEqual } from "node:util";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import * as R from "@shared/contracts/responses";
import { ErrorBodySchema, ErrorCode } from "@shared/errors";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import { SESSION_COOKIE } from "../modules/auth/auth.service.js";
import { errorBody } from "./errors.js";

type Who = "anyone" | "user" | "admin";
interface RouteDoc {
  summary: string;
  tag: string;
  who: Who;
  /** The success status and its body (null: no body). */
  status: number;
  body: z.ZodType | null;
  /** The success body's media type, when it is not JSON. */
  mediaType?: string;
  /** Other statuses whose body is not the error shape (the health check's 503). */
  others?: Record<number, z.ZodType>;
}

const doc = (
  tag: string,
  who: Who,
  summary: string,
  body: z.ZodType | null,
  status = body ? 200 : 204,
  more: Pick<RouteDoc, "mediaType" | "others"> = {},
): RouteDoc => ({ summary, tag, who, status, body, ...more });

/**
 * Every route of SPEC.md's API table. Entries for routes this build does not
 * register yet are not in the document (it lists registered routes only).
 */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  "GET /api/health": doc(
    "operations",
    "anyone",
    "Liveness and the state of the database, cache and realtime links (503, same body, when the database is down)",
    R.HealthSchema,
    200,
    { others: { 503: R.HealthSchema } },
  ),
  "GET /metrics": doc(
    "operations",
    "anyone",
    "Prometheus metrics (bearer METRICS_TOKEN when set, else loopback only)",
    z.string().describe("Prometheus text exposition format 0.0.4"),
    200,
    { mediaType: "text/plain" },
  ),
  "POST /api/auth/signup": doc(
    "auth",
    "anyone",
    "Create an account; sets the session cookie",
    R.AuthResponseSchema,
    201,
  ),
  "POST /api/auth/login": doc("auth", "anyone", "Log in; sets the session cookie", R.AuthResponseSchema),
  "POST /api/auth/logout": doc("auth", "user", "End this session and clear the cookie", null),
  "GET /api/me": doc("auth", "user", "The current user", R.MeSchema),
  "GET /api/auth/session": doc("auth", "anyone", "Who is signed in (null for a visitor, not a 401)", R.SessionSchema),
  "GET /api/projects": doc(
    "projects",
    "anyone",
    "The feed, paged and sorted (filters: q, tag, following)",
    R.FeedPageSchema,
  ),
  "POST /api/projects": doc("projects", "user", "Post a project", R.ProjectSummarySchema, 201),
  "GET /api/projects/:id": doc(
    "projects",
    "anyone",
    "A project with its newest comment threads",
    R.ProjectDetailSchema,
  ),
  "PATCH /api/projects/:id": doc("projects", "user", "Edit your project", R.ProjectSummarySchema),
  "DELETE /api/projects/:id": doc("projects", "user", "Delete a project (owner or admin)", null),
  "POST /api/projects/:id/feature": doc("projects", "admin", "Feature or unfeature a project", R.ProjectSummarySchema),
  "POST /api/projects/:id/upvote": doc("votes", "user", "Upvote (or switch to an upvote)", R.VoteResultSchema),
  "POST /api/projects/:id/downvote": doc("votes", "user", "Downvote (or switch to a downvote)", R.VoteResultSchema),
  "DELETE /api/projects/:id/vote": doc("votes", "user", "Remove your vote", R.VoteResultSchema),
  "POST /api/votes": doc("votes", "user", "Vote 1, -1 or 0 (0 removes the vote)", R.VoteResultSchema),
  "GET /api/tags": doc("projects", "anyone", "Tags, most used first", z.array(R.TagCountSchema)),
  "GET /api/projects/:id/comments": doc(
    "comments",
    "anyone",
    "Older comment threads, newest first",
    R.CommentsPageSchema,
  ),
  "POST /api/projects/:id/comments": doc("comments", "user", "Comment on a project", R.CommentViewSchema, 201),
  "PATCH /api/comments/:id": doc("comments", "user", "Edit your comment", R.CommentViewSchema),
  "DELETE /api/comments/:id": doc("comments", "user", "Delete a comment and its replies (author or admin)", null),
  "POST /api/comments/:id/vote": doc("comments", "user", "Vote on a comment", R.CommentVoteResultSchema),
  "POST /api/intros": doc("intros", "user", "Ask someone for an intro", R.IntroViewSchema, 201),
  "GET /api/intros": doc("intros", "user", "Intros you received and sent", R.IntrosResponseSchema),
  "POST /api/intros/:id/accept": doc("intros", "user", "Accept an intro (recipient)", R.IntroViewSchema),
  "POST /api/intros/:id/decline": doc("intros", "user", "Decline an intro (recipient)", R.IntroViewSchema),
  "POST /api/messages": doc("messages", "user", "Send a direct message", R.MessageViewSchema, 201),
  "GET /api/conversations": doc(
    "messages",
    "user",
    "Your conversations, with last message and unread count",
    z.array(R.ConversationSummarySchema),
  ),
  "GET /api/conversations/:userId": doc(
    "messages",
    "user",
    "A conversation's messages, oldest first",
    z.array(R.MessageViewSchema),
  ),
  "POST /api/conversations/:userId/read": doc(
    "messages",
    "user",
    "Mark every incoming message of a conversation read",
    R.ConversationReadResultSchema,
  ),
  "POST /api/messages/:id/read": doc("messages", "user", "Mark one message read (recipient)", R.MessageViewSchema),
  "GET /api/users/:id": doc("users", "anyone", "A public profile with projects and stats", R.ProfileSchema),
  "PATCH /api/users/me": doc("users", "user", "Update your profile", R.MeSchema),
  "POST /api/users/:id/follow": doc("users", "user", "Follow a maker (idempotent)", R.FollowResultSchema),
  "DELETE /api/users/:id/follow": doc("users", "user", "Unfollow a maker (idempotent)", R.FollowResultSchema),
  "GET /api/notifications": doc("notifications", "user", "Your notifications, newest first", R.NotificationsPageSchema),
  "POST /api/notifications/read": doc(
    "notifications",
    "user",
    "Mark notifications (or all) read",
    R.MarkReadResultSchema,
  ),
  "DELETE /api/notifications/:id": doc("notifications", "user", "Delete a notification", null),
  "POST /api/projects/:id/badges": doc("badges", "admin", "Award a badge", R.BadgeViewSchema, 201),
  "GET /api/leaderboard": doc("projects", "anyone", "Ranked projects and makers", R.LeaderboardSchema),
};

const ErrorResponse = ErrorBodySchema.meta({
  id: "Error",
  description: "Every error: a stable code, a message for people, and details for validation errors",
  examples: [
    errorBody(ErrorCode.VALIDATION_ERROR, "Invalid title: must not be empty", [
      { path: "title", message: "must not be empty" },
    ]),
  ],
});

const ERROR_TEXT: Record<Who, string> = {
  anyone: "VALIDATION_ERROR / BAD_JSON (400), NOT_FOUND (404), RATE_LIMITED (429)",
  user: "VALIDATION_ERROR (400), UNAUTHORIZED (401), FORBIDDEN / CROSS_SITE (403), NOT_FOUND (404), RATE_LIMITED (429)",
  admin: "VALIDATION_ERROR (400), UNAUTHORIZED (401), FORBIDDEN (403), NOT_FOUND (404)",
};

/** `POST /api/projects/:id/upvote` → `postProjectsIdUpvote`. */
const operationId = (method: string, url: string) =>
  method.toLowerCase() +
  url
    .replace(/^\/api/, "")
    .split(/[/:-]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");

export const docKey = (method: string, url: string) => `${method} ${url.replace(/\/$/, "") || "/"}`;

/**
 * Checks a JSON response against its documented schema: every documented field
 * present with its type, and no field the schema does not know (zod would drop
 * it, so the parsed value would differ). Returns the problems, or null.
 */
export function checkResponse(schema: z.ZodType, json: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return "the body is not JSON";
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return z.prettifyError(parsed.error);
  if (!isDeepStrictEqual(parsed.data, value)) return "the body has fields the schema does not document";
  return null;
}

export default fp<{ validateResponses?: boolean }>(
  async (app: FastifyInstance, { validateResponses = false }) => {
    // Documentation only: responses are sent as JSON.stringify makes them (see the header comment).
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));

    app.addHook("onRoute", (route) => {
      if (route.method === "HEAD" || route.url.startsWith("/api/docs") || route.url === "/openapi.json") return;
      const entry = ROUTE_DOCS[docKey(String(route.method), route.url)];
      if (!entry) return;
      // Public routes take a session too (the feed's myVote): `{}` says anonymous is fine.
      const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
      if (entry.who === "anyone") security.unshift({});
      route.schema = {
        ...route.schema,
        summary: entry.summary,
        description: `Errors: ${ERROR_TEXT[entry.who]}; INTERNAL (500) and UNAVAILABLE (503) for server faults.`,
        tags: [entry.tag],
        security,
        operationId: operationId(String(route.method), route.url),
        response: {
          [entry.status]: entry.mediaType
            ? { content: { [entry.mediaType]: { schema: entry.body } } }
            : (entry.body ?? z.null().describe("No content")),
          ...entry.others,
          "4xx": ErrorResponse,
          "5xx": ErrorResponse,
        },
      };
    });

    await app.register(fastifySwagger, {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "Zerostale API",
          version: "1.0.0",
          description:
            "The HTTP API of Zerostale (SPEC.md). Realtime events travel over Socket.IO at /socket.io; see the README.",
          license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
        },
        servers: [{ url: "/" }],
        components: {
          securitySchemes: {
            bearerAuth: { type: "http", scheme: "bearer", description: "The token from signup or login" },
            cookieAuth: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The session cookie" },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
    // Swagger UI's page loads only same-origin scripts (no inline script), so it works under a CSP of script-src 'self'.
    await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });

    if (validateResponses) {
      app.addHook("onSend", async (request, reply, payload) => {
        const entry =
          ROUTE_DOCS[docKey(request.method === "HEAD" ? "GET" : request.method, request.routeOptions.url ?? "")];
        if (!entry || typeof payload !== "string" || entry.mediaType) return payload;
        const schema = reply.statusCode === entry.status ? entry.body : entry.others?.[reply.statusCode];
        if (!schema) return payload;
        const problem = checkResponse(schema, payload);
        if (!problem) return payload;
        request.log.error({ problem }, "response does not match its documented schema");
        reply.status(500);
        return JSON.stringify(
          errorBody(
            ErrorCode.INTERNAL,
            `Response of ${request.method} ${request.routeOptions.url} breaks its schema`,
            problem,
          ),
        );
      });
    }
  },
  { name: "openapi" },
);
