/**
 * The event catalogue: every realtime event of SPEC.md with its payload schema,
 * the rooms it reaches and the resources it affects. The server's pipeline
 * (server/src/freshness) invalidates `affects` and emits to `rooms`; the web
 * client (web/src/realtime) invalidates the queries of `affects`. One
 * definition, so neither side can forget a case the other knows.
 *
 * Payloads carry ids and small derived values (counts, status), never private
 * content: DM bodies and intro messages stay behind the authorized HTTP API.
 *
 * No zod at run time here: each payload schema is a function of zod's namespace,
 * built on first use by whoever parses (`eventSchema`). The web client routes
 * events by this catalogue but never parses them, and building ~25 schemas (and
 * loading zod) when its realtime chunk loads cost the first page ~50 ms of main
 * thread on a phone (ADR 016).
 */
import type { z } from "zod";
import { BADGE_KINDS } from "../contracts/badge-kinds";
import { NOTIFICATION_KINDS } from "../contracts/notification-kinds";
import { R, type Resource } from "./resources";
import { type Room, rooms } from "./rooms";

/** zod's namespace, handed to the schema builders. */
export type Zod = typeof z;

/** How much of a new project's description its event carries: about what a feed card shows (two lines). */
export const SUMMARY_DESCRIPTION = 280;

