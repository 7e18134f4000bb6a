import type { BadgeKind, BadgeView } from "@shared/contracts/badges";
import type { VoteValue } from "@shared/contracts/common";
import type {
  CreateProjectBody,
  FeedItem,
  FeedPage,
  ProjectDetail,
  ProjectSummary,
  UpdateProjectBody,
  VoteResult,
} from "@shared/contracts/projects";
import { FEED_PAGE_SIZE, type FeedFilters, feedPath, projectPath } from "@shared/first-reads";
import { keepPreviousData, type QueryClient, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "../../components/toast-store";
import { api, errorMessage } from "../../lib/api-client";
import { takeBoot } from "../../lib/boot";
import { invalidateSoon } from "../../lib/refetch-scheduler";

export { FEED_PAGE_SIZE, type FeedFilters, feedPath };

export const projectKeys = {
  all: ["projects"] as const,
  lists: () => [...projectKeys.all, "list"] as const,
  list: (f: FeedFilters) => [...projectKeys.lists(), f] as const,
  details: () => [...projectKeys.all, "detail"] as const,
  detail: (id: string) => [...projectKeys.details(), id] as const,
};

export const feedQueryOptions = (f: FeedFilters) =>
  queryOptions({
    queryKey: projectKeys.list(f),
    queryFn: ({ signal }) => api.get<FeedPage>(feedPath(f), signal),
    // The page's HTML may carry it (the first page a reader lands on).
    initialData: () => takeBoot<FeedPage>(feedPath(f)),
    // Switching tab or page keeps the old list on screen until the new one is in.
    placeholderData: keepPreviousData,
  });

export const projectQueryOptions = (id: string) =>
  queryOptions({
    queryKey: projectKeys.detail(id),
    queryFn: ({ signal }) => api.get<ProjectDetail>(projectPath(id), signal),
    initialData: () => takeBoot<ProjectDetail>(projectPath(id)),
  });

export function useCreateProject() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProjectBody) => api.post<ProjectSummary>("/projects", body),
    onSuccess: () => invalidateSoon(queryClient, [projectKeys.lists()]),
  });
}

export function useUpdateProject(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProjectBody) => api.patch<ProjectSummary>(`/projects/${id}`, body),
    onSuccess: () => invalidateSoon(queryClient, [projectKeys.detail(id), projectKeys.lists()]),
  });
}

export function useDeleteProject(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete(`/projects/${id}`),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: projectKeys.detail(id) });
      invalidateSoon(queryClient, [projectKeys.lists()]);
    },
  });
}

/**
 * The project detail query's cache entry, for mutations that edit it (comments,
 * votes, featuring and badges live inside it): `update` leaves a missing entry alone.
 */
export function useProjectCache(projectId: string) {
  const queryClient = useQueryClient();
  const key = projectKeys.detail(projectId);
  const update = (fn: (p: ProjectDetail) => ProjectDetail) =>
    queryClient.setQueryData<ProjectDetail>(key, (old) => (old ? fn(old) : old));
  return { queryClient, key, update, refetchSoon: () => invalidateSoon(queryClient, [key]) };
}

export function useFeatureProject(id: string) {
  const { update, refetchSoon } = useProjectCache(id);
  return useMutation({
    mutationFn: (featured: boolean) => api.post<ProjectSummary>(`/projects/${id}/feature`, { featured }),
    onSuccess: (summary) => {
      update((p) => ({ ...p, featured: summary.featured }));
      refetchSoon();
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
}

export function useAwardBadge(id: string) {
  const { refetchSoon } = useProjectCache(id);
  return useMutation({
    mutationFn: (kind: BadgeKind) => api.post<BadgeView>(`/projects/${id}/badges`, { kind }),
    onSuccess: () => refetchSoon(),
  });
}

/** What a vote does to the counts, so the button can answer before the server does. */
export function applyVote<T extends { score: number; upvotes: number; downvotes: number; myVote: VoteValue }>(
  p: T,
  value: VoteValue,
): T {
  const up = (v: VoteValue) => (v === 1 ? 1 : 0);
  const down = (v: VoteValue) => (v === -1 ? 1 : 0);
  const upvotes = p.upvotes - up(p.myVote) + up(value);
  const downvotes = p.downvotes - down(p.myVote) + down(value);
  return { ...p, myVote: value, upvotes, downvotes, score: upvotes - downvotes };
}

/** Applies `fn` to the project `id` wherever a feed list (feed, search, following) shows it. */
function updateInLists(queryClient: QueryClient, id: string, fn: (p: FeedItem) => FeedItem) {
  queryClient.setQueriesData<FeedPage>({ queryKey: projectKeys.lists() }, (old) =>
    old?.items.some((p) => p.id === id) ? { ...old, items: old.items.map((p) => (p.id === id ? fn(p) : p)) } : old,
  );
}

/**
 * Casts, switches or (value 0) removes the viewer's vote, optimistically: on
 * the project page and on every feed card that shows the project.
 */
export function useVoteProject(id: string) {
  const { queryClient, key, update, refetchSoon } = useProjectCache(id);
  return useMutation({
    meta: { holds: key },
    mutationFn: (value: VoteValue) =>
      value === 0
        ? api.delete<VoteResult>(`/projects/${id}/vote`)
        : api.post<VoteResult>(`/projects/${id}/${value === 1 ? "upvote" : "downvote"}`),
    onMutate: async (value) => {
      await queryClient.cancelQueries({ queryKey: key });
      await queryClient.cancelQueries({ queryKey: projectKeys.lists() });
      const previous = queryClient.getQueryData<ProjectDetail>(key);
      const previousLists = queryClient.getQueriesData<FeedPage>({ queryKey: projectKeys.lists() });
      if (previous) queryClient.setQueryData<ProjectDetail>(key, applyVote(previous, value));
      updateInLists(queryClient, id, (p) => applyVote(p, value));
      return { previous, previousLists };
    },
    onError: (err, _value, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
      for (const [listKey, data] of context?.previousLists ?? []) queryClient.setQueryData(listKey, data);
      toast.error(`Your vote did not count: ${errorMessage(err)}`);
      refetchSoon();
      invalidateSoon(queryClient, [projectKeys.lists()]);
    },
    onSuccess: (result) => {
      const counts = {
        myVote: result.myVote,
        score: result.score,
        upvotes: result.upvotes,
        downvotes: result.downvotes,
      };
      update((p) => ({ ...p, ...counts }));
      updateInLists(queryClient, id, (p) => ({ ...p, ...counts }));
    },
  });
}
