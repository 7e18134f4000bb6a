import { BADGE_LABELS } from "@shared/contracts/badge-kinds";
import type { NotificationKind } from "@shared/contracts/notifications";
import type { AnyEnvelope, Envelope, EnvelopeType } from "@shared/realtime/events";
import { rooms } from "@shared/realtime/rooms";
import type { Toast } from "../components/toast-store";

export interface EffectContext {
  meId: string | null;
  /** The path the tab shows, so a toast does not announce what is already on screen. */
  path: string;
  notify: (t: Omit<Toast, "id" | "tone"> & { tone?: Toast["tone"] }) => void;
}

type Effect<K extends EnvelopeType> = (envelope: Envelope<K>, ctx: EffectContext) => void;

/**
 * A toast for the notifications no other event already announces (intros and
 * badges have their own toasts); the bell counts all of them.
 */
const NOTIFICATION_TOASTS: Partial<Record<NotificationKind, string>> = {
  comment: "New comment on your project",
  reply: "New reply to your comment",
  follow: "You have a new follower",
  new_project: "A maker you follow posted a new project",
  project_featured: "Your project was featured",
};

const none = () => {};

/** Only events in my own room speak to me (the same event also reaches feed and project rooms). */
const mine = (e: Envelope, ctx: EffectContext) => ctx.meId !== null && e.room === rooms.user(ctx.meId);

/**
 * UI side effects per event type, beyond refetching. A record over every
 * envelope type: a new event in the shared catalogue fails to compile here
 * until someone decides what, if anything, the user should notice.
 */
export const eventEffects: { [K in EnvelopeType]: Effect<K> } = {
  "project:created": none,
  "project:updated": none,
  "project:deleted": none,
  "project:featured": none,
  "vote:cast": none,
  "vote:removed": none,
  "leaderboard:updated": none,
  "comment:added": none,
  "comment:updated": none,
  "comment:deleted": none,
  "comment:voted": none,
  "intro:received": (e, ctx) => {
    if (!mine(e, ctx) || e.data.toUserId !== ctx.meId) return;
    ctx.notify({ title: `${e.data.fromName} asked you for an intro`, href: "/intros", linkText: "View intros" });
  },
  "intro:accepted": (e, ctx) => {
    if (!mine(e, ctx) || e.data.fromUserId !== ctx.meId) return;
    ctx.notify({
      title: `${e.data.toName} accepted your intro request`,
      href: `/messages/${e.data.toUserId}`,
      linkText: "Send a message",
      tone: "success",
    });
  },
  "intro:declined": (e, ctx) => {
    if (!mine(e, ctx) || e.data.fromUserId !== ctx.meId) return;
    ctx.notify({ title: `${e.data.toName} declined your intro request`, href: "/intros", linkText: "View intros" });
  },
  "message:received": (e, ctx) => {
    if (!mine(e, ctx) || e.data.recipientId !== ctx.meId) return;
    if (ctx.path === `/messages/${e.data.senderId}`) return;
    ctx.notify({
      title: `New message from ${e.data.senderName}`,
      href: `/messages/${e.data.senderId}`,
      linkText: "Open",
    });
  },
  "message:read": none,
  "messages:read": none,
  "profile:updated": none,
  "badge:awarded": (e, ctx) => {
    if (!mine(e, ctx) || e.data.ownerId !== ctx.meId) return;
    ctx.notify({
      title: `“${e.data.projectTitle}” won the ${BADGE_LABELS[e.data.kind]} badge`,
      href: `/projects/${e.data.projectId}`,
      linkText: "See it",
      tone: "success",
    });
  },
  "follow:created": none,
  "follow:removed": none,
  "notification:created": (e, ctx) => {
    const title = NOTIFICATION_TOASTS[e.data.kind];
    if (!title || !mine(e, ctx) || e.data.userId !== ctx.meId || ctx.path === "/notifications") return;
    ctx.notify({ title, href: "/notifications", linkText: "View notifications" });
  },
  "notifications:read": none,
  "notification:deleted": none,
  "cache:invalidate": none,
};

export function runEffect(envelope: AnyEnvelope, ctx: EffectContext) {
  (eventEffects[envelope.type] as Effect<EnvelopeType>)(envelope, ctx);
}
