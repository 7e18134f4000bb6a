import type { MarkReadResult, NotificationsPage } from "@shared/contracts/notifications";
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "../../components/toast-store";
import { api, errorMessage } from "../../lib/api-client";
import { invalidateSoon } from "../../lib/refetch-scheduler";

export interface NotificationFilters {
  page: number;
  pageSize: number;
  unread: boolean;
}

export const NOTIFICATIONS_PAGE_SIZE = 20;

/** The inbox is private: keyed by its owner, so another sign-in never sees it. */
export const notificationKeys = {
  all: ["notifications"] as const,
  user: (userId: string) => [...notificationKeys.all, userId] as const,
  list: (userId: string, f: NotificationFilters) => [...notificationKeys.user(userId), f] as const,
};

export const notificationsQueryOptions = (userId: string, f: NotificationFilters) =>
  queryOptions({
    queryKey: notificationKeys.list(userId, f),
    queryFn: ({ signal }) =>
      api.get<NotificationsPage>(
        `/notifications?page=${f.page}&pageSize=${f.pageSize}${f.unread ? "&unread=true" : ""}`,
        signal,
      ),
    placeholderData: keepPreviousData,
  });

/** The bell's count: the smallest page that carries `unreadCount`. */
export const unreadCountQueryOptions = (userId: string) =>
  queryOptions({
    ...notificationsQueryOptions(userId, { page: 1, pageSize: 1, unread: true }),
    select: (p: NotificationsPage) => p.unreadCount,
  });

/** Marks some (or, without ids, all) read; every view of the inbox refetches. */
export function useMarkNotificationsRead(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ids?: string[]) => api.post<MarkReadResult>("/notifications/read", ids ? { ids } : {}),
    onSuccess: () => invalidateSoon(queryClient, [notificationKeys.user(userId)]),
    onError: (err) => toast.error(errorMessage(err)),
  });
}

export function useDeleteNotification(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/notifications/${id}`),
    onSuccess: () => invalidateSoon(queryClient, [notificationKeys.user(userId)]),
    onError: (err) => toast.error(errorMessage(err)),
  });
}
