import type { CommentVoteResult } from "@shared/contracts/comments";
import type { VoteValue } from "@shared/contracts/common";
import type { CommentsPage, CommentView, ProjectDetail } from "@shared/contracts/projects";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { toast } from "../../components/toast-store";
import { api, errorMessage } from "../../lib/api-client";
import { projectKeys, useProjectCache } from "../projects/projects.queries";

export function useAddComment(projectId: string) {
  const { update, refetchSoon } = useProjectCache(projectId);
  return useMutation({
    mutationFn: (input: { body: string; parentId?: string | null }) =>
      api.post<CommentView>(`/projects/${projectId}/comments`, input),
    onSuccess: (comment) => {
      update((p) =>
        p.comments.some((c) => c.id === comment.id)
          ? p
          : { ...p, comments: [...p.comments, comment], commentCount: p.commentCount + 1 },
      );
      refetchSoon();
    },
  });
}

export function useEditComment(projectId: string) {
  const { update, refetchSoon } = useProjectCache(projectId);
  return useMutation({
    mutationFn: (input: { id: string; body: string }) =>
      api.patch<CommentView>(`/comments/${input.id}`, { body: input.body }),
    onSuccess: (comment) => {
      update((p) => ({ ...p, comments: p.comments.map((c) => (c.id === comment.id ? { ...c, ...comment } : c)) }));
      refetchSoon();
    },
  });
}

export function useDeleteComment(projectId: string) {
  const { update, refetchSoon } = useProjectCache(projectId);
  return useMutation({
    mutationFn: (id: string) => api.delete(`/comments/${id}`),
    onSuccess: (_void, id) => {
      update((p) => ({ ...p, comments: withoutThread(p.comments, id) }));
      refetchSoon();
    },
    onError: (err) => toast.error(errorMessage(err)),
  });
}

/** A comment and all its replies (the server deletes them together). */
export function withoutThread(comments: CommentView[], id: string): CommentView[] {
  const gone = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of comments) {
      if (c.parentId && gone.has(c.parentId) && !gone.has(c.id)) {
        gone.add(c.id);
        grew = true;
      }
    }
  }
  return comments.filter((c) => !gone.has(c.id));
}

export function useVoteComment(projectId: string) {
  const { queryClient, key, update, refetchSoon } = useProjectCache(projectId);
  return useMutation({
    meta: { holds: key },
    mutationFn: (input: { id: string; value: VoteValue }) =>
      api.post<CommentVoteResult>(`/comments/${input.id}/vote`, { value: input.value }),
    onMutate: async ({ id, value }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<ProjectDetail>(key);
      update((p) => ({
        ...p,
        comments: p.comments.map((c) => (c.id === id ? { ...c, myVote: value, score: c.score - c.myVote + value } : c)),
      }));
      return { previous };
    },
    onError: (err, _input, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
      toast.error(`Your vote did not count: ${errorMessage(err)}`);
      refetchSoon();
    },
    onSuccess: (result) =>
      update((p) => ({
        ...p,
        comments: p.comments.map((c) =>
          c.id === result.commentId ? { ...c, myVote: result.myVote, score: result.score } : c,
        ),
      })),
  });
}

/**
 * Older comment threads than the project page holds, loaded on demand. Keyed
 * under the project's detail key, so every event about the project refetches
 * them with it.
 */
export function useOlderComments(projectId: string, cursor: string | null, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: [...projectKeys.detail(projectId), "older"],
    queryFn: ({ pageParam, signal }) =>
      api.get<CommentsPage>(
        `/projects/${encodeURIComponent(projectId)}/comments?before=${encodeURIComponent(pageParam)}&limit=50`,
        signal,
      ),
    initialPageParam: cursor ?? "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: enabled && cursor !== null,
  });
}

/** Threads of older pages as flat comments (the page's shape), for one tree with the newest ones. */
export const flattenThreads = (pages: CommentsPage[] | undefined): CommentView[] =>
  (pages ?? []).flatMap((p) => p.items.flatMap(({ replies, ...root }) => [root, ...replies]));
