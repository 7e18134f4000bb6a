import { z } from "zod";
import { IdSchema, text, type UserRef } from "./common";

export const SendMessageBodySchema = z.object({ toUserId: IdSchema, body: text(1, 2000) });
export type SendMessageBody = z.infer<typeof SendMessageBodySchema>;

export interface MessageView {
  id: string;
  senderId: string;
  recipientId: string;
  body: string;
  readAt: string | null;
  createdAt: string;
}

export interface ConversationSummary {
  user: UserRef;
  lastMessage: MessageView;
  unreadCount: number;
}
