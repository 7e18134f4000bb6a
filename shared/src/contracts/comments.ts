import { z } from "zod";
import { IdSchema, text, VoteValueSchema } from "./common";

export type { CommentVoteResult } from "./responses";

export const CreateCommentBodySchema = z.object({
  body: text(1, 2000),
  parentId: IdSchema.nullish(),
});
export type CreateCommentBody = z.infer<typeof CreateCommentBodySchema>;

export const UpdateCommentBodySchema = z.object({ body: text(1, 2000) });

export const CommentVoteBodySchema = z.object({ value: VoteValueSchema });
