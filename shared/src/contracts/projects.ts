import { z } from "zod";
import { HttpUrlSchema, line, PageQuerySchema, text } from "./common";
import { SEARCH_MAX_LENGTH } from "./limits";

export type {
  BadgeSummary,
  CommentsPage,
  CommentThread,
  CommentView,
  FeedItem,
  FeedPage,
  ProjectDetail,
  ProjectSummary,
  TagCount,
  VoteResult,
} from "./responses";
export { SEARCH_MAX_LENGTH };

export const TagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "must not be empty")
  .max(30, "must be at most 30 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} +#.\-_]*$/u, "may contain letters, digits, spaces and + # . - _");

export const TagsSchema = z
  .array(TagSchema)
  .max(10, "at most 10 tags")
  .transform((tags) => [...new Set(tags)]);

export const CreateProjectBodySchema = z.object({
  title: line(1, 120),
  description: text(0, 5000).default(""),
  url: HttpUrlSchema.nullish().or(z.literal("").transform(() => null)),
  tags: TagsSchema.default([]),
});
export type CreateProjectBody = z.infer<typeof CreateProjectBodySchema>;

export const UpdateProjectBodySchema = z
  .object({
    title: line(1, 120),
    description: text(0, 5000),
    url: HttpUrlSchema.nullable().or(z.literal("").transform(() => null)),
    tags: TagsSchema,
  })
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), "nothing to update");
export type UpdateProjectBody = z.infer<typeof UpdateProjectBodySchema>;

export const FeatureBodySchema = z.object({ featured: z.boolean() });

export const FeedSortSchema = z.enum(["trending", "newest", "top"]);
export type FeedSort = z.infer<typeof FeedSortSchema>;

export const SearchTextSchema = z
  .string()
  .max(SEARCH_MAX_LENGTH * 4, `must be at most ${SEARCH_MAX_LENGTH} characters`)
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .max(SEARCH_MAX_LENGTH, `must be at most ${SEARCH_MAX_LENGTH} characters`)
      .refine((s) => !s.includes("\u0000"), "must not contain NUL characters"),
  );

/**
 * The feed and its filters (SPEC): `q` full-text words (never query syntax),
 * `tag` one exact tag, `following` only makers the caller follows. Without
 * `sort`, a search is ordered by relevance and everything else by `trending`.
 */
export const FeedQuerySchema = PageQuerySchema.extend({
  sort: FeedSortSchema.optional(),
  q: SearchTextSchema.optional().transform((q) => (q ? q : undefined)),
  tag: TagSchema.optional(),
  following: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
});
export type FeedQuery = z.infer<typeof FeedQuerySchema>;
export type FeedOrder = FeedSort | "relevance";

export const COMMENT_PAGE_MAX = 100;
export const CommentsPageQuerySchema = z.object({
  before: z
    .string()
    .max(200, "is not a cursor of this API")
    .regex(/^[A-Za-z0-9_-]+$/, "is not a cursor of this API")
    .optional(),
  limit: z.coerce.number().int().min(1).max(COMMENT_PAGE_MAX).default(50),
});
export type CommentsPageQuery = z.infer<typeof CommentsPageQuerySchema>;
