/**
 * Resources name what a change affects. The server turns them into cache tags
 * (server/src/cache), the web client into TanStack Query keys
 * (web/src/realtime). Both sides derive them from the event catalogue through
 * `affects`, so they cannot drift apart.
 *
 * `<kind>:*` stands for every resource of that kind (used when a change touches
 * an unknown set, e.g. a user's name shown on every project they commented on);
 * `*` is everything (after a Redis outage, or a resync).
 */
export type Resource =
  | "*"
  | "feed"
  | "catalog"
  | "ranking"
  | "leaderboard"
  | "tags"
  | `project:${string}`
  | `profile:${string}`
  | `intros:${string}`
  | `conversations:${string}`
  | `conversation:${string}`
  | `session:${string}`
  | `notifications:${string}`
  | `following:${string}`;

export const R = {
  all: "*",
  /** What feed pages and the leaderboard show (browsers refetch their lists). */
  feed: "feed",
  /** Which projects exist: the order of every sort changes when one is created or deleted. */
  catalog: "catalog",
  /** The scores that order `top`, `trending` and the leaderboard. */
  ranking: "ranking",
  leaderboard: "leaderboard",
  project: (id: string) => `project:${id}`,
  allProjects: "project:*",
  profile: (userId: string) => `profile:${userId}`,
  allProfiles: "profile:*",
  intros: (userId: string) => `intros:${userId}`,
  allIntros: "intros:*",
  conversations: (userId: string) => `conversations:${userId}`,
  allConversations: "conversations:*",
  /** One resource per pair, whichever side names it. */
  conversation: (a: string, b: string) => `conversation:${a < b ? `${a}:${b}` : `${b}:${a}`}`,
  allConversationThreads: "conversation:*",
  session: (sessionId: string) => `session:${sessionId}`,
  /** The tag list (GET /api/tags): which tags exist and how often. */
  tags: "tags",
  /** A user's notification inbox and unread count. */
  notifications: (userId: string) => `notifications:${userId}`,
  allNotifications: "notifications:*",
  /** Whom a user follows: their following feed's makers. */
  following: (userId: string) => `following:${userId}`,
  allFollowing: "following:*",
} as const satisfies Record<string, Resource | ((...a: string[]) => Resource)>;

export type ResourceKind =
  | "*"
  | "feed"
  | "catalog"
  | "ranking"
  | "leaderboard"
  | "tags"
  | "project"
  | "profile"
  | "intros"
  | "conversations"
  | "conversation"
  | "session"
  | "notifications"
  | "following";

/** Splits a resource into its kind and the rest (`project:abc` → ["project", "abc"]). */
export function parseResource(r: Resource): { kind: ResourceKind; id: string | null } {
  const i = r.indexOf(":");
  if (i < 0) return { kind: r as ResourceKind, id: null };
  return { kind: r.slice(0, i) as ResourceKind, id: r.slice(i + 1) };
}

/** The family tag of a resource (`project:abc` → `project:*`), or null for singletons. */
export function familyOf(r: Resource): Resource | null {
  const { kind, id } = parseResource(r);
  return id === null || id === "*" ? null : (`${kind}:*` as Resource);
}
