import { affectsOf, type DomainEvent } from "@shared/realtime/events";
import { parseResource, type Resource, type ResourceKind } from "@shared/realtime/resources";
import type { QueryKey } from "@tanstack/react-query";
import { authKeys } from "../features/auth/auth.queries";
import { introKeys } from "../features/intros/intros.queries";
import { leaderboardKeys } from "../features/leaderboard/leaderboard.queries";
import { conversationKeys, threadKeys } from "../features/messages/messages.queries";
import { notificationKeys } from "../features/notifications/notifications.queries";
import { projectKeys } from "../features/projects/projects.queries";
import { tagKeys } from "../features/search/search.queries";
import { profileKeys } from "../features/users/users.queries";

export interface KeyContext {
  /** The signed-in user: their profile also feeds the nav (the `me` query). */
  meId: string | null;
}

/** `[]` matches every query. */
export const EVERYTHING: QueryKey = [];

/**
 * Resource kind → the query keys that show it. Total over `ResourceKind`, so a
 * new kind in shared/realtime/resources.ts fails to compile until it is mapped.
 * `id` is null for singletons and for a whole family (`project:*`).
 */
const byKind: { [K in ResourceKind]: (id: string | null, ctx: KeyContext) => QueryKey[] } = {
  "*": () => [EVERYTHING],
  feed: () => [projectKeys.lists()],
  // Server-side cache structure (orders of the feed's sorts); what they order arrives as `feed`.
  catalog: () => [],
  ranking: () => [],
  leaderboard: () => [leaderboardKeys.all],
  project: (id) => [id ? projectKeys.detail(id) : projectKeys.details()],
  profile: (id, { meId }) =>
    id
      ? [profileKeys.detail(id), ...(id === meId ? [authKeys.me()] : [])]
      : [profileKeys.all, ...(meId ? [authKeys.me()] : [])],
  intros: (id) => [id ? introKeys.list(id) : introKeys.all],
  conversations: (id) => [id ? conversationKeys.list(id) : conversationKeys.all],
  conversation: (id) => [id ? threadKeys.pair(id) : threadKeys.all],
  session: () => [authKeys.me()],
  tags: () => [tagKeys.all],
  notifications: (id) => [id ? notificationKeys.user(id) : notificationKeys.all],
  // The following feed is one of the project lists (filter `following`); only mine is on screen.
  following: (id, { meId }) => (id === null || id === meId ? [projectKeys.lists()] : []),
};

export function queryKeysForResource(resource: Resource, ctx: KeyContext): QueryKey[] {
  const { kind, id } = parseResource(resource);
  return byKind[kind](id === "*" ? null : id, ctx);
}

export function queryKeysForResources(resources: readonly Resource[], ctx: KeyContext): QueryKey[] {
  const seen = new Set<string>();
  const out: QueryKey[] = [];
  for (const r of resources) {
    for (const key of queryKeysForResource(r, ctx)) {
      const h = JSON.stringify(key);
      if (seen.has(h)) continue;
      seen.add(h);
      out.push(key);
    }
  }
  return out;
}

/** The query keys an event makes stale: the catalogue's `affects`, mapped. */
export function queryKeysForEvent(event: DomainEvent, ctx: KeyContext): QueryKey[] {
  return queryKeysForResources(affectsOf(event), ctx);
}