/** The start of a description, never ending inside a character (a lone surrogate). */
export function summaryDescription(description: string): string {
  const cut = description.slice(0, SUMMARY_DESCRIPTION);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Who caused the change, and who else the change concerns (for private rooms). */
export interface RoomContext {
  actorId?: string | null;
  userIds?: readonly string[];
}

export interface EventDef<S extends z.ZodType> {
  /** Builds the payload schema (see the module comment); call `eventSchema` instead, it builds each once. */
  data: (z: Zod) => S;
  rooms: (data: z.output<S>, ctx: RoomContext) => Room[];
  affects: (data: z.output<S>) => Resource[];
  /**
   * Events with the same coalesce key in one room within the coalescing window
   * are merged into the latest one (their payloads are snapshots, not deltas).
   * Undefined: every event is delivered on its own.
   */
  coalesceKey?: (data: z.output<S>) => string | undefined;
  /**
   * A longer coalescing window (ms) for events that only echo what other events
   * already said (clients learn of the change from those): at most one per window.
   */
  throttleMs?: number;
}

const def = <S extends z.ZodType>(d: EventDef<S>) => d;
const actorRoom = (ctx: RoomContext): Room[] => (ctx.actorId ? [rooms.user(ctx.actorId)] : []);
const unique = <T>(xs: T[]) => [...new Set(xs)];

const voteCounts = (z: Zod) =>
  z.object({
    projectId: z.string(),
    ownerId: z.string(),
    score: z.number().int(),
    upvotes: z.number().int(),
    downvotes: z.number().int(),
  });

/** An intro accepted or declined: the same payload, to the same people, affecting the same lists. */
const introAnswered = def({
  data: (z: Zod) => z.object({ introId: z.string(), fromUserId: z.string(), toUserId: z.string(), toName: z.string() }),
  rooms: (d) => [rooms.user(d.fromUserId), rooms.user(d.toUserId)],
  affects: (d) => [R.intros(d.toUserId), R.intros(d.fromUserId)],
});

/** Tables whose rows can change from outside the API (SPEC "Writes from outside the API"). */
export const TABLES = [
  "users",
  "projects",
  "votes",
  "comments",
  "comment_votes",
  "intros",
  "messages",
  "badges",
  "follows",
  "notifications",
] as const;
export type Table = (typeof TABLES)[number];

export const events = {
  "project:created": def({
    data: (z: Zod) =>
      z.object({
        projectId: z.string(),
        ownerId: z.string(),
        /**
         * What a feed card shows of it (public, like the feed itself; the description cut
         * to what a card shows): Newest puts it on screen as the event lands, before its refetch.
         */
        summary: z
          .object({
            title: z.string(),
            description: z.string().max(SUMMARY_DESCRIPTION),
            url: z.string().nullable(),
            tags: z.array(z.string()),
            owner: z.object({ id: z.string(), name: z.string(), avatarUrl: z.string().nullable() }),
            createdAt: z.string(),
            updatedAt: z.string(),
          })
          .optional(),
      }),
    rooms: () => [rooms.feed],
    affects: (d) => [R.feed, R.catalog, R.leaderboard, R.profile(d.ownerId), R.tags],
  }),
  "project:updated": def({
    // The title after the change (a snapshot; public, short): shown at once, the rest comes with the refetch.
    data: (z: Zod) => z.object({ projectId: z.string(), ownerId: z.string(), title: z.string().optional() }),
    rooms: (d) => [rooms.project(d.projectId), rooms.feed],
    // Intros and notifications show the title of the project they are about; tags may change.
    affects: (d) => [
      R.project(d.projectId),
      R.feed,
      R.leaderboard,
      R.profile(d.ownerId),
      R.allIntros,
      R.allNotifications,
      R.tags,
    ],
    coalesceKey: (d) => d.projectId,
  }),
  "project:deleted": def({
    data: (z: Zod) => z.object({ projectId: z.string(), ownerId: z.string() }),
    rooms: (d) => [rooms.project(d.projectId), rooms.feed],
    // Its comments go with it: every commenter's profile stats change (a rare, coarse case).
    affects: (d) => [
      R.project(d.projectId),
      R.feed,
      R.catalog,
      R.leaderboard,
      R.profile(d.ownerId),
      R.allProfiles,
      R.allIntros,
      // Notifications about it go with it (whose is not known here).
      R.allNotifications,
      R.tags,
    ],
  }),
  "project:featured": def({
    data: (z: Zod) => z.object({ projectId: z.string(), ownerId: z.string(), featured: z.boolean() }),
    rooms: (d) => [rooms.project(d.projectId), rooms.feed],
    affects: (d) => [R.project(d.projectId), R.feed, R.leaderboard, R.profile(d.ownerId)],
    coalesceKey: (d) => d.projectId,
  }),
  "vote:cast": def({
    data: voteCounts,
    // The voter's other tabs learn their own vote (myVote) through their user room.
    rooms: (d, ctx) => [rooms.project(d.projectId), rooms.feed, ...actorRoom(ctx)],
    affects: (d) => [R.project(d.projectId), R.feed, R.ranking, R.leaderboard, R.profile(d.ownerId)],
    coalesceKey: (d) => d.projectId,
  }),
  "vote:removed": def({
    data: voteCounts,
    rooms: (d, ctx) => [rooms.project(d.projectId), rooms.feed, ...actorRoom(ctx)],
    affects: (d) => [R.project(d.projectId), R.feed, R.ranking, R.leaderboard, R.profile(d.ownerId)],
    coalesceKey: (d) => d.projectId,
  }),
  "leaderboard:updated": def({
    data: (z: Zod) => z.object({}),
    rooms: () => [rooms.feed],
    affects: () => [R.leaderboard],
    coalesceKey: () => "leaderboard",
    // Every change that moves the leaderboard already affects it; this event is
    // the SPEC's announcement of it, so a busy feed gets it at most every 250 ms.
    throttleMs: 250,
  }),
  "comment:added": def({
    data: (z: Zod) =>
      z.object({
        projectId: z.string(),
        ownerId: z.string(),
        commentId: z.string(),
        parentId: z.string().nullable(),
        authorId: z.string(),
        commentCount: z.number().int(),
      }),
    rooms: (d) => [rooms.project(d.projectId), rooms.feed],
    // Comment counts show on the feed, the leaderboard and the owner's profile; the author's stats change.
    affects: (d) => [R.project(d.projectId), R.feed, R.leaderboard, R.profile(d.ownerId), R.profile(d.authorId)],
  }),
  "comment:updated": def({
    data: (z: Zod) => z.object({ projectId: z.string(), commentId: z.string() }),
    rooms: (d) => [rooms.project(d.projectId)],
    affects: (d) => [R.project(d.projectId)],
    coalesceKey: (d) => d.commentId,
  }),
  "comment:deleted": def({
    data: (z: Zod) =>
      z.object({
        projectId: z.string(),
        ownerId: z.string(),
        commentId: z.string(),
        /** Authors of the comment and of the replies that went with it. */
        authorIds: z.array(z.string()),
        commentCount: z.number().int(),
      }),
    rooms: (d) => [rooms.project(d.projectId), rooms.feed],
    affects: (d) => [
      R.project(d.projectId),
      R.feed,
      R.leaderboard,
      R.profile(d.ownerId),
      ...d.authorIds.map(R.profile),
      // Notifications about the comment and its replies go with them.
      R.allNotifications,
    ],
  }),
  "comment:voted": def({
    data: (z: Zod) => z.object({ projectId: z.string(), commentId: z.string(), score: z.number().int() }),
    rooms: (d, ctx) => [rooms.project(d.projectId), ...actorRoom(ctx)],
    affects: (d) => [R.project(d.projectId)],
    coalesceKey: (d) => d.commentId,
  }),
  "intro:received": def({
    data: (z: Zod) =>
      z.object({ introId: z.string(), fromUserId: z.string(), toUserId: z.string(), fromName: z.string() }),
    // The requester's own other tabs learn about the request they sent.
    rooms: (d) => [rooms.user(d.toUserId), rooms.user(d.fromUserId)],
    affects: (d) => [R.intros(d.toUserId), R.intros(d.fromUserId)],
  }),
  "intro:accepted": introAnswered,
  "intro:declined": introAnswered,
  "message:received": def({
    data: (z: Zod) =>
      z.object({ messageId: z.string(), senderId: z.string(), recipientId: z.string(), senderName: z.string() }),
    rooms: (d) => [rooms.user(d.recipientId), rooms.user(d.senderId)],
    affects: (d) => [
      R.conversations(d.recipientId),
      R.conversations(d.senderId),
      R.conversation(d.senderId, d.recipientId),
    ],
  }),
  "message:read": def({
    data: (z: Zod) =>
      z.object({ messageId: z.string(), senderId: z.string(), readerId: z.string(), readAt: z.string() }),
    rooms: (d) => [rooms.user(d.senderId), rooms.user(d.readerId)],
    affects: (d) => [R.conversations(d.senderId), R.conversations(d.readerId), R.conversation(d.senderId, d.readerId)],
  }),
  "messages:read": def({
    data: (z: Zod) =>
      z.object({ senderId: z.string(), readerId: z.string(), count: z.number().int(), readAt: z.string() }),
    rooms: (d) => [rooms.user(d.senderId), rooms.user(d.readerId)],
    affects: (d) => [R.conversations(d.senderId), R.conversations(d.readerId), R.conversation(d.senderId, d.readerId)],
  }),
  "profile:updated": def({
    // The public name and picture after the change (a snapshot), shown at once wherever they appear.
    data: (z: Zod) =>
      z.object({ userId: z.string(), name: z.string().optional(), avatarUrl: z.string().nullable().optional() }),
    rooms: (d, ctx) => unique<Room>([rooms.feed, rooms.user(d.userId), ...actorRoom(ctx)]),
    // Names and avatars appear on every project page the user commented on.
    affects: (d) => [R.profile(d.userId), R.feed, R.leaderboard, R.allProjects, R.allIntros, R.allConversations],
    coalesceKey: (d) => d.userId,
  }),
  "badge:awarded": def({
    data: (z: Zod) =>
      z.object({
        projectId: z.string(),
        ownerId: z.string(),
        kind: z.enum(BADGE_KINDS),
        projectTitle: z.string(),
        /** When it was awarded: with `kind`, the badge as the project shows it. */
        createdAt: z.string().optional(),
      }),
    rooms: (d) => [rooms.project(d.projectId), rooms.feed, rooms.user(d.ownerId)],
    affects: (d) => [R.project(d.projectId), R.feed, R.leaderboard, R.profile(d.ownerId)],
  }),
  "follow:created": def({
    data: (z: Zod) => z.object({ followerId: z.string(), followeeId: z.string(), followers: z.number().int() }),
    // The feed room carries profile counts to everyone viewing the followee.
    rooms: (d) => [rooms.user(d.followerId), rooms.user(d.followeeId), rooms.feed],
    affects: (d) => [R.profile(d.followeeId), R.profile(d.followerId), R.following(d.followerId)],
  }),
  "follow:removed": def({
    data: (z: Zod) => z.object({ followerId: z.string(), followeeId: z.string(), followers: z.number().int() }),
    rooms: (d) => [rooms.user(d.followerId), rooms.user(d.followeeId), rooms.feed],
    affects: (d) => [R.profile(d.followeeId), R.profile(d.followerId), R.following(d.followerId)],
  }),
  // Notification events reach the recipient's room only; they carry ids and
  // the kind, never the subject's content (the inbox is fetched over HTTP).
  "notification:created": def({
    data: (z: Zod) => z.object({ notificationId: z.string(), userId: z.string(), kind: z.enum(NOTIFICATION_KINDS) }),
    rooms: (d) => [rooms.user(d.userId)],
    affects: (d) => [R.notifications(d.userId)],
  }),
  "notifications:read": def({
    /** `ids` null: every notification of the user. */
    data: (z: Zod) =>
      z.object({
        userId: z.string(),
        ids: z.array(z.string()).nullable(),
        count: z.number().int(),
        readAt: z.string(),
      }),
    rooms: (d) => [rooms.user(d.userId)],
    affects: (d) => [R.notifications(d.userId)],
  }),
  "notification:deleted": def({
    data: (z: Zod) => z.object({ notificationId: z.string(), userId: z.string() }),
    rooms: (d) => [rooms.user(d.userId)],
    affects: (d) => [R.notifications(d.userId)],
  }),
  "cache:invalidate": def({
    data: (z: Zod) =>
      z.object({
        resource: z.union([z.enum(TABLES), z.literal("*")]),
        action: z.enum(["insert", "update", "delete", "resync"]),
        id: z.string().nullable(),
        projectId: z.string().nullable().optional(),
      }),
    // A change from outside the API reaches the rooms of the rows it touched;
    // the listener knows them from the trigger's payload (ctx.userIds).
    rooms: (d, ctx) => invalidationRooms(d.resource, d.projectId ?? null, ctx.userIds ?? []),
    affects: (d) => invalidationAffects(d.resource, d.id, d.projectId ?? null),
    // Resyncs in a burst say the same thing: refetch everything.
    coalesceKey: (d) => (d.resource === "*" ? "resync" : undefined),
  }),
  // Not in SPEC's table: a logout goes through the pipeline like every other
  // change, and its event reaches every instance holding sockets of the session.
  // Those sockets lose their private rooms and are told `session:ended` with
  // this payload, not an envelope (socket-events.ts). "expired" is only said
  // by an instance to its own socket, when the socket's token runs out.
  "session:ended": def({
    data: (z: Zod) => z.object({ sessionId: z.string(), reason: z.enum(["signed out", "expired"]) }),
    rooms: (d) => [rooms.session(d.sessionId)],
    affects: (d) => [R.session(d.sessionId)],
  }),
} as const;

export type EventType = keyof typeof events;
export const EVENT_TYPES = Object.keys(events) as EventType[];
export type EventSchema<T extends EventType> = ReturnType<(typeof events)[T]["data"]>;
export type EventData<T extends EventType> = z.output<EventSchema<T>>;

const schemas = new Map<EventType, z.ZodType>();

/** The payload schema of an event type, built with the caller's zod the first time it is asked for. */
export function eventSchema<T extends EventType>(type: T, zod: Zod): EventSchema<T> {
  let schema = schemas.get(type);
  if (!schema) {
    schema = (events[type].data as (z: Zod) => z.ZodType)(zod);
    schemas.set(type, schema);
  }
  return schema as EventSchema<T>;
}

/** Events to a session room: the realtime part acts on them (ends the session's sockets) instead of forwarding them. */
export type SessionEventType = "session:ended";
/** Events that reach clients as envelopes, each under the Socket.IO event name equal to its type (SPEC). */
export type EnvelopeType = Exclude<EventType, SessionEventType>;
export const isSessionEvent = (type: EventType): type is SessionEventType => type === "session:ended";
export const ENVELOPE_TYPES = EVENT_TYPES.filter((t): t is EnvelopeType => !isSessionEvent(t));

/** What travels on the wire, under the Socket.IO event name `type`. */
export interface Envelope<T extends EventType = EventType> {
  type: T;
  room: Room;
  seq: number;
  at: string;
  data: EventData<T>;
}

/** An envelope as clients get it, of any type, discriminated by `type`. */
export type AnyEnvelope = { [T in EnvelopeType]: Envelope<T> }[EnvelopeType];

/** An event before it has a room and a sequence number. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

export const event = <T extends EventType>(type: T, data: EventData<T>) => ({ type, data }) as DomainEvent;

export function affectsOf(e: DomainEvent): Resource[] {
  return (events[e.type].affects as (d: unknown) => Resource[])(e.data);
}

export function roomsOf(e: DomainEvent, ctx: RoomContext = {}): Room[] {
  return unique((events[e.type].rooms as (d: unknown, c: RoomContext) => Room[])(e.data, ctx));
}

export function throttleOf(type: EventType): number | undefined {
  return (events[type] as EventDef<z.ZodType>).throttleMs;
}

export function coalesceKeyOf(e: DomainEvent): string | undefined {
  const key = (events[e.type] as EventDef<z.ZodType>).coalesceKey?.(e.data);
  return key === undefined ? undefined : `${e.type === "vote:removed" ? "vote:cast" : e.type}|${key}`;
}

function invalidationRooms(resource: Table | "*", projectId: string | null, userIds: readonly string[]): Room[] {
  const project = projectId ? [rooms.project(projectId)] : [];
  const users = userIds.map(rooms.user);
  switch (resource) {
    case "users":
    case "badges":
    case "projects":
    case "votes":
    case "comments":
      return [...project, rooms.feed, ...users];
    case "comment_votes":
      return [...project, ...users];
    case "intros":
    case "messages":
    case "notifications":
      return users;
    case "follows":
      return [rooms.feed, ...users];
    case "*":
      return [rooms.feed, ...project, ...users];
  }
}

function invalidationAffects(resource: Table | "*", id: string | null, projectId: string | null): Resource[] {
  const project = projectId ? [R.project(projectId)] : [R.allProjects];
  switch (resource) {
    case "users":
      return [
        id ? R.profile(id) : R.allProfiles,
        R.feed,
        R.leaderboard,
        R.allProjects,
        R.allIntros,
        R.allConversations,
      ];
    case "projects":
      return [...project, R.feed, R.catalog, R.ranking, R.leaderboard, R.allProfiles, R.tags, R.allNotifications];
    case "votes":
      return [...project, R.feed, R.catalog, R.ranking, R.leaderboard, R.allProfiles];
    case "badges":
      return [...project, R.feed, R.leaderboard, R.allProfiles];
    case "comments":
      return [...project, R.feed, R.allProfiles, R.allNotifications];
    case "comment_votes":
      return project;
    case "intros":
      return [R.allIntros];
    case "messages":
      return [R.allConversations, R.allConversationThreads];
    case "follows": {
      // The row id is "<follower>:<followee>".
      const [follower, followee] = (id ?? "").split(":");
      return follower && followee
        ? [R.profile(follower), R.profile(followee), R.following(follower)]
        : [R.allProfiles, R.allFollowing];
    }
    case "notifications":
      return [R.allNotifications];
    case "*":
      return [R.all];
  }
}

/** The resync a server sends after it lost its link to the other instances. */
export const resyncEvent = (): DomainEvent =>
  event("cache:invalidate", { resource: "*", action: "resync", id: null, projectId: null });
