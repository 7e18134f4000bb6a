import { z } from "zod";
import { IdSchema, text, type UserRef } from "./common";

export const CreateIntroBodySchema = z.object({
  toUserId: IdSchema,
  projectId: IdSchema.nullish(),
  message: text(1, 1000),
});
export type CreateIntroBody = z.infer<typeof CreateIntroBodySchema>;

export const IntroStatusSchema = z.enum(["pending", "accepted", "declined"]);
export type IntroStatus = z.infer<typeof IntroStatusSchema>;

export interface IntroView {
  id: string;
  fromUserId: string;
  toUserId: string;
  fromUser: UserRef;
  toUser: UserRef;
  project: { id: string; title: string } | null;
  projectId: string | null;
  message: string;
  status: IntroStatus;
  respondedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface IntrosResponse {
  received: IntroView[];
  sent: IntroView[];
}
