import type { NotificationsPage } from "@shared/contracts/notifications";
import type { FeedItem, FeedPage, ProjectDetail } from "@shared/contracts/projects";
import type { Profile } from "@shared/contracts/users";
import type { AnyEnvelope } from "@shared/realtime/events";
import { partialMatchKey, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { notificationKeys } from "../features/notifications/notifications.queries";
import { type FeedFilters, projectKeys } from "../features/projects/projects.queries";
import { profileKeys } from "../features/users/users.queries";
import type { HoldingMeta } from "../lib/refetch-scheduler";

/**
 * Events whose payload already holds the new value shown on screen write it
 * into the cache at once, so other viewers see it as soon as the event lands
 * instead of after a refetch (ADR 016): a vote's counts, a new title, a
 * renamed maker, an awarded badge, a new project on Newest, one more unread
 * notification. Payloads are snapshots taken after commit (public data only:
 * ADR 004), and only in-order events get here. The refetch still runs: it
 * brings what the payload lacks (the new rank, the rest of an edit) and
 * corrects anything this got wrong. A query that a pending optimistic
 * mutation of this tab holds is left to that mutation.
 */
export function patchFromEvent(queryClient: QueryClient, e: AnyEnvelope) {
  switch (e.type) {
    case "vote:cast":
    case "vote:removed": {
      const { projectId, score, upvotes, downvotes } = e.data;
      if (held(queryClient, projectKeys.detail(projectId))) return;
      patchProject(queryClient, projectId, { score, upvotes, downvotes });
      return;
    }
    case "project:updated":
      if (e.data.title !== undefined) patchProject(queryClient, e.data.projectId, { title: e.data.title });
      return;
    case "badge:awarded": {
      const { projectId, kind, createdAt } = e.data;
      if (createdAt === undefined) return;
      patchProject(queryClient, projectId, (p) =>
        p.badges.some((b) => b.kind === kind) ? {} : { badges: [...p.badges, { kind, createdAt }] },
      );
      return;
    }
    case "profile:updated": {
      const { userId, name, avatarUrl } = e.data;
      if (name === undefined || avatarUrl === undefined) return;
      queryClient.setQueryData<Profile>(profileKeys.detail(userId), (p) => p && { ...p, name, avatarUrl });
      const owner = <T extends FeedItem | ProjectDetail>(p: T): T =>
        p.owner.id === userId ? { ...p, owner: { ...p.owner, name, avatarUrl } } : p;
      queryClient.setQueriesData<ProjectDetail>({ queryKey: projectKeys.details() }, (p) => (p?.owner ? owner(p) : p));
      queryClient.setQueriesData<FeedPage>({ queryKey: projectKeys.lists() }, (page) =>
        page?.items.some((i) => i.owner.id === userId) ? { ...page, items: page.items.map(owner) } : page,
      );
      return;
    }
    case "project:created": {
      const { projectId, summary } = e.data;
      if (!summary) return;
      const item: FeedItem = {
        ...summary,
        id: projectId,
        featured: false,
        score: 0,
        upvotes: 0,
        downvotes: 0,
        commentCount: 0,
        badges: [],
        myVote: 0,
      };
      // Only where its place is known: the top of the first page of Newest, unfiltered.
      for (const [key, page] of queryClient.getQueriesData<FeedPage>({ queryKey: projectKeys.lists() })) {
        const f = key[2] as FeedFilters | undefined;
        if (!page || !f || f.sort !== "newest" || f.page !== 1 || f.q || f.tag || f.following) continue;
        if (page.items.some((i) => i.id === projectId)) continue;
        queryClient.setQueryData<FeedPage>(key, {
          ...page,
          items: [item, ...page.items].slice(0, page.pageSize),
          total: page.total + 1,
        });
      }
      return;
    }
    case "notification:created":
      // One more unread notification in every view of the recipient's inbox (the bell among them).
      queryClient.setQueriesData<NotificationsPage>({ queryKey: notificationKeys.user(e.data.userId) }, (p) =>
        p ? { ...p, unreadCount: p.unreadCount + 1 } : p,
      );
      return;
  }
}

/** Whether a pending optimistic mutation of this tab holds the query (its value wins until it settles). */
function held(queryClient: QueryClient, key: QueryKey) {
  return queryClient
    .getMutationCache()
    .getAll()
    .some((m) => {
      const holds = (m.meta as HoldingMeta | undefined)?.holds;
      return m.state.status === "pending" && holds !== undefined && partialMatchKey(key, holds);
    });
}

type Change = Partial<FeedItem> | ((p: FeedItem | ProjectDetail) => Partial<FeedItem>);

/** Applies a change to the project wherever it is cached: its page and every list that shows it. */
function patchProject(queryClient: QueryClient, projectId: string, change: Change) {
  const apply = <T extends FeedItem | ProjectDetail>(p: T): T => ({
    ...p,
    ...(typeof change === "function" ? change(p) : change),
  });
  queryClient.setQueryData<ProjectDetail>(projectKeys.detail(projectId), (p) => (p ? apply(p) : p));
  queryClient.setQueriesData<FeedPage>({ queryKey: projectKeys.lists() }, (page) =>
    page?.items.some((i) => i.id === projectId)
      ? { ...page, items: page.items.map((i) => (i.id === projectId ? apply(i) : i)) }
      : page,
  );
}
