import { z } from "zod";
import { IdSchema, PageQuerySchema } from "./common";

export type { FollowResult, MarkReadResult, NotificationsPage, NotificationView } from "./responses";

/** SPEC "Notifications": who gets which, one row per recipient, never the actor. */
export const NOTIFICATION_KINDS = [
  "intro_received",
  "intro_accepted",
  "intro_declined",
  "comment",
  "reply",
  "badge_awarded",
  "project_featured",
  "follow",
  "new_project",
] as const;
export const NotificationKindSchema = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKindSchema>;

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
