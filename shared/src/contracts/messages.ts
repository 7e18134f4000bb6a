import { z } from "zod";
import { IdSchema, text } from "./common";

export type { ConversationSummary, MessageView } from "./responses";

export const SendMessageBodySchema = z.object({ toUserId: IdSchema, body: text(1, 2000) });
export type SendMessageBody = z.infer<typeof SendMessageBodySchema>;
