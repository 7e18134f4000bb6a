import { z } from "zod";
import type { BadgeKind } from "./badges";
import { HttpUrlSchema, line, PageQuerySchema, text, type UserRef, type VoteValue } from "./common";

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
export const FeedQuerySchema = PageQuerySchema.extend({ sort: FeedSortSchema.default("trending") });
export type FeedQuery = z.infer<typeof FeedQuerySchema>;

export interface BadgeSummary {
  kind: BadgeKind;
  createdAt: string;
}

export interface ProjectSummary {
  id: string;
  title: string;
  description: string;
  url: string | null;
  tags: string[];
  featured: boolean;
  score: number;
  upvotes: number;
  downvotes: number;
  commentCount: number;
  owner: UserRef;
  badges: BadgeSummary[];
  createdAt: string;
  updatedAt: string;
}

export interface CommentView {
  id: string;
  projectId: string;
  body: string;
  score: number;
  parentId: string | null;
  author: UserRef;
  myVote: VoteValue;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectDetail extends ProjectSummary {
  myVote: VoteValue;
  comments: CommentView[];
}

export interface FeedPage {
  items: ProjectSummary[];
  page: number;
  pageSize: number;
  total: number;
  sort: FeedSort;
}

export interface VoteResult {
  projectId: string;
  myVote: VoteValue;
  score: number;
  upvotes: number;
  downvotes: number;
}
