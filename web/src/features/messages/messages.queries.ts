import type { ConversationSummary, MessageView } from "@shared/contracts/messages";
import { parseResource, R } from "@shared/realtime/resources";
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import { invalidateSoon } from "../../lib/refetch-scheduler";

/** The id both sides of a conversation share (the same pair id the realtime resources use). */
export const pairId = (a: string, b: string) => parseResource(R.conversation(a, b)).id!;

export const conversationKeys = {
  all: ["conversations"] as const,
  list: (userId: string) => [...conversationKeys.all, userId] as const,
};

export const threadKeys = {
  all: ["conversation"] as const,
  /** By pair: `conversation:<a>:<b>` names one thread whoever reads it. */
  pair: (pair: string) => [...threadKeys.all, pair] as const,
  detail: (meId: string, otherId: string) => threadKeys.pair(pairId(meId, otherId)),
};

export const conversationsQueryOptions = (meId: string) =>
  queryOptions({
    queryKey: conversationKeys.list(meId),
    queryFn: ({ signal }) => api.get<ConversationSummary[]>("/conversations", signal),
  });

/** The thread, oldest first. Reading it changes nothing; `useMarkConversationRead` marks it read. */
export const threadQueryOptions = (meId: string, otherId: string) =>
  queryOptions({
    queryKey: threadKeys.detail(meId, otherId),
    queryFn: ({ signal }) => api.get<MessageView[]>(`/conversations/${encodeURIComponent(otherId)}`, signal),
  });

export const totalUnread = (list: ConversationSummary[] | undefined) =>
  list?.reduce((n, c) => n + c.unreadCount, 0) ?? 0;

export function useSendMessage(meId: string, otherId: string) {
  const queryClient = useQueryClient();
  const key = threadKeys.detail(meId, otherId);
  return useMutation({
    mutationFn: (body: string) => api.post<MessageView>("/messages", { toUserId: otherId, body }),
    onSuccess: (message) => {
      queryClient.setQueryData<MessageView[]>(key, (old) =>
        old && !old.some((m) => m.id === message.id) ? [...old, message] : old,
      );
      invalidateSoon(queryClient, [key, conversationKeys.list(meId)]);
    },
  });
}

/**
 * Marks every incoming message of the thread read (POST, never a side effect of
 * the GET). The server's `messages:read` event refreshes the thread and the list.
 */
export function useMarkConversationRead(meId: string, otherId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      api.post<{ count: number; readAt: string | null }>(`/conversations/${encodeURIComponent(otherId)}/read`),
    onSuccess: ({ count }) => {
      if (count > 0) invalidateSoon(queryClient, [threadKeys.detail(meId, otherId), conversationKeys.list(meId)]);
    },
  });
}
