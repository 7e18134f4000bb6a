import { z } from "zod";
import { IdSchema, VoteValueSchema } from "./common";

export const VoteBodySchema = z.object({ projectId: IdSchema, value: VoteValueSchema });
export type VoteBody = z.infer<typeof VoteBodySchema>;
