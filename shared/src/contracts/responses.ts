/**
 * Response bodies of every API route, as zod schemas: the OpenAPI document
 * (/openapi.json) is generated from them and the integration tests check every
 * response against them (server/src/plugins/openapi.ts). They describe what
 * the server sends; they are not used to serialise it (ADR 018). The response
 * types (ProjectSummary, Comment, Profile…) are inferred from them here, so
 * the shape is written once; the domain contract files re-export them.
 */
import { z } from "zod";
import { BADGE_KINDS } from "./badges";
import { IntroStatusSchema } from "./intros";
import { NotificationKindSchema } from "./notifications";
import { FeedSortSchema } from "./projects";

const Id = z.uuid();
const Timestamp = z.iso.datetime({ offset: true });
const Vote = z.union([z.literal(1), z.literal(-1), z.literal(0)]).describe("1, -1, or 0 for no vote");
const Role = z.enum(["user", "admin"]);

export const UserRefViewSchema = z.object({ id: Id, name: z.string(), avatarUrl: z.string().nullable() });
export type UserRef = z.infer<typeof UserRefViewSchema>;

export const MeSchema = z
  .object({
    id: Id,
    email: z.string(),
    name: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    role: Role,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Me", description: "The signed-in user as they see themselves (the only place an email appears)" });
export type Me = z.infer<typeof MeSchema>;

export const AuthResponseSchema = z
  .object({
    user: MeSchema,
    token: z.string().describe("A bearer token for `Authorization` and the Socket.IO handshake"),
  })
  .meta({ id: "AuthResponse" });
export type AuthResponse = z.infer<typeof AuthResponseSchema>;

export const BadgeSummarySchema = z.object({ kind: z.enum(BADGE_KINDS), createdAt: Timestamp });
export type BadgeSummary = z.infer<typeof BadgeSummarySchema>;

export const ProjectSummarySchema = z
  .object({
    id: Id,
    title: z.string(),
    description: z.string(),
    url: z.string().nullable(),
    tags: z.array(z.string()),
    featured: z.boolean(),
    score: z.number().int().describe("upvotes − downvotes"),
    upvotes: z.number().int(),
    downvotes: z.number().int(),
    commentCount: z.number().int(),
    owner: UserRefViewSchema,
    badges: z.array(BadgeSummarySchema),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({
    id: "ProjectSummary",
    examples: [
      {
        id: "5961d2a5-8813-461e-a0ad-2c932a033400",
        title: "Lockstep",
        description: "Deterministic lockstep networking for browser games",
        url: "https://example.com/lockstep",
        tags: ["games", "networking"],
        featured: false,
        score: 12,
        upvotes: 14,
        downvotes: 2,
        commentCount: 3,
        owner: { id: "0b9f1c52-6c1e-4a47-9d7e-3c2f8f1d2a10", name: "Maya", avatarUrl: null },
        badges: [{ kind: "staff_pick", createdAt: "2026-11-21T09:00:00.000Z" }],
        createdAt: "2026-11-21T08:00:00.000Z",
        updatedAt: "2026-11-21T08:00:00.000Z",
      },
    ],
  });
export type ProjectSummary = z.infer<typeof ProjectSummarySchema>;

export const CommentViewSchema = z
  .object({
    id: Id,
    projectId: Id,
    body: z.string(),
    score: z.number().int(),
    parentId: Id.nullable(),
    author: UserRefViewSchema,
    myVote: Vote,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Comment" });
export type CommentView = z.infer<typeof CommentViewSchema>;

export const ProjectDetailSchema = ProjectSummarySchema.extend({
  myVote: Vote,
  comments: z.array(CommentViewSchema).describe("the newest 200 comment threads (a new comment is always here)"),
  commentsCursor: z
    .string()
    .nullable()
    .describe("where `GET /api/projects/:id/comments?before=` continues with older threads; null when none"),
}).meta({ id: "ProjectDetail" });
export type ProjectDetail = z.infer<typeof ProjectDetailSchema>;

// SPEC: each feed item carries the caller's vote (0 when anonymous).
export const FeedItemSchema = ProjectSummarySchema.extend({ myVote: Vote }).meta({
  id: "FeedItem",
  description: "A project of the feed with the caller's own vote (0 when anonymous)",
});
export type FeedItem = z.infer<typeof FeedItemSchema>;

export const CommentThreadSchema = CommentViewSchema.extend({ replies: z.array(CommentViewSchema) }).meta({
  id: "CommentThread",
});
export type CommentThread = z.infer<typeof CommentThreadSchema>;

export const CommentsPageSchema = z
  .object({ items: z.array(CommentThreadSchema), nextCursor: z.string().nullable() })
  .meta({ id: "CommentsPage" });
export type CommentsPage = z.infer<typeof CommentsPageSchema>;

export const FollowResultSchema = z
  .object({ followerId: Id, followeeId: Id, following: z.boolean(), followers: z.number().int().min(0) })
  .meta({ id: "FollowResult" });
export type FollowResult = z.infer<typeof FollowResultSchema>;

export const MarkReadResultSchema = z
  .object({ updated: z.number().int().min(0), unreadCount: z.number().int().min(0) })
  .meta({ id: "MarkReadResult" });
export type MarkReadResult = z.infer<typeof MarkReadResultSchema>;

export const ConversationReadResultSchema = z
  .object({ count: z.number().int().min(0), readAt: Timestamp.nullable() })
  .meta({ id: "ConversationReadResult" });

export const SessionSchema = z.object({ user: MeSchema.nullable() }).meta({
  id: "Session",
  description: "Who is signed in: the user, or null for a visitor (never a 401)",
});

export const FeedPageSchema = z
  .object({
    items: z.array(FeedItemSchema),
    page: z.number().int().min(1),
    pageSize: z.number().int().min(1),
    total: z.number().int().min(0),
    sort: FeedSortSchema.or(z.literal("relevance")).describe("the order used: a search without `sort` is by relevance"),
  })
  .meta({ id: "FeedPage" });
export type FeedPage = z.infer<typeof FeedPageSchema>;

export const VoteResultSchema = z
  .object({
    projectId: Id,
    myVote: Vote,
    score: z.number().int(),
    upvotes: z.number().int(),
    downvotes: z.number().int(),
  })
  .meta({ id: "VoteResult" });
export type VoteResult = z.infer<typeof VoteResultSchema>;

export const CommentVoteResultSchema = z
  .object({ commentId: Id, myVote: Vote, score: z.number().int() })
  .meta({ id: "CommentVoteResult" });
export type CommentVoteResult = z.infer<typeof CommentVoteResultSchema>;

export const BadgeViewSchema = z
  .object({ id: Id, projectId: Id, kind: z.enum(BADGE_KINDS), createdAt: Timestamp })
  .meta({ id: "Badge" });
export type BadgeView = z.infer<typeof BadgeViewSchema>;

export const IntroViewSchema = z
  .object({
    id: Id,
    fromUserId: Id,
    toUserId: Id,
    fromUser: UserRefViewSchema,
    toUser: UserRefViewSchema,
    project: z.object({ id: Id, title: z.string() }).nullable(),
    projectId: Id.nullable(),
    message: z.string(),
    status: IntroStatusSchema,
    respondedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Intro" });
export type IntroView = z.infer<typeof IntroViewSchema>;

export const IntrosResponseSchema = z
  .object({ received: z.array(IntroViewSchema), sent: z.array(IntroViewSchema) })
  .meta({ id: "Intros" });
export type IntrosResponse = z.infer<typeof IntrosResponseSchema>;

export const MessageViewSchema = z
  .object({
    id: Id,
    senderId: Id,
    recipientId: Id,
    body: z.string(),
    readAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "Message" });
export type MessageView = z.infer<typeof MessageViewSchema>;

export const ConversationSummarySchema = z
  .object({ user: UserRefViewSchema, lastMessage: MessageViewSchema, unreadCount: z.number().int().min(0) })
  .meta({ id: "ConversationSummary" });
export type ConversationSummary = z.infer<typeof ConversationSummarySchema>;

/** A user as anyone may see them: no email, no private activity. */
export const PublicUserSchema = z.object({
  id: Id,
  name: z.string(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
  role: Role,
  createdAt: Timestamp,
});
export type PublicUser = z.infer<typeof PublicUserSchema>;

export const ProfileSchema = PublicUserSchema.extend({
  projects: z.array(ProjectSummarySchema),
  stats: z.object({
    projects: z.number().int(),
    totalScore: z.number().int(),
    upvotes: z.number().int(),
    comments: z.number().int(),
    badges: z.number().int(),
  }),
  // SPEC: follower counts and whether the caller follows this maker.
  followers: z.number().int().min(0),
  following: z.number().int().min(0),
  followedByMe: z.boolean(),
}).meta({ id: "Profile" });
export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileStats = Profile["stats"];

export const LeaderboardSchema = z
  .object({
    projects: z.array(z.object({ rank: z.number().int().min(1), project: ProjectSummarySchema })),
    makers: z.array(
      z.object({
        rank: z.number().int().min(1),
        user: UserRefViewSchema,
        projectCount: z.number().int(),
        totalScore: z.number().int(),
        badgeCount: z.number().int(),
      }),
    ),
  })
  .meta({ id: "Leaderboard" });
export type Leaderboard = z.infer<typeof LeaderboardSchema>;
export type LeaderboardProject = Leaderboard["projects"][number];
export type LeaderboardMaker = Leaderboard["makers"][number];

export const TagCountSchema = z.object({ tag: z.string(), count: z.number().int() });
export type TagCount = z.infer<typeof TagCountSchema>;

/** A notification: who did what, to which project, comment or intro (absent parts are left out). */
export const NotificationViewSchema = z
  .object({
    id: Id,
    kind: NotificationKindSchema,
    actor: UserRefViewSchema.optional(),
    project: z.object({ id: Id, title: z.string() }).optional(),
    comment: z.object({ id: Id, body: z.string(), parentId: Id.nullable() }).optional(),
    intro: z.object({ id: Id, status: IntroStatusSchema }).optional(),
    readAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "Notification" });
export type NotificationView = z.infer<typeof NotificationViewSchema>;

export const NotificationsPageSchema = z
  .object({
    items: z.array(NotificationViewSchema),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
    unreadCount: z.number().int(),
  })
  .meta({ id: "NotificationsPage" });
export type NotificationsPage = z.infer<typeof NotificationsPageSchema>;

const Link = z.object({ up: z.boolean(), kind: z.string() });
export const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded", "down"]),
    mode: z.enum(["embedded", "server"]),
    instance: z.string(),
    uptimeSeconds: z.number().int().min(0),
    database: Link.extend({ latencyMs: z.number().optional(), listening: z.boolean() }).loose(),
    cache: Link.loose(),
    realtime: z.object({ up: z.boolean() }).loose(),
  })
  .loose()
  .meta({
    id: "Health",
    description:
      "Liveness and the state of each link (no host names, process ids or versions); 503 when the database is down",
  });
