import { z } from "zod";
import { IdSchema, PageQuerySchema } from "./common";
import { NOTIFICATION_KINDS, type NotificationKind } from "./notification-kinds";

export type { FollowResult, MarkReadResult, NotificationsPage, NotificationView } from "./responses";

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
