import { z } from "zod";
import { IdSchema, PageQuerySchema, type UserRef } from "./common";
import type { IntroStatus } from "./intros";
import { NOTIFICATION_KINDS, type NotificationKind } from "./notification-kinds";

export { NOTIFICATION_KINDS, type NotificationKind };
export const NotificationKindSchema = z.enum(NOTIFICATION_KINDS);

export const NotificationsQuerySchema = PageQuerySchema.extend({
  // Query strings are text: only the literal "true" filters (anything else but "false" is a 400).
  unread: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
});
export type NotificationsQuery = z.infer<typeof NotificationsQuerySchema>;

export const MarkNotificationsReadBodySchema = z
  .object({ ids: z.array(IdSchema).min(1, "must name at least one notification").max(500).optional() })
  // No body at all (Fastify hands over null): mark every notification read.
  .nullish()
  .transform((b) => ({ ids: b?.ids }));
export type MarkNotificationsReadBody = z.infer<typeof MarkNotificationsReadBodySchema>;

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  actor?: UserRef;
  project?: { id: string; title: string };
  comment?: { id: string; body: string; parentId: string | null };
  intro?: { id: string; status: IntroStatus };
  readAt: string | null;
  createdAt: string;
}

export interface NotificationsPage {
  items: NotificationView[];
  page: number;
  pageSize: number;
  total: number;
  unreadCount: number;
}

export interface MarkReadResult {
  updated: number;
  unreadCount: number;
}

export interface FollowResult {
  followerId: string;
  followeeId: string;
  following: boolean;
  /** The followee's follower count after the change. */
  followers: number;
}
