/** Notification kinds without zod, for the event catalogue (which the web client loads); notifications.ts adds the schemas. */

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
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
