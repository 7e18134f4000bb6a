import { z } from "zod";
import { IdSchema, text, VoteValueSchema } from "./common";

export const CreateCommentBodySchema = z.object({
  body: text(1, 2000),
  parentId: IdSchema.nullish(),
});
export type CreateCommentBody = z.infer<typeof CreateCommentBodySchema>;

export const UpdateCommentBodySchema = z.object({ body: text(1, 2000) });

export const CommentVoteBodySchema = z.object({ value: VoteValueSchema });

export interface CommentVoteResult {
  commentId: string;
  myVote: -1 | 0 | 1;
  score: number;
}
