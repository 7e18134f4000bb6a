import { z } from "zod";
import { IdSchema, text } from "./common";

export type { IntrosResponse, IntroView } from "./responses";

export const CreateIntroBodySchema = z.object({
  toUserId: IdSchema,
  projectId: IdSchema.nullish(),
  message: text(1, 1000),
});
export type CreateIntroBody = z.infer<typeof CreateIntroBodySchema>;

export const IntroStatusSchema = z.enum(["pending", "accepted", "declined"]);
export type IntroStatus = z.infer<typeof IntroStatusSchema>;
